// Boost.Asio implementation of http::Server: listening, accepting, the I/O
// threads and stopping. One connection's reading, writing and timeouts are
// detail/connection.{h,cc}; the response head is written by
// detail/head_writer.{h,cc}.
//
// Layout: one io_context per I/O thread; the acceptor lives on the first and
// hands each accepted socket to the next context round-robin, so a
// connection's handlers all run on one thread and need no strand. Beyond
// max_connections (capped by the descriptor limit) a connection is answered
// 503 and closed; when accept() runs out of descriptors it pauses and retries.
#include "finex/http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>
#include <unordered_map>
#include <utility>

#include "finex/core/mutex.h"
#include "finex/core/symbol.h"
#include "finex/http/detail/connection.h"
#include "finex/http/detail/head_writer.h"

namespace finex::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

using detail::Connection;

class ServerImpl final : public Server, public detail::ConnectionOwner {
 public:
  ServerImpl(ServerOptions opts, Handler handler, FastHandler fast)
      : opts_(std::move(opts)), handler_(std::move(handler)), fast_(std::move(fast)) {}
  ~ServerImpl() override {
    Stop(0);
    // Destroy connections (held by pending handlers) while members are alive,
    // and every I/O object before the io_context it was made on (ASan: the
    // accept-pause timer outlived its context, a use-after-free at exit).
    acceptor_.reset();
    accept_pause_.reset();
    contexts_.clear();
  }

  Status Init();
  uint16_t port() const override { return port_; }
  void Stop(int drain_ms) override;
  void Wait() override {
    MutexLock lock(mu_);
    stopped_cv_.Wait(mu_, [&] {
      mu_.AssertHeld();
      return stopped_;
    });
  }

  const ServerOptions& opts() const override { return opts_; }
  const Handler& handler() const override { return handler_; }
  const FastHandler& fast() const override { return fast_; }
  bool stopping() const override { return stopping_.load(std::memory_order_relaxed); }

  void Register(Connection* s, std::weak_ptr<Connection> w) override {
    MutexLock lock(mu_);
    connections_.emplace(s, std::move(w));
  }
  void Unregister(Connection* s) override {
    MutexLock lock(mu_);
    connections_.erase(s);
    active_.fetch_sub(1);
    if (connections_.empty()) drained_cv_.SignalAll();
  }

 private:
  void Accept();
  // accept() failed for want of descriptors (EMFILE/ENFILE/ENOBUFS/ENOMEM):
  // the pending connection stays in the kernel's queue and the listening
  // socket stays readable, so retrying at once would spin. Log once per
  // episode and retry after a pause; open connections keep being served.
  void PauseAccept(const beast::error_code& ec);
  void Reject(tcp::socket socket);
  void Log(const std::string& line) const;

  const ServerOptions opts_;
  const Handler handler_;
  const FastHandler fast_;
  uint16_t port_ = 0;
  int max_connections_ = 0;    // opts_.max_connections capped by the descriptor limit
  bool fd_exhausted_ = false;  // in an accept-EMFILE episode (acceptor thread only)
  std::unique_ptr<asio::steady_timer> accept_pause_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  size_t next_ctx_ = 0;

