// Small POSIX helpers shared by the test-only server launchers (RedisServer,
// PgServer): loopback port probing, log tails for error messages, and
// signalling + reaping a child process.
//
// Thread-safety: free functions with no shared state.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace finex::testing {

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
int PickFreeLoopbackPort();
// True when something accepts TCP connections on 127.0.0.1:port.
bool LoopbackPortOpen(int port);

// The last `max_bytes` bytes of the file at `path` (all of it if shorter;
// empty if unreadable), for quoting a server log in a Status message.
std::string FileTail(const std::string& path, size_t max_bytes);

// If *pid > 0: sends `sig` to it, waits for it to exit and sets *pid = -1.
// No-op otherwise (never signals pid <= 0, which would hit a process group).
void SignalAndReap(pid_t* pid, int sig);

}  // namespace finex::testing
