// Serve: runs a Service on an http::Server until SIGTERM or SIGINT, then
// drains: /readyz turns 503, the listener closes, in-flight requests finish
// (up to drain_ms) and the call returns OK, so `finex serve` exits 0.
//
// Thread-safety: call from the main thread, once. It blocks SIGTERM/SIGINT in
// the calling thread (and so in the server threads it starts) and waits for
// them with sigwait. Ownership: borrows the Service, which must outlive the
// call.
#pragma once

#include <cstdint>
#include <functional>

#include "finex/core/status.h"
#include "finex/http/server.h"
#include "finex/server/service.h"

namespace finex::server {

// on_listening(port) runs once the socket is bound (e.g. to print the URL).
// Returns the bind error, or OK after a signal-triggered graceful drain.
Status ServeUntilSignal(Service& service, const http::ServerOptions& opts,
                        const std::function<void(uint16_t port)>& on_listening,
                        int drain_ms = 10000);

}  // namespace finex::server
