// libFuzzer target: the HTTP request path up to the handler (fuzz/run.sh).
//
// The input is raw bytes as a client would send them on one connection. They
// go through exactly what a Session does (RFC 9112 head checks, Beast
// framing under the size limits, target/query/path decoding) — pipelined
// requests one after another — and every outcome must be a Request or a
// problem answer: no crash, hang or unbounded allocation, and a Request must
// be well-formed (origin-form target, consumed bytes within the input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "finex/http/conformance.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using finex::http::ParseRequestBytes;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  finex::http::ServerOptions opts;
  opts.max_url_bytes = 512;
  opts.max_header_bytes = 1024;
  opts.max_body_bytes = 2048;
  (void)finex::http::CheckRequestHead(in);
  for (int i = 0; i < 8 && !in.empty(); ++i) {  // a pipeline
    auto p = ParseRequestBytes(in, opts);
    if (p.request.has_value() == p.error.has_value()) std::abort();
    if (p.error) {
      const int s = p.error->status;
      if (s < 400 || s > 599 || !p.error->body) std::abort();
      break;
    }
    const auto& r = *p.request;
    if (r.target.empty() || r.target.front() != '/') std::abort();
    if (r.body.size() > opts.max_body_bytes) std::abort();
    if (p.consumed == 0 || p.consumed > in.size()) std::abort();
    if (!p.keep_alive) break;
    in.remove_prefix(p.consumed);
  }
  return 0;
}
