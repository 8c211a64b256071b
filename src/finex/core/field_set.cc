#include "finex/core/field_set.h"

#include "finex/core/symbol.h"

namespace finex {

Result<FieldSet> FieldSet::Parse(std::string_view text) {
  uint8_t bits = 0;
  if (text.empty()) return InvalidArgumentError("fields is empty").WithParam("fields");
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t sep = text.find_first_of(",+", pos);
    if (sep == std::string_view::npos) sep = text.size();
    std::string_view item = text.substr(pos, sep - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    uint8_t b = 0;
    if (item == "ohlcv")
      b = kOhlcv;
    else if (item == "adj_close")
      b = kAdjClose;
    else if (item == "market_cap")
      b = kMarketCap;
    else {
      return InvalidArgumentError("field '" + Printable(item, 32) +
                                  "' is not one of ohlcv, adj_close, market_cap")
          .WithParam("fields");
    }
    if (bits & b) {
      return InvalidArgumentError("field '" + std::string(item) + "' is listed twice")
          .WithParam("fields");
    }
    bits |= b;
    pos = sep + 1;
  }
  return FieldSet(bits);
}

std::string FieldSet::Name() const {
  std::string out;
  auto add = [&](const char* n) {
    if (!out.empty()) out += '+';
    out += n;
  };
  if (Has(kOhlcv)) add("ohlcv");
  if (Has(kAdjClose)) add("adj_close");
  if (Has(kMarketCap)) add("market_cap");
  return out;
}

}  // namespace finex
