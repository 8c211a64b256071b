#include "tests/testutil/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace finex::testing {
namespace {

std::string LogTail(const std::string& path) { return FileTail(path, 600); }

bool BinaryOnPath(const std::string& name) {
  const char* path = getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string d;
  while (std::getline(ss, d, ':')) {
    if (!d.empty() && access((d + "/" + name).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Sends PING over a raw socket; true on "+PONG".
bool RedisPing(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      write(fd, "PING\r\n", 6) == 6) {
    pollfd p{fd, POLLIN, 0};
    char buf[16] = {};
    if (poll(&p, 1, 500) == 1 && read(fd, buf, sizeof buf - 1) > 0)
      ok = strncmp(buf, "+PONG", 5) == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

Result<std::unique_ptr<RedisServer>> RedisServer::Start() { return Start({}); }

Result<std::unique_ptr<RedisServer>> RedisServer::StartSentinel(const std::string& name,
                                                                int master_port, int quorum,
                                                                int down_after_ms) {
  if (!BinaryOnPath("redis-sentinel"))
    return UnavailableError("redis-sentinel is not on PATH (Debian package redis-sentinel)");
  std::unique_ptr<RedisServer> s(new RedisServer());
  FINEX_ASSIGN_OR_RETURN(s->dir_, MakeTempDir("finex-sentinel-"));
  s->sentinel_conf_ = s->dir_ + "/sentinel.conf";
  FINEX_RETURN_IF_ERROR(LaunchOnFreshPorts([&] {
    s->port_ = PickFreeLoopbackPort();
    // The sentinel rewrites its config file (state, known replicas and
    // sentinels); it is written once here and left to it afterwards.
    std::ofstream conf(s->sentinel_conf_, std::ios::trunc);
    conf << "port " << s->port_ << "\nbind 127.0.0.1\nprotected-mode no\ndaemonize no\n"
         << "dir " << s->dir_ << "\nlogfile " << s->dir_ << "/redis.log\n"
         << "sentinel monitor " << name << " 127.0.0.1 " << master_port << " " << quorum << "\n"
         << "sentinel down-after-milliseconds " << name << " " << down_after_ms << "\n"
         << "sentinel failover-timeout " << name << " " << std::max(2000, 4 * down_after_ms)
         << "\nsentinel parallel-syncs " << name << " 1\n";
    conf.close();
    return s->Launch();
  }));
  return s;
}

Result<std::unique_ptr<RedisServer>> RedisServer::Start(std::vector<std::string> extra_args) {
  if (!BinaryOnPath("redis-server")) return UnavailableError("redis-server is not on PATH");
  std::unique_ptr<RedisServer> s(new RedisServer());
  s->extra_args_ = std::move(extra_args);
  FINEX_ASSIGN_OR_RETURN(s->dir_, MakeTempDir("finex-redis-"));
  FINEX_RETURN_IF_ERROR(LaunchOnFreshPorts([&] {
    s->port_ = PickFreeLoopbackPort();
    return s->Launch();
  }));
  return s;
}

Status RedisServer::Launch() {
  const std::string port = std::to_string(port_);
  const std::string log = dir_ + "/redis.log";
  std::vector<std::string> args = {"redis-server",
                                   "--port",
                                   port,
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir_,
                                   "--daemonize",
                                   "no",
                                   "--protected-mode",
                                   "no",
                                   "--logfile",
                                   log,
                                   "--databases",
                                   "16"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  if (!sentinel_conf_.empty()) args = {"redis-sentinel", sentinel_conf_};
  pid_t pid = fork();
  if (pid < 0) return UnavailableError(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    // Never hold the test's stdout/stderr (a pipe reader would wait for us),
    // and die with the test process even if it crashes.
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return UnavailableError(args[0] + " exited at start: " + LogTail(log));
    }
    if (RedisPing(port_)) return OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill();
  return UnavailableError(args[0] + " did not answer PING within 5 s: " + LogTail(log));
}

RedisServer::~RedisServer() {
  Kill();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }

// SIGCONT first so a Pause()d (SIGSTOPped) server is not left stopped.
void RedisServer::Kill() {
  if (pid_ > 0) kill(pid_, SIGCONT);
  SignalAndReap(&pid_, SIGKILL);
}

void RedisServer::Stop() {
  if (pid_ > 0) kill(pid_, SIGCONT);
  SignalAndReap(&pid_, SIGTERM);
}

Status RedisServer::Restart() {
  if (pid_ > 0) return OkStatus();
  // The port may linger in TIME_WAIT; redis sets SO_REUSEADDR so a rebind works.
  return Launch();
}

void RedisServer::Pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}
void RedisServer::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

TestRedisTarget TestRedis() {
  TestRedisTarget t;
  if (const char* env = getenv("FINEX_TEST_REDIS_URL"); env != nullptr && *env != '\0') {
    t.url = env;
    return t;
  }
  auto s = RedisServer::Start();
  if (!s.ok()) {
    t.skip_reason = "no Redis: FINEX_TEST_REDIS_URL unset and launching redis-server failed: " +
                    s.status().message();
    return t;
  }
  t.server = std::move(s).value();
  t.url = t.server->url();
  return t;
}

}  // namespace finex::testing
