// Boost.Beast/Asio implementation of http::Server.
//
// Layout: one io_context per I/O thread; the acceptor lives on the first and
// hands each accepted socket to the next context round-robin, so a
// connection's handlers all run on one thread and need no strand. Beast's
// parser reads requests; responses are serialized by hand: a small header
// string plus a const_buffer over the shared body, which stays alive (held by
// the session) until the write completes — the body is never copied.
//
// Timeouts use a per-session steady_timer that cancels the socket's pending
// operation (so a 408 can still be written, unlike beast::tcp_stream whose
// expiry closes the socket). Phases: waiting for the first byte of a request
// (idle timeout; closes silently), reading the header block (header timeout →
// 408), reading the body and writing (idle timeout → close).
#include "finex/http/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>

#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/core/symbol.h"
#include "finex/http/conformance.h"
#include "finex/http/detail/request_builder.h"

namespace finex::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 431:
      return "Request Header Fields Too Large";
    case 429:
      return "Too Many Requests";
    case 422:
      return "Unprocessable Entity";
    case 418:
      return "I'm a teapot";
    default:
      break;
  }
  auto sv = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  if (sv.empty() || sv == "<unknown-status>") return "Unknown";
  return std::string_view(sv.data(), sv.size());
}

namespace {

// "Tue, 24 Nov 2026 05:56:26 GMT", cached per thread per second.
const std::string& HttpDate() {
  thread_local Timestamp cached_at = -1;
  thread_local std::string cached;
  const Timestamp now = SystemClock().Now();
  if (now != cached_at) {
    static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t days = DayOf(now);
    const CivilDate d = CivilFromDays(days);
    const int64_t sod = now - days * kSecondsPerDay;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays[WeekdayFromDays(days)], d.day, kMonths[d.month - 1], d.year,
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60));
    cached = buf;
    cached_at = now;
  }
  return cached;
}

bool HeaderNameReserved(std::string_view n) {
  switch (n.size()) {  // the reserved names' lengths: most fields are ruled out here
    case 4:
    case 6:
    case 10:
    case 12:
    case 14:
    case 17:
      break;
    default:
      return false;
  }
  auto eq = [&](std::string_view x) {
    return n.size() == x.size() && std::equal(n.begin(), n.end(), x.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  };
  return eq("content-length") || eq("content-type") || eq("date") || eq("server") ||
         eq("connection") || eq("transfer-encoding");
}

// Appends `r`'s fields (each line ending in CRLF), skipping reserved names
// and values carrying CR/LF (header injection guard).
void AppendFields(std::string& out, const Headers& headers) {
  for (const auto& [k, v] : headers) {
    if (HeaderNameReserved(k)) continue;
    if (k.find_first_of("\r\n:") != std::string::npos ||
        v.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
}

void AppendPrepared(std::string& out, const Response& r, size_t body_len) {
  if (!r.content_type.empty() && r.content_type.find_first_of("\r\n") == std::string::npos) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  char num[24];
  const auto res = std::to_chars(num, num + sizeof(num), body_len);
  out.append(num, res.ptr);
  out += "\r\n";
  AppendFields(out, r.headers);
}

// Serializes the head of `r` for a body of body_len bytes: status line,
// Server, Date, then the prepared fields (r.prepared_head, or content type,
// length and headers), then r.headers after a prepared head.
void SerializeHead(std::string& out, const Response& r, size_t body_len, bool close,
                   std::string_view server_name, std::string_view date) {
  out.clear();
  out.reserve(192 + (r.prepared_head ? r.prepared_head->size() : r.content_type.size()));
  out += "HTTP/1.1 ";
  char num[24];
  const auto res = std::to_chars(num, num + sizeof(num), r.status);
  out.append(num, res.ptr);
  out.push_back(' ');
  out += ReasonPhrase(r.status);
  out += "\r\nServer: ";
  out += server_name;
  out += "\r\nDate: ";
  out += date;
  out += "\r\n";
  if (r.prepared_head) {
    out += *r.prepared_head;
    AppendFields(out, r.headers);
  } else {
    AppendPrepared(out, r, body_len);
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
}

class ServerImpl;
using SteadyClock = std::chrono::steady_clock;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerImpl& server, tcp::socket socket);
  ~Session();
  void Start();
  // Runs on the session's thread: close if idle, else close after the current answer.
  void BeginDrain();
  asio::any_io_executor executor() { return socket_.get_executor(); }

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

  ServerImpl& server_;
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

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions opts, Handler handler, FastHandler fast)
      : opts_(std::move(opts)), handler_(std::move(handler)), fast_(std::move(fast)) {}
  ~ServerImpl() override {
    Stop(0);
    // Destroy sessions (held by pending handlers) while members are alive.
    acceptor_.reset();
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

  const ServerOptions& opts() const { return opts_; }
  const Handler& handler() const { return handler_; }
  const FastHandler& fast() const { return fast_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  void Register(Session* s, std::weak_ptr<Session> w) {
    MutexLock lock(mu_);
    sessions_.emplace(s, std::move(w));
  }
  void Unregister(Session* s) {
    MutexLock lock(mu_);
    sessions_.erase(s);
    active_.fetch_sub(1);
    if (sessions_.empty()) drained_cv_.SignalAll();
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
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_ FINEX_GUARDED_BY(mu_);

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------- Session

Session::Session(ServerImpl& server, tcp::socket socket)
    : server_(server), socket_(std::move(socket)), timer_(socket_.get_executor()) {
  beast::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_ =
        ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    remote_ += ":" + std::to_string(ep.port());
  }
  socket_.set_option(tcp::no_delay(true), ec);
}

Session::~Session() { server_.Unregister(this); }

void Session::Start() {
  server_.Register(this, weak_from_this());
  if (server_.stopping()) {
    Close();
    return;
  }
  WaitForRequest();
}

void Session::Arm(int ms) {
  deadline_ = SteadyClock::now() + std::chrono::milliseconds(ms);
  if (!timer_armed_ || deadline_ < timer_at_) ArmTimer(deadline_);
}

void Session::ArmTimer(SteadyClock::time_point at) {
  timer_armed_ = true;
  timer_at_ = at;
  const uint64_t gen = ++timer_gen_;
  timer_.expires_at(at);
  timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
    if (gen != self->timer_gen_) return;  // superseded by a re-arm (or Close)
    self->timer_armed_ = false;
    if (ec) return;
    self->OnTimer();
  });
}

void Session::OnTimer() {
  if (phase_ == Phase::kClosed || deadline_ == SteadyClock::time_point::max()) return;
  if (SteadyClock::now() >= deadline_) {
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  } else {
    ArmTimer(deadline_);
  }
}

void Session::WaitForRequest() {
  if (draining_) {
    Close();
    return;
  }
  parser_.emplace();
  header_armed_ = false;
  const ServerOptions& o = server_.opts();
  parser_->header_limit(static_cast<uint32_t>(detail::HeadLimit(o)));
  parser_->body_limit(o.max_body_bytes);
  if (buffer_.size() > 0) {  // pipelined bytes already here
    ReadHeader();
    return;
  }
  phase_ = Phase::kIdle;
  Arm(o.idle_timeout_ms);
  // A plain read (asio tries it speculatively before involving the reactor).
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            if (ec || self->timed_out_ || self->phase_ == Phase::kClosed) {
                              self->Close();
                              return;
                            }
                            self->ReadHeader();
                          });
}

