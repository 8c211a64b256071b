// Small POSIX helpers shared by the test-only server launchers (RedisServer,
// PgServer, InfluxServer): a private temp directory, loopback port probing
// and launching on fresh ports, log tails for error messages, and signalling
// + reaping a child process.
//
// Thread-safety: free functions with no shared state.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "finex/core/status.h"

namespace finex::testing {

// A free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
int PickFreeLoopbackPort();
// True when something accepts TCP connections on 127.0.0.1:port.
bool LoopbackPortOpen(int port);

// A new private directory /tmp/<prefix>XXXXXX; Unavailable if it cannot be made.
Result<std::string> MakeTempDir(std::string_view prefix);

// Runs `launch` up to 3 times; `launch` picks its ports (PickFreeLoopbackPort)
// each time, since another process may take a picked port before the server
// binds it. OK on the first success, else the last failure.
Status LaunchOnFreshPorts(const std::function<Status()>& launch);

// The last `max_bytes` bytes of the file at `path` (all of it if shorter;
// empty if unreadable), for quoting a server log in a Status message.
std::string FileTail(const std::string& path, size_t max_bytes);

// If *pid > 0: sends `sig` to it, waits for it to exit and sets *pid = -1.
// No-op otherwise (never signals pid <= 0, which would hit a process group).
void SignalAndReap(pid_t* pid, int sig);

}  // namespace finex::testing
