// libFuzzer target: the POST /v1/cache/warm JSON body (fuzz/run.sh).
//
// An accepted body must respect the documented bounds (server/params.h
// ParseWarmBody: at most max_symbols symbols, 8 intervals, 32 ranges, each
// range start <= end).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "finex/server/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  finex::server::ParamLimits limits;
  limits.max_symbols = 20;
  auto w = finex::server::ParseWarmBody(in, limits);
  if (!w.ok()) return 0;
  if (w->symbols.empty() || w->symbols.size() > limits.max_symbols) std::abort();
  if (w->intervals.size() > 8 || w->ranges.size() > 32) std::abort();
  for (const auto& [s, e] : w->ranges) {
    if (s > e) std::abort();
  }
  return 0;
}
