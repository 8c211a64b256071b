#include "finex/cache/request.h"

#include <cctype>
#include <unordered_set>

#include "finex/core/symbol.h"
#include "finex/key/cache_key.h"

namespace finex::cache {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status ValidateSymbols(std::span<const std::string> symbols, size_t max_symbols) {
  if (symbols.empty()) return InvalidArgumentError("no symbols given").WithParam("symbols");
  if (symbols.size() > max_symbols)
    return InvalidArgumentError("too many symbols: " + std::to_string(symbols.size()) + " > " +
                                std::to_string(max_symbols))
        .WithParam("symbols");
  std::unordered_set<std::string_view> seen;
  for (const std::string& s : symbols) {
    FINEX_RETURN_IF_ERROR(ValidateSymbol(s));
    if (!seen.insert(s).second)
      return InvalidArgumentError("symbol '" + s + "' is given twice").WithParam("symbols");
  }
  return OkStatus();
}

Result<HistoryQuery> ResolveHistory(std::span<const std::string> symbols,
                                    const HistoryOptions& opts, Timestamp now, size_t max_symbols,
                                    const ProviderRoster& providers) {
  FINEX_RETURN_IF_ERROR(ValidateSymbols(symbols, max_symbols));
  HistoryQuery q;
  q.symbols.assign(symbols.begin(), symbols.end());
  q.interval = opts.interval;
  q.gate = opts.gate;
  if (static_cast<uint8_t>(opts.interval) > static_cast<uint8_t>(Interval::k1mo))
    return InvalidArgumentError("interval is not one of 1m 5m 15m 30m 1h 1d 1w 1mo")
        .WithParam("interval");
  if (opts.fields.empty())
    return InvalidArgumentError("fields must not be empty").WithParam("fields");
  q.fields = opts.fields;
  if (!opts.period.empty() && opts.start)
    return InvalidArgumentError("give either period or start, not both").WithParam("period");
  q.end = opts.end.value_or(now);
  if (opts.start) {
    q.start = *opts.start;
  } else if (!opts.period.empty()) {
    auto s = ResolvePeriodStart(opts.period, q.end);
    if (!s.ok()) return s.status().WithParam("period");
    q.start = *s;
  } else {
    q.start = q.end - 365 * kSecondsPerDay;
  }
  if (q.start < key::kMinKeyTimestamp || q.end > key::kMaxKeyTimestamp)
    return InvalidArgumentError("start/end must lie in years 0001..9999").WithParam("start");
  FINEX_ASSIGN_OR_RETURN(q.range, TimeRange::FromInclusive(q.start, q.end));
  FINEX_RETURN_IF_ERROR(providers.Validate(opts.provider));
  q.provider = opts.provider;
  q.currency = Lower(opts.currency);
  if (!q.currency.empty()) FINEX_RETURN_IF_ERROR(key::ValidateCurrencyCode(q.currency));
  return q;
}

Result<std::string_view> NormalizeSearchQuery(std::string_view qv) {
  while (!qv.empty() && qv.front() == ' ') qv.remove_prefix(1);
  while (!qv.empty() && qv.back() == ' ') qv.remove_suffix(1);
  if (qv.empty()) return InvalidArgumentError("search query is empty").WithParam("q");
  if (qv.size() > 100)
    return InvalidArgumentError("search query is longer than 100 characters").WithParam("q");
  for (char c : qv)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return InvalidArgumentError("search query holds control characters").WithParam("q");
  return qv;
}

}  // namespace finex::cache
