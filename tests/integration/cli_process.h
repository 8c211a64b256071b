// Runs the built `finex` binary as a child process for CLI tests: argv,
// extra environment, captured stdout/stderr and the exit code; or starts it
// in the background (serve/sim) and reads the URL it prints on stderr.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace finex::testing {

inline std::string FinexBinary() { return std::string(FINEX_BINARY_DIR) + "/src/finex/cli/finex"; }

struct ProcResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string ReadFileText(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Builds the child's environment: the parent's minus FINEX_*/XDG_*, plus env.
inline std::vector<std::string> ChildEnv(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    if (kv.rfind("FINEX_", 0) == 0 || kv.rfind("XDG_", 0) == 0 || kv.rfind("NO_COLOR", 0) == 0)
      continue;
    out.push_back(kv);
  }
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// Starts finex with args; stdout/stderr go to files. Returns the pid.
inline pid_t Spawn(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env, const std::string& out_path,
                   const std::string& err_path) {
  std::vector<std::string> envs = ChildEnv(env);
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    std::string bin = FinexBinary();
    argv.push_back(bin.data());
    std::vector<std::string> a = args;
    for (auto& s : a) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& s : envs) envp.push_back(s.data());
    envp.push_back(nullptr);
    execve(bin.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

inline ProcResult RunFinex(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, const std::string& dir,
                           int timeout_s = 60) {
  static int seq = 0;
  const std::string out = dir + "/out" + std::to_string(++seq),
                    err = dir + "/err" + std::to_string(seq);
  const pid_t pid = Spawn(args, env, out, err);
  ProcResult r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.err = "timed out";
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFileText(out);
  r.err = ReadFileText(err);
  return r;
}

// A background finex (serve / sim) and the http://127.0.0.1:PORT it printed.
struct Background {
  pid_t pid = -1;
  std::string url;
  std::string err_path;
  int Stop(int sig = SIGTERM) {
    if (pid <= 0) return -1;
    kill(pid, sig);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~Background() { Stop(SIGKILL); }
};

inline bool StartBackground(Background& b, const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env, const std::string& dir,
                            const std::string& ready_marker) {
  static int seq = 0;
  b.err_path = dir + "/bg_err" + std::to_string(++seq);
  b.pid = Spawn(args, env, dir + "/bg_out" + std::to_string(seq), b.err_path);
  const std::regex url_re("http://127\\.0\\.0\\.1:[0-9]+");
  for (int i = 0; i < 300; ++i) {
    const std::string text = ReadFileText(b.err_path);
    if (text.find(ready_marker) != std::string::npos) {
      std::smatch m;
      if (std::regex_search(text, m, url_re)) {
        b.url = m.str();
        return true;
      }
    }
    int status = 0;
    if (waitpid(b.pid, &status, WNOHANG) != 0) {
      b.pid = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace finex::testing
