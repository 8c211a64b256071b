#include "tests/testutil/process_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace finex::testing {

Result<std::string> MakeTempDir(std::string_view prefix) {
  std::string tmpl = "/tmp/" + std::string(prefix) + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    return UnavailableError(std::string("mkdtemp: ") + strerror(errno));
  }
  return tmpl;
}

Status LaunchOnFreshPorts(const std::function<Status()>& launch) {
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = launch();
    if (last.ok()) return last;
  }
  return last;
}

int PickFreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool LoopbackPortOpen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

void SignalAndReap(pid_t* pid, int sig) {
  if (*pid <= 0) return;
  kill(*pid, sig);
  waitpid(*pid, nullptr, 0);
  *pid = -1;
}

}  // namespace finex::testing
