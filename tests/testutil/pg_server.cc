#include "tests/testutil/pg_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/testutil/process_util.h"

namespace finex::testing {
namespace {

std::string LogTail(const std::string& path) { return FileTail(path, 800); }

struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// fork + exec `args`, stdout/stderr to `log`, in `cwd`, optionally as another
// user. Returns the child's pid or -1.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log, const std::string& cwd,
            const RunAs& as) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int in = open("/dev/null", O_RDONLY);
  if (in >= 0) dup2(in, 0);
  int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  if (as.drop) {
    if (setgroups(0, nullptr) != 0 || setgid(as.gid) != 0 || setuid(as.uid) != 0) _exit(126);
  }
  // After the credential change (which clears it): die with the test process.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (chdir(cwd.c_str()) != 0) _exit(125);
  std::vector<char*> argv;
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

int WaitExit(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

RunAs CurrentRunAs(bool as_postgres) {
  RunAs r;
  if (!as_postgres) return r;
  passwd* pw = getpwnam("postgres");
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  return r;
}

}  // namespace

Result<std::unique_ptr<PgServer>> PgServer::Start() {
  std::unique_ptr<PgServer> s(new PgServer());
  const char* env = getenv("FINEX_PG_BINDIR");
  s->bindir_ = (env && *env) ? env : "/usr/lib/postgresql/15/bin";
  for (const char* b : {"initdb", "postgres", "pg_isready"}) {
    if (access((s->bindir_ + "/" + b).c_str(), X_OK) != 0)
      return UnavailableError("PostgreSQL binary " + s->bindir_ + "/" + b + " is absent");
  }
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr)
      return UnavailableError("running as root and there is no 'postgres' user to run initdb as");
    s->as_postgres_user_ = true;
  }
  FINEX_ASSIGN_OR_RETURN(s->dir_, MakeTempDir("finex-pg-"));
  const RunAs as = CurrentRunAs(s->as_postgres_user_);
  if (as.drop && chown(s->dir_.c_str(), as.uid, as.gid) != 0)
    return UnavailableError(std::string("chown temp dir: ") + strerror(errno));
  chmod(s->dir_.c_str(), 0700);

  const std::string log = s->dir_ + "/initdb.log";
  pid_t pid = Spawn({s->bindir_ + "/initdb", "-D", s->dir_ + "/data", "-U", "finex", "-A", "trust",
                     "--no-sync", "-E", "UTF8", "--locale=C"},
                    log, s->dir_, as);
  if (pid < 0 || WaitExit(pid) != 0) return UnavailableError("initdb failed: " + LogTail(log));
  FINEX_RETURN_IF_ERROR(LaunchOnFreshPorts([&] {
    s->port_ = PickFreeLoopbackPort();
    return s->Launch();
  }));
  return s;
}

Status PgServer::Launch() {
  const RunAs as = CurrentRunAs(as_postgres_user_);
  const std::string log = dir_ + "/postgres.log";
  pid_t pid = Spawn(
      {bindir_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port_), "-k", dir_, "-c",
       "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
       "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB"},
      log, dir_, as);
  if (pid < 0) return UnavailableError(std::string("fork: ") + strerror(errno));
  pid_ = pid;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return UnavailableError("postgres exited at start: " + LogTail(log));
    }
    pid_t probe = Spawn({bindir_ + "/pg_isready", "-q", "-h", "127.0.0.1", "-p",
                         std::to_string(port_), "-U", "finex", "-d", "postgres"},
                        "/dev/null", "/", RunAs{});
    if (probe > 0 && WaitExit(probe) == 0) return OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Kill();
  return UnavailableError("postgres not ready within 20 s: " + LogTail(log));
}

PgServer::~PgServer() {
  Stop();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string PgServer::dsn() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=finex dbname=postgres";
}

void PgServer::Kill() { SignalAndReap(&pid_, SIGKILL); }

void PgServer::Stop() { SignalAndReap(&pid_, SIGINT); }  // postgres: SIGINT = fast shutdown

Status PgServer::Restart() {
  if (pid_ > 0) return OkStatus();
  Status last;
  // After a SIGKILL, orphaned backends may hold shared memory for a moment.
  for (int i = 0; i < 20; ++i) {
    last = Launch();
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return last;
}

TestPgTarget TestPg() {
  TestPgTarget t;
  if (const char* env = getenv("FINEX_TEST_PG_DSN"); env != nullptr && *env != '\0') {
    t.dsn = env;
    return t;
  }
  auto s = PgServer::Start();
  if (!s.ok()) {
    t.skip_reason =
        "no PostgreSQL: FINEX_TEST_PG_DSN unset and launching one failed: " + s.status().message();
    return t;
  }
  t.server = std::move(s).value();
  t.dsn = t.server->dsn();
  return t;
}

}  // namespace finex::testing
