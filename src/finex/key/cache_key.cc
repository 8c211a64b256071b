#include "finex/key/cache_key.h"

#include <charconv>

#include "finex/core/symbol.h"
#include "finex/key/detail/parts.h"

namespace finex::key {
namespace {

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, p);
}

// ---- version 1 -------------------------------------------------------------
// finex:{symbol}:{interval}:{start}:{end}:{provider}:{currency}:{fields}_v1

void EncodeV1(const CacheKey& k, std::string* out) {
  const std::string_view iv = IntervalName(k.interval);
  const std::string fields = detail::FieldsPartV1(k.fields);
  out->reserve(kKeyPrefix.size() + k.symbol.size() + iv.size() + 2 * 21 + k.provider.size() +
               k.currency.size() + fields.size() + 12);
  out->append(kKeyPrefix);
  out->append(k.symbol);
  out->push_back(':');
  out->append(iv);
  out->push_back(':');
  AppendInt(out, k.start_ts);
  out->push_back(':');
  AppendInt(out, k.end_ts);
  out->push_back(':');
  out->append(k.provider);
  out->push_back(':');
  out->append(k.currency);
  out->push_back(':');
  out->append(fields);
  out->append("_v1");
}

// `parts` are the 7 parts after "finex:"; the last one's fields part is given.
Result<CacheKey> DecodeV1(const std::vector<std::string_view>& parts,
                          std::string_view fields_part) {
  CacheKey k;
  k.version = 1;
  FINEX_RETURN_IF_ERROR(detail::CheckSymbolPart(parts[0]));
  k.symbol = std::string(parts[0]);
  FINEX_ASSIGN_OR_RETURN(k.interval, detail::ParseIntervalPart(parts[1]));
  FINEX_ASSIGN_OR_RETURN(k.start_ts, detail::ParseTimestampPart(parts[2], "start"));
  FINEX_ASSIGN_OR_RETURN(k.end_ts, detail::ParseTimestampPart(parts[3], "end"));
  if (k.start_ts > k.end_ts) {
    return InvalidArgumentError("start " + std::string(parts[2]) + " is after end " +
                                std::string(parts[3]))
        .WithParam("start");
  }
  FINEX_RETURN_IF_ERROR(detail::CheckProviderPart(parts[4]));
  k.provider = std::string(parts[4]);
  FINEX_RETURN_IF_ERROR(detail::CheckCurrencyPart(parts[5]));
  k.currency = std::string(parts[5]);
  FINEX_ASSIGN_OR_RETURN(k.fields, detail::ParseFieldsPartV1(fields_part));
  return k;
}

// The decoder for each supported version. Older versions stay here after the
// format moves on so their keys keep decoding.
struct VersionCodec {
  int version;
  size_t parts;  // parts after "finex:"
  void (*encode)(const CacheKey&, std::string*);
  Result<CacheKey> (*decode)(const std::vector<std::string_view>&, std::string_view);
};
constexpr VersionCodec kCodecs[] = {{1, 7, &EncodeV1, &DecodeV1}};

const VersionCodec* FindCodec(int version) {
  for (const VersionCodec& c : kCodecs)
    if (c.version == version) return &c;
  return nullptr;
}

Status BadKey(std::string_view text, const Status& why) {
  return InvalidArgumentError("key '" + Printable(text, 200) + "': " + why.message())
      .WithParam("key");
}
Status BadKey(std::string_view text, std::string_view why) {
  return InvalidArgumentError("key '" + Printable(text, 200) + "': " + std::string(why))
      .WithParam("key");
}

}  // namespace

Status ValidateProviderName(std::string_view provider) {
  return detail::CheckProviderPart(provider);
}
Status ValidateCurrencyCode(std::string_view currency) {
  return detail::CheckCurrencyPart(currency);
}

Status CacheKey::Validate() const {
  if (!FindCodec(version)) {
    return InvalidArgumentError("key version " + std::to_string(version) +
                                " is not supported (this build writes v" +
                                std::to_string(kCurrentKeyVersion) + ")")
        .WithParam("version");
  }
  FINEX_RETURN_IF_ERROR(ValidateSymbol(symbol));
  if (static_cast<uint8_t>(interval) > static_cast<uint8_t>(Interval::k1mo)) {
    return InvalidArgumentError("interval value is out of range").WithParam("interval");
  }
  if (start_ts < kMinKeyTimestamp || start_ts > kMaxKeyTimestamp) {
    return InvalidArgumentError("start " + std::to_string(start_ts) +
                                " is outside years 0001..9999")
        .WithParam("start");
  }
  if (end_ts < kMinKeyTimestamp || end_ts > kMaxKeyTimestamp) {
    return InvalidArgumentError("end " + std::to_string(end_ts) + " is outside years 0001..9999")
        .WithParam("end");
  }
  if (start_ts > end_ts) {
    return InvalidArgumentError("start " + FormatIsoUtc(start_ts) + " is after end " +
                                FormatIsoUtc(end_ts))
        .WithParam("start");
  }
  FINEX_RETURN_IF_ERROR(detail::CheckProviderPart(provider));
  FINEX_RETURN_IF_ERROR(detail::CheckCurrencyPart(currency));
  return OkStatus();
}

Result<std::string> CacheKey::Encode() const {
  FINEX_RETURN_IF_ERROR(Validate());
  std::string out;
  FindCodec(version)->encode(*this, &out);
  return out;
}

Result<CacheKey> CacheKey::Parse(std::string_view text) {
  if (text.empty()) return BadKey(text, "is empty");
  if (text.size() > kMaxKeyLength) return BadKey(text, "is longer than 512 bytes");
  if (text.substr(0, kKeyPrefix.size()) != kKeyPrefix)
    return BadKey(text, "does not start with 'finex:'");
  const std::vector<std::string_view> parts = detail::SplitParts(text.substr(kKeyPrefix.size()));
  auto fv = detail::SplitFieldsVersion(parts.back());
  if (!fv.ok()) return BadKey(text, fv.status());
  const VersionCodec* codec = FindCodec(fv->version);
  if (!codec) {
    return BadKey(text, "version v" + std::to_string(fv->version) +
                            " is not supported (this build reads v1)");
  }
  if (parts.size() != codec->parts) {
    return BadKey(text, "has " + std::to_string(parts.size()) + " parts after 'finex:', v" +
                            std::to_string(codec->version) + " keys have " +
                            std::to_string(codec->parts));
  }
  auto k = codec->decode(parts, fv->fields);
  if (!k.ok()) return BadKey(text, k.status());
  return k;
}

Result<std::string> SymbolPrefix(std::string_view symbol) {
  FINEX_RETURN_IF_ERROR(ValidateSymbol(symbol));
  std::string out(kKeyPrefix);
  out.append(symbol);
  out.push_back(':');
  return out;
}

Result<std::string> SeriesPrefix(std::string_view symbol, Interval interval) {
  FINEX_ASSIGN_OR_RETURN(std::string out, SymbolPrefix(symbol));
  out.append(IntervalName(interval));
  out.push_back(':');
  return out;
}

}  // namespace finex::key