  Mutex mu_;
  CondVar drained_cv_;
  CondVar stopped_cv_;
  bool stop_started_ FINEX_GUARDED_BY(mu_) = false;
  bool stopped_ FINEX_GUARDED_BY(mu_) = false;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_ FINEX_GUARDED_BY(mu_);

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
};

Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view listen) {
  std::string host;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return InvalidArgumentError("listen address '" + Printable(listen) + "' is not [host]:port");
    }
    host = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError("listen address '" + Printable(listen) + "' is not host:port");
    }
    host = std::string(listen.substr(0, colon));
    port_text = listen.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgumentError("listen port in '" + Printable(listen) + "' is not a number");
  }
  const int port = std::stoi(std::string(port_text));
  if (port > 65535)
    return InvalidArgumentError("listen port " + std::to_string(port) + " out of range");
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Status ServerImpl::Init() {
  if (opts_.threads < 1) return InvalidArgumentError("threads must be >= 1");
  if (!handler_) return InvalidArgumentError("handler is empty");
  FINEX_ASSIGN_OR_RETURN(auto hp, SplitHostPort(opts_.listen));
  beast::error_code ec;
  auto addr = asio::ip::make_address(hp.first, ec);
  if (ec)
    return InvalidArgumentError("listen host '" + Printable(hp.first) + "' is not an IP address");
  for (int i = 0; i < opts_.threads; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.push_back(asio::make_work_guard(*contexts_.back()));
  }
  acceptor_ = std::make_unique<tcp::acceptor>(*contexts_[0]);
  tcp::endpoint ep(addr, hp.second);
  acceptor_->open(ep.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(ep, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return UnavailableError("cannot listen on " + Printable(opts_.listen) + ": " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();
  // Connections are bounded by descriptors: raise the soft limit to the hard
  // one (as nginx's worker_rlimit_nofile does) and keep kReservedFds for
  // backend and provider sockets and files.
  constexpr rlim_t kReservedFds = 256;
  rlimit lim{};
  max_connections_ = opts_.max_connections;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    if (lim.rlim_cur < lim.rlim_max) {
      rlimit raised = lim;
      raised.rlim_cur = lim.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
    }
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur > kReservedFds &&
        static_cast<rlim_t>(max_connections_) > lim.rlim_cur - kReservedFds) {
      max_connections_ = static_cast<int>(lim.rlim_cur - kReservedFds);
    }
  }
  accept_pause_ = std::make_unique<asio::steady_timer>(*contexts_[0]);
  Accept();
  for (auto& ctx : contexts_) {
    threads_.emplace_back([c = ctx.get()] {
      for (;;) {
        try {
          c->run();
          return;
        } catch (...) {
          // A throwing handler must not kill the I/O thread; keep serving.
        }
      }
    });
  }
  return OkStatus();
}

void ServerImpl::Accept() {
  asio::io_context& target = *contexts_[next_ctx_];
  next_ctx_ = (next_ctx_ + 1) % contexts_.size();
  acceptor_->async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_->is_open() || stopping()) return;
    if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
        ec == asio::error::no_memory || ec.value() == ENFILE) {
      PauseAccept(ec);
      return;
    }
    if (!ec) {
      if (fd_exhausted_) {
        fd_exhausted_ = false;
        Log("finex http: descriptors available again, accepting connections");
      }
      if (active_.load() >= max_connections_) {
        Reject(std::move(socket));
      } else {
        active_.fetch_add(1);
        auto exec = socket.get_executor();
        auto s = std::make_shared<Connection>(*this, std::move(socket));
        asio::post(exec, [s] { s->Start(); });
      }
    }
    Accept();
  });
}

void ServerImpl::PauseAccept(const beast::error_code& ec) {
  if (!fd_exhausted_) {
    fd_exhausted_ = true;
    Log("finex http: accept failed (" + ec.message() + ") with " + std::to_string(active_.load()) +
        " connections open; serving them and retrying accept every " +
        std::to_string(opts_.accept_retry_ms) + " ms");
  }
  accept_pause_->expires_after(std::chrono::milliseconds(std::max(1, opts_.accept_retry_ms)));
  accept_pause_->async_wait([this](beast::error_code wec) {
    if (wec || !acceptor_->is_open() || stopping()) return;
    Accept();
  });
}

void ServerImpl::Log(const std::string& line) const {
  if (opts_.log) {
    opts_.log(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void ServerImpl::Reject(tcp::socket socket) {
  struct Rejected {
    tcp::socket socket;
    std::string text;
  };
  auto r = std::make_shared<Rejected>(Rejected{std::move(socket), {}});
  Response resp = Response::Problem(503, "overloaded", "too many connections");
  resp.headers.emplace_back("Retry-After", "1");
  detail::SerializeHead(r->text, resp, resp.body->size(), true, opts_.server_name,
                        detail::HttpDate());
  r->text += *resp.body;
  asio::async_write(r->socket, asio::buffer(r->text), [r](beast::error_code, size_t) {
    beast::error_code ec;
    r->socket.shutdown(tcp::socket::shutdown_send, ec);
    r->socket.close(ec);
  });
}

void ServerImpl::Stop(int drain_ms) {
  {
    MutexLock lock(mu_);
    if (stop_started_) {
      return;
    }
    stop_started_ = true;
  }
  stopping_.store(true);
  if (acceptor_ && threads_.empty()) {  // Init failed before the threads started
    beast::error_code ec;
    acceptor_->close(ec);
  } else if (acceptor_) {
    std::promise<void> closed;
    asio::post(*contexts_[0], [&] {
      beast::error_code ec;
      acceptor_->close(ec);
      accept_pause_->cancel();
      closed.set_value();
    });
    closed.get_future().wait();
  }
  std::vector<std::shared_ptr<Connection>> live;
  {
    MutexLock lock(mu_);
    for (auto& [ptr, weak] : connections_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) {
    auto exec = s->executor();
    asio::post(exec, [s = std::move(s)] { s->BeginDrain(); });
  }
  live.clear();
  {
    MutexLock lock(mu_);
    drained_cv_.WaitFor(mu_, std::chrono::milliseconds(std::max(0, drain_ms)), [&] {
      mu_.AssertHeld();
      return connections_.empty();
    });
  }
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  MutexLock lock(mu_);
  stopped_ = true;
  stopped_cv_.SignalAll();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& opts, Handler handler,
                                              FastHandler fast) {
  auto s = std::make_unique<ServerImpl>(opts, std::move(handler), std::move(fast));
  FINEX_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace finex::http