void Session::ReadHeader() {
  phase_ = Phase::kHeader;
  const ServerOptions& o = server_.opts();
  // RFC 9112 §2.2: empty lines before the request line are ignored.
  for (;;) {
    auto d = buffer_.cdata();
    if (d.size() < 2 || std::memcmp(d.data(), "\r\n", 2) != 0) break;
    buffer_.consume(2);
  }
  auto data = buffer_.cdata();
  const std::string_view have(static_cast<const char*>(data.data()), data.size());
  const size_t end = detail::FindHeadEnd(have);
  const size_t limit = detail::HeadLimit(o);
  if (end != std::string_view::npos && end <= limit) {
    ParseHead(end);
    return;
  }
  if (have.size() > limit) {
    SendHeadError(detail::HeadTooLarge(have, o));
    return;
  }
  // Incomplete: the header timeout runs from the first byte of the head and
  // is not extended by further bytes, so a client dripping its head
  // (slowloris) is answered 408 after header_timeout_ms whatever it sends.
  if (!header_armed_) {
    header_armed_ = true;
    Arm(o.header_timeout_ms);
  }
  socket_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->buffer_.commit(n);
                            self->OnHeadBytes(ec);
                          });
}

void Session::OnHeadBytes(beast::error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (timed_out_) {
    timed_out_ = false;
    SendError(408, "request_timeout", "request headers not received in time");
    return;
  }
  if (ec) {  // EOF, reset or a cancelled read mid-head: nothing to answer
    Close();
    return;
  }
  ReadHeader();
}

void Session::ParseHead(size_t head_len) {
  const ServerOptions& o = server_.opts();
  auto data = buffer_.cdata();
  const std::string_view head(static_cast<const char*>(data.data()), head_len);
  if (auto err = CheckRequestHead(head)) {
    SendHeadError(*err);
    return;
  }
  beast::error_code ec;
  const size_t used = parser_->put(asio::buffer(head.data(), head.size()), ec);
  buffer_.consume(used);
  if (!ec && !parser_->is_header_done()) ec = bhttp::error::need_more;
  if (ec) {
    SendHeadError(detail::FromBeastError(ec, o));
    return;
  }
  if (auto err = detail::CheckParsedHead(*parser_, o)) {
    SendHeadError(*err);
    return;
  }
  if (parser_->is_done()) {
    Disarm();
    Dispatch();
    return;
  }
  // A body follows. Honour Expect: 100-continue.
  auto expect = parser_->get()[bhttp::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    beast::error_code wec;
    asio::write(socket_, asio::buffer(kContinue), wec);
    if (wec) {
      Close();
      return;
    }
  }
  ReadBody();
}

