#include "finex/server/serve.h"

#include <pthread.h>
#include <signal.h>

namespace finex::server {

Status ServeUntilSignal(Service& service, const http::ServerOptions& opts,
                        const std::function<void(uint16_t port)>& on_listening, int drain_ms) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  // Block before the server threads start so they inherit the mask and the
  // signal is delivered to sigwait below, never to an I/O thread.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  auto server = http::Server::Start(opts, service.AsHandler(), service.AsFastHandler());
  if (!server.ok()) return server.status();
  service.alerts().Start();
  if (on_listening) on_listening((*server)->port());
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  service.SetDraining(true);
  (*server)->Stop(drain_ms);
  (*server)->Wait();
  service.alerts().Stop();
  return OkStatus();
}

}  // namespace finex::server
