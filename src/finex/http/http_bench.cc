// HTTP server throughput over loopback: one I/O thread, a 200-byte shared
// body, keep-alive, requests pipelined in batches of 16 by a raw-socket
// client on the benchmark thread (so client and server share the machine).
#include <benchmark/benchmark.h>

#include <boost/asio.hpp>
#include <memory>
#include <string>

#include "finex/http/server.h"

namespace finex::http {
namespace {

void BM_HttpKeepAlivePipelined(benchmark::State& state) {
  auto body = std::make_shared<const std::string>(std::string(200, 'x'));
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.threads = 1;
  auto server = Server::Start(o, [body](const Request&) {
    Response r;
    r.body = body;
    return r;
  });
  if (!server.ok()) {
    state.SkipWithError(server.status().ToString().c_str());
    return;
  }
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), (*server)->port()});
  sock.set_option(boost::asio::ip::tcp::no_delay(true));
  const std::string one = "GET /v1/quote?symbols=AAPL HTTP/1.1\r\nHost: x\r\n\r\n";
  const int depth = static_cast<int>(state.range(0));
  std::string batch;
  for (int i = 0; i < depth; ++i) batch += one;
  // Learn the response size (constant: fixed body, fixed-width Date).
  boost::asio::write(sock, boost::asio::buffer(one));
  std::string buf(1 << 16, '\0');
  size_t got = 0, resp_len = 0;
  while (resp_len == 0) {
    got += sock.read_some(boost::asio::buffer(buf.data() + got, buf.size() - got));
    std::string_view v(buf.data(), got);
    if (auto h = v.find("\r\n\r\n"); h != std::string_view::npos && got >= h + 4 + body->size()) {
      resp_len = h + 4 + body->size();
    }
  }
  for (auto _ : state) {
    boost::asio::write(sock, boost::asio::buffer(batch));
    size_t need = resp_len * static_cast<size_t>(depth), have = 0;
    while (have < need) have += sock.read_some(boost::asio::buffer(buf.data(), buf.size()));
  }
  state.SetItemsProcessed(state.iterations() * depth);
  (*server)->Stop(100);
}
BENCHMARK(BM_HttpKeepAlivePipelined)->Arg(1)->Arg(16)->UseRealTime();

}  // namespace
}  // namespace finex::http