void Session::ReadBody() {
  phase_ = Phase::kBody;
  Arm(server_.opts().idle_timeout_ms);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (timed_out_) {
    timed_out_ = false;
    SendError(408, "request_timeout", "request body not received in time");
    return;
  }
  if (ec == bhttp::error::body_limit) {
    SendError(413, "body_too_large",
              "request body exceeds " + std::to_string(server_.opts().max_body_bytes) + " bytes");
    return;
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
    Close();
    return;
  }
  if (ec) {  // bad chunk framing (e.g. a chunk size overflowing 64 bits)
    SendHeadError(detail::FromBeastError(ec, server_.opts()));
    return;
  }
  Disarm();
  Dispatch();
}

void Session::Dispatch() {
  phase_ = Phase::kHandling;
  auto& msg = parser_->get();
  const bool keep_alive = msg.keep_alive();
  const bool head = msg.method() == bhttp::verb::head;
  if (server_.fast() && (head || msg.method() == bhttp::verb::get) && msg.body().empty() &&
      !msg.target().empty() && msg.target().front() == '/') {
    raw_fields_.clear();
    for (const auto& f : msg) {
      raw_fields_.emplace_back(std::string_view(f.name_string().data(), f.name_string().size()),
                               std::string_view(f.value().data(), f.value().size()));
    }
    RawRequest raw;
    raw.head = head;
    raw.method = "GET";
    raw.target = std::string_view(msg.target().data(), msg.target().size());
    raw.headers = raw_fields_;
    Response fast;
    bool answered = false;
    try {
      answered = server_.fast()(raw, fast);
    } catch (...) {
      answered = false;  // the Handler answers instead
    }
    if (answered) {
      Send(std::move(fast), head, !keep_alive);
      return;
    }
  }
  auto built = detail::BuildRequest(msg, remote_);
  if (auto* problem = std::get_if<Response>(&built)) {
    Send(std::move(*problem), head, !keep_alive);
    return;
  }
  const Request& req = std::get<Request>(built);
  Response resp;
  try {
    resp = server_.handler()(req);
  } catch (const std::exception& e) {
    resp = Response::Problem(500, "internal", "handler failed");
  } catch (...) {
    resp = Response::Problem(500, "internal", "handler failed");
  }
  Send(std::move(resp), req.head, !keep_alive);
}

void Session::SendError(int status, std::string_view code, std::string_view detail) {
  // After a transport error the stream position is unknown: always close.
  Send(Response::Problem(status, code, detail), false, true);
}

void Session::Send(Response r, bool head, bool close) {
  if (draining_ || server_.stopping()) close = true;
  close_after_write_ = close;
  body_ = std::move(r.body);
  const size_t len = body_ ? body_->size() : 0;
  SerializeHead(head_buf_, r, len, close, server_.opts().server_name, HttpDate());
  phase_ = Phase::kWriting;
  Arm(server_.opts().idle_timeout_ms);
  std::array<asio::const_buffer, 2> bufs = {
      asio::buffer(head_buf_),
      (head || len == 0) ? asio::const_buffer() : asio::const_buffer(body_->data(), len)};
  asio::async_write(socket_, bufs, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void Session::OnWrite(beast::error_code ec) {
  Disarm();
  body_.reset();
  if (ec || timed_out_ || close_after_write_) {
    Close();
    return;
  }
  WaitForRequest();
}

void Session::BeginDrain() {
  draining_ = true;
  if (phase_ == Phase::kIdle) Close();
}

void Session::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  ++timer_gen_;
  timer_armed_ = false;
  beast::error_code ec;
  timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

// ---------------------------------------------------------------- Server

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
        auto s = std::make_shared<Session>(*this, std::move(socket));
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
  SerializeHead(r->text, resp, resp.body->size(), true, opts_.server_name, HttpDate());
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
  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(mu_);
    for (auto& [ptr, weak] : sessions_) {
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
      return sessions_.empty();
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

std::string PrepareHead(const Response& r) {
  std::string out;
  AppendPrepared(out, r, r.body ? r.body->size() : 0);
  return out;
}

std::string SerializeHeadForTest(const Response& r, std::string_view server_name,
                                 std::string_view date, bool close) {
  std::string out;
  SerializeHead(out, r, r.body ? r.body->size() : 0, close, server_name, date);
  return out;
}

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& opts, Handler handler,
                                              FastHandler fast) {
  auto s = std::make_unique<ServerImpl>(opts, std::move(handler), std::move(fast));
  FINEX_RETURN_IF_ERROR(s->Init());
  return std::unique_ptr<Server>(std::move(s));
}

}  // namespace finex::http
