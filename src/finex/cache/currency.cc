#include "finex/cache/currency.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "finex/core/time.h"

namespace finex::cache {
namespace {

// Minor-unit codes finex stores (provider/detail/common.h NormalizeCurrency)
// and the major each is a hundredth of.
struct Minor {
  std::string_view code, major;
};
constexpr Minor kMinors[] = {{"gbx", "gbp"}, {"zac", "zar"}, {"ila", "ils"}};

bool IsCode(std::string_view c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) {
           return std::isalpha(static_cast<unsigned char>(ch)) != 0;
         });
}

// (major, factor to the major): "gbx" → ("gbp", 0.01), "usd" → ("usd", 1).
std::pair<std::string, double> Major(std::string_view code) {
  for (const Minor& m : kMinors)
    if (code == m.code) return {std::string(m.major), 0.01};
  return {std::string(code), 1.0};
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<FxRoute> FxRouteFor(std::string_view from, std::string_view to) {
  for (std::string_view c : {from, to})
    if (!IsCode(c))
      return InvalidArgumentError("currency '" + std::string(c) +
                                  "' is not a three-letter ISO 4217 code")
          .WithParam("currency");
  auto [from_major, from_factor] = Major(from);
  auto [to_major, to_factor] = Major(to);
  FxRoute r;
  r.scale = from_factor / to_factor;
  r.major_from = from_major;
  r.major_to = to_major;
  if (from_major != to_major) r.fx_symbol = Upper(from_major) + Upper(to_major) + "=X";
  return r;
}

Result<FramePtr> ConvertFrame(const Frame& native, std::string_view from, std::string_view to,
                              const FxRoute& route, const Frame* fx, Interval interval,
                              Timestamp max_gap_s) {
  const size_t n = native.rows();
  const bool use_fx = !route.fx_symbol.empty();
  if (use_fx && fx == nullptr)
    return InvalidArgumentError("converting " + std::string(from) + " to " + std::string(to) +
                                " needs the rates of " + route.fx_symbol);
  // The FX closes, in timestamp order (a valid close only).
  std::vector<std::pair<Timestamp, double>> rates;
  if (use_fx) {
    const auto ts = fx->timestamps().values();
    const DoubleColumn& close = fx->close();
    rates.reserve(fx->rows());
    for (size_t i = 0; i < fx->rows(); ++i)
      if (close.IsValid(i) && close[i] > 0) rates.emplace_back(ts[i], close[i]);
    std::sort(rates.begin(), rates.end());
  }
  FrameBuilder b(native.fields());
  b.Reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Bar bar = native.row(i);
    if (bar.currency != from) {  // another currency's rows: another pass converts them
      b.Add(bar);
      continue;
    }
    double factor = route.scale;
    if (use_fx) {
      // The last FX bar that opened inside this bar's span, else the latest
      // before it.
      const Timestamp span_end = NextBar(bar.timestamp, interval);
      auto it = std::lower_bound(rates.begin(), rates.end(), std::make_pair(span_end, 0.0));
      if (it == rates.begin() || std::prev(it)->first < bar.timestamp - max_gap_s)
        return OutOfRangeError(
                   "no " + std::string(from) + "→" + std::string(to) + " rate (" + route.fx_symbol +
                   ") for " + bar.symbol + "'s bar of " + FormatIsoUtc(bar.timestamp) +
                   (rates.empty() ? std::string()
                                  : "; the rates cached cover " + FormatDate(rates.front().first) +
                                        " to " + FormatDate(rates.back().first)))
            .WithParam("currency");
      factor *= std::prev(it)->second;
    }
    for (std::optional<double>* v :
         {&bar.open, &bar.high, &bar.low, &bar.close, &bar.adj_close, &bar.market_cap})
      if (v->has_value()) **v *= factor;
    bar.currency = std::string(to);
    b.Add(bar);
  }
  return std::move(b).Finish();
}

}  // namespace finex::cache
