// Connection: one accepted HTTP/1.1 connection's state machine — reading
// and checking a request head (conformance.h), reading its body, answering
// through the owner's FastHandler or Handler, writing the answer, and the
// timeouts of each phase:
//   idle    waiting for the first byte of a request (idle timeout: close silently)
//   header  reading the header block (header timeout, from its first byte: 408)
//   body    reading the body (idle timeout: 408 and close)
//   writing the answer (idle timeout: close)
// The timer is one steady_timer that cancels the socket's pending operation,
// so a 408 can still be written (beast::tcp_stream's expiry would close it).
//
// Thread-safety: a Connection runs on one io_context thread (its socket's
// executor); BeginDrain() and everything else must be called there. Ownership:
// shared_ptr, kept alive by its pending handlers; it borrows its owner, which
// must outlive it (http::Server's implementation waits for every connection
// before it goes).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/http/conformance.h"
#include "finex/http/server.h"

namespace finex::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Connection;

// What a connection needs from the server that accepted it; it must outlive
// every connection it registered.
// Thread-safety: every method may be called from any I/O thread.
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual const ServerOptions& opts() const = 0;
  virtual const Handler& handler() const = 0;
  virtual const FastHandler& fast() const = 0;  // may be empty
  // True once the server began to stop: answers then close their connection.
  virtual bool stopping() const = 0;
  // A connection announces itself when it starts (so Stop can drain it) and
  // leaves from its destructor.
  virtual void Register(Connection* c, std::weak_ptr<Connection> w) = 0;
  virtual void Unregister(Connection* c) = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // REQUIRES: `socket` is open and bound to the io_context the connection runs on.
  Connection(ConnectionOwner& owner, tcp::socket socket);
  ~Connection();  // leaves the owner (Unregister)
  // Registers with the owner and waits for the first request (closes at once
  // when the owner is stopping). Call on the connection's thread, once.
  void Start();
  // Runs on the connection's thread: close if idle, else close after the current answer.
  void BeginDrain();
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kClosed };

  void WaitForRequest();
  // Reads until the request head is complete (bounded by HeadLimit, under
  // the header timeout), then checks it (conformance.h) and parses it.
  void ReadHeader();
  void OnHeadBytes(beast::error_code ec);
  void ParseHead(size_t head_len);
  void SendHeadError(const HeadError& e) { SendError(e.status, e.code, e.detail); }
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch();
  void SendError(int status, std::string_view code, std::string_view detail);
  void Send(Response r, bool head, bool close);
  void OnWrite(beast::error_code ec);
  void Close();
  // Deadlines are lazy: setting one is a store; the timer is re-armed only
  // when the new deadline is earlier than the pending expiry, and a timer
  // that fires before the (extended) deadline re-arms itself. This keeps
  // timer syscalls off the per-request path.
  void Arm(int ms);
  void Disarm() { deadline_ = SteadyClock::time_point::max(); }
  void ArmTimer(SteadyClock::time_point at);
  void OnTimer();

  ConnectionOwner& owner_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;
  bool timer_armed_ = false;
  SteadyClock::time_point timer_at_{};
  SteadyClock::time_point deadline_ = SteadyClock::time_point::max();
  bool timed_out_ = false;
  bool header_armed_ = false;  // the header timeout runs for this request
  bool draining_ = false;
  bool close_after_write_ = false;
  Phase phase_ = Phase::kIdle;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  // Kept alive during the write.
  std::string head_buf_;
  std::shared_ptr<const std::string> body_;
  // The fast path's view of the header fields (reused across requests).
  std::vector<std::pair<std::string_view, std::string_view>> raw_fields_;
};

}  // namespace finex::http::detail
