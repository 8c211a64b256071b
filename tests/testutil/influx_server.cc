#include "tests/testutil/influx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/testutil/process_util.h"

namespace finex::testing {
namespace {

std::string Influxd() {
  for (const char* p : {"/usr/bin/influxd", "/usr/local/bin/influxd"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

// GET /ping over a raw socket; true on "HTTP/1.1 204".
bool Ping(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  const char req[] = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  timeval tv{0, 500000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      write(fd, req, sizeof req - 1) == static_cast<ssize_t>(sizeof req - 1)) {
    char buf[32] = {};
    if (read(fd, buf, sizeof buf - 1) > 12) ok = strncmp(buf + 9, "204", 3) == 0;
  }
  close(fd);
  return ok;
}

}  // namespace

Result<std::unique_ptr<InfluxServer>> InfluxServer::Start() {
  if (Influxd().empty())
    return UnavailableError("influxd is not installed (Debian package influxdb)");
  std::unique_ptr<InfluxServer> s(new InfluxServer());
  if (geteuid() == 0) {
    passwd* pw = getpwnam("influxdb");
    if (pw == nullptr) pw = getpwnam("nobody");
    if (pw == nullptr)
      return UnavailableError("running as root and there is no influxdb/nobody user to run as");
    s->drop_ = true;
    s->uid_ = pw->pw_uid;
    s->gid_ = pw->pw_gid;
  }
  FINEX_ASSIGN_OR_RETURN(s->dir_, MakeTempDir("finex-influx-"));
  if (s->drop_ && chown(s->dir_.c_str(), s->uid_, s->gid_) != 0)
    return UnavailableError(std::string("chown temp dir: ") + strerror(errno));
  FINEX_RETURN_IF_ERROR(LaunchOnFreshPorts([&] {
    s->port_ = PickFreeLoopbackPort();
    s->rpc_port_ = PickFreeLoopbackPort();
    return s->Launch();
  }));
  return s;
}

Status InfluxServer::Launch() {
  const std::string conf = dir_ + "/influxdb.conf", log = dir_ + "/influxd.log";
  {
    std::ofstream c(conf, std::ios::trunc);
    c << "reporting-disabled = true\nbind-address = \"127.0.0.1:" << rpc_port_ << "\"\n"
      << "[meta]\n  dir = \"" << dir_ << "/meta\"\n  logging-enabled = false\n"
      << "[data]\n  dir = \"" << dir_ << "/data\"\n  wal-dir = \"" << dir_ << "/wal\"\n"
      << "  query-log-enabled = false\n  wal-fsync-delay = \"0s\"\n"
      << "[monitor]\n  store-enabled = false\n"
      << "[http]\n  bind-address = \"127.0.0.1:" << port_ << "\"\n  log-enabled = false\n"
      << "  max-row-limit = 0\n  max-body-size = 0\n"
      << "[continuous_queries]\n  enabled = false\n";
  }
  if (drop_) (void)chown(conf.c_str(), uid_, gid_);
  const std::string bin = Influxd();
  pid_t pid = fork();
  if (pid < 0) return UnavailableError(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (drop_ && (setgroups(0, nullptr) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0)) _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (chdir(dir_.c_str()) != 0) _exit(125);
    execl(bin.c_str(), bin.c_str(), "-config", conf.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return UnavailableError("influxd exited at start: " + FileTail(log, 800));
    }
    if (Ping(port_)) return OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return UnavailableError("influxd did not answer /ping within 20 s: " + FileTail(log, 800));
}

InfluxServer::~InfluxServer() {
  Kill();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string InfluxServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void InfluxServer::Kill() { SignalAndReap(&pid_, SIGKILL); }

Status InfluxServer::Restart() {
  if (pid_ > 0) return OkStatus();
  return Launch();
}

TestInfluxTarget TestInflux() {
  TestInfluxTarget t;
  if (const char* env = getenv("FINEX_TEST_INFLUX_URL"); env != nullptr && *env != '\0') {
    t.url = env;
    return t;
  }
  auto s = InfluxServer::Start();
  if (!s.ok()) {
    t.skip_reason = "no InfluxDB: FINEX_TEST_INFLUX_URL unset and launching influxd failed: " +
                    s.status().message();
    return t;
  }
  t.server = std::move(s).value();
  t.url = t.server->url();
  return t;
}

}  // namespace finex::testing
