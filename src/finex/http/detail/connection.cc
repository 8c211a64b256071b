#include "finex/http/detail/connection.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <variant>

#include "finex/http/detail/head_writer.h"
#include "finex/http/detail/request_builder.h"

namespace finex::http::detail {

Connection::Connection(ConnectionOwner& owner, tcp::socket socket)
    : owner_(owner), socket_(std::move(socket)), timer_(socket_.get_executor()) {
  beast::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_ =
        ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
    remote_ += ":" + std::to_string(ep.port());
  }
  socket_.set_option(tcp::no_delay(true), ec);
}

Connection::~Connection() { owner_.Unregister(this); }

void Connection::Start() {
  owner_.Register(this, weak_from_this());
  if (owner_.stopping()) {
    Close();
    return;
  }
  WaitForRequest();
}

void Connection::Arm(int ms) {
  deadline_ = SteadyClock::now() + std::chrono::milliseconds(ms);
  if (!timer_armed_ || deadline_ < timer_at_) ArmTimer(deadline_);
}

void Connection::ArmTimer(SteadyClock::time_point at) {
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

void Connection::OnTimer() {
  if (phase_ == Phase::kClosed || deadline_ == SteadyClock::time_point::max()) return;
  if (SteadyClock::now() >= deadline_) {
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  } else {
    ArmTimer(deadline_);
  }
}

void Connection::WaitForRequest() {
  if (draining_) {
    Close();
    return;
  }
  parser_.emplace();
  header_armed_ = false;
  const ServerOptions& o = owner_.opts();
  parser_->header_limit(static_cast<uint32_t>(HeadLimit(o)));
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

void Connection::ReadHeader() {
  phase_ = Phase::kHeader;
  const ServerOptions& o = owner_.opts();
  // RFC 9112 §2.2: empty lines before the request line are ignored.
  for (;;) {
    auto d = buffer_.cdata();
    if (d.size() < 2 || std::memcmp(d.data(), "\r\n", 2) != 0) break;
    buffer_.consume(2);
  }
  auto data = buffer_.cdata();
  const std::string_view have(static_cast<const char*>(data.data()), data.size());
  const size_t end = FindHeadEnd(have);
  const size_t limit = HeadLimit(o);
  if (end != std::string_view::npos && end <= limit) {
    ParseHead(end);
    return;
  }
  if (have.size() > limit) {
    SendHeadError(HeadTooLarge(have, o));
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

void Connection::OnHeadBytes(beast::error_code ec) {
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

void Connection::ParseHead(size_t head_len) {
  const ServerOptions& o = owner_.opts();
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
    SendHeadError(FromBeastError(ec, o));
    return;
  }
  if (auto err = CheckParsedHead(*parser_, o)) {
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

void Connection::ReadBody() {
  phase_ = Phase::kBody;
  Arm(owner_.opts().idle_timeout_ms);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (phase_ == Phase::kClosed) return;
  if (timed_out_) {
    timed_out_ = false;
    SendError(408, "request_timeout", "request body not received in time");
    return;
  }
  if (ec == bhttp::error::body_limit) {
    SendError(413, "body_too_large",
              "request body exceeds " + std::to_string(owner_.opts().max_body_bytes) + " bytes");
    return;
  }
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
    Close();
    return;
  }
  if (ec) {  // bad chunk framing (e.g. a chunk size overflowing 64 bits)
    SendHeadError(FromBeastError(ec, owner_.opts()));
    return;
  }
  Disarm();
  Dispatch();
}

void Connection::Dispatch() {
  phase_ = Phase::kHandling;
  auto& msg = parser_->get();
  const bool keep_alive = msg.keep_alive();
  const bool head = msg.method() == bhttp::verb::head;
  if (owner_.fast() && (head || msg.method() == bhttp::verb::get) && msg.body().empty() &&
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
      answered = owner_.fast()(raw, fast);
    } catch (...) {
      answered = false;  // the Handler answers instead
    }
    if (answered) {
      Send(std::move(fast), head, !keep_alive);
      return;
    }
  }
  auto built = BuildRequest(msg, remote_);
  if (auto* problem = std::get_if<Response>(&built)) {
    Send(std::move(*problem), head, !keep_alive);
    return;
  }
  const Request& req = std::get<Request>(built);
  Response resp;
  try {
    resp = owner_.handler()(req);
  } catch (const std::exception& e) {
    resp = Response::Problem(500, "internal", "handler failed");
  } catch (...) {
    resp = Response::Problem(500, "internal", "handler failed");
  }
  Send(std::move(resp), req.head, !keep_alive);
}

void Connection::SendError(int status, std::string_view code, std::string_view detail) {
  // After a transport error the stream position is unknown: always close.
  Send(Response::Problem(status, code, detail), false, true);
}

void Connection::Send(Response r, bool head, bool close) {
  if (draining_ || owner_.stopping()) close = true;
  close_after_write_ = close;
  body_ = std::move(r.body);
  const size_t len = body_ ? body_->size() : 0;
  SerializeHead(head_buf_, r, len, close, owner_.opts().server_name, HttpDate());
  phase_ = Phase::kWriting;
  Arm(owner_.opts().idle_timeout_ms);
  std::array<asio::const_buffer, 2> bufs = {
      asio::buffer(head_buf_),
      (head || len == 0) ? asio::const_buffer() : asio::const_buffer(body_->data(), len)};
  asio::async_write(socket_, bufs, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void Connection::OnWrite(beast::error_code ec) {
  Disarm();
  body_.reset();
  if (ec || timed_out_ || close_after_write_) {
    Close();
    return;
  }
  WaitForRequest();
}

void Connection::BeginDrain() {
  draining_ = true;
  if (phase_ == Phase::kIdle) Close();
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  ++timer_gen_;
  timer_armed_ = false;
  beast::error_code ec;
  timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

}  // namespace finex::http::detail
