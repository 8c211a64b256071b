// libFuzzer target: query-parameter and time parsing (fuzz/run.sh).
//
// The input is a query string ("symbols=AAPL&start=2024-01-02&..."): it is
// split and percent-decoded as the server does (http::ParseQuery), then read
// by every route's parameter parser (server/params.h); each parameter value
// is also given to the time, period and interval parsers. Accepted
// parameters must respect the limits they were parsed under.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "finex/core/interval.h"
#include "finex/core/time.h"
#include "finex/http/server.h"
#include "finex/server/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace server = finex::server;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const finex::Timestamp now = 1767225600;  // 2026-01-01, fixed: runs are reproducible
  auto query = finex::http::ParseQuery(in);
  if (!query.ok()) return 0;
  server::ParamLimits limits;
  limits.max_symbols = 20;
  limits.max_rows = 100000;
  if (auto h = server::ParseHistoryParams(*query, limits, now); h.ok()) {
    if (h->symbols.empty() || h->symbols.size() > limits.max_symbols) std::abort();
    if (h->estimated_rows > limits.max_rows) std::abort();
    (void)h->Key();
  }
  if (auto q = server::ParseQuoteParams(*query, limits); q.ok()) {
    if (q->symbols.empty() || q->symbols.size() > limits.max_symbols) std::abort();
    (void)q->Key();
  }
  if (auto s = server::ParseSearchParams(*query, limits); s.ok()) {
    if (s->q.size() > limits.max_search_chars * 4) std::abort();  // chars, UTF-8 bytes
    (void)s->Key();
  }
  for (const auto& [k, v] : *query) {
    auto a = finex::ParseTime(v, finex::TimeBound::kStart);
    auto b = finex::ParseTime(v, finex::TimeBound::kEnd);
    if (a.ok() != b.ok() || (a.ok() && *a > *b)) std::abort();  // a day's start <= its end
    (void)finex::ResolvePeriodStart(v, now);
    (void)finex::ParseInterval(v);
  }
  return 0;
}
