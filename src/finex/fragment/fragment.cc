#include "finex/fragment/fragment.h"

#include <charconv>

namespace finex::fragment {

namespace {

constexpr std::string_view kMetaVersion = "finex.fragment_version";
constexpr std::string_view kMetaVouchedStart = "finex.vouched_start";
constexpr std::string_view kMetaVouchedEnd = "finex.vouched_end";
constexpr std::string_view kMetaFetchedAt = "finex.fetched_at";
constexpr std::string_view kMetaExpiresAt = "finex.expires_at";
constexpr std::string_view kMetaFinal = "finex.final";
constexpr std::string_view kMetaRows = "finex.rows";

const std::string* Find(const Metadata& md, std::string_view k) {
  for (const auto& [key, value] : md)
    if (key == k) return &value;
  return nullptr;
}

Result<int64_t> ReadInt(const Metadata& md, std::string_view k) {
  const std::string* v = Find(md, k);
  if (!v) return DataLossError("fragment metadata lacks '" + std::string(k) + "'");
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || v->empty())
    return DataLossError("fragment metadata '" + std::string(k) + "' is not an integer");
  return out;
}

}  // namespace

Result<Fragment> FragmentFromKey(std::string_view text, Timestamp assume_expires_at) {
  auto parsed = key::CacheKey::Parse(text);
  if (!parsed.ok()) return parsed.status();
  Fragment f;
  f.key = std::string(text);
  f.parsed = std::move(parsed).value();
  if (f.parsed.is_empty_answer()) {
    f.actual = TimeRange{};
    f.vouched = {f.parsed.start_ts, f.parsed.end_ts + 1};
  } else {
    f.actual = {f.parsed.start_ts, NextBar(f.parsed.end_ts, f.parsed.interval)};
    f.vouched = f.actual;
  }
  f.expires_at = assume_expires_at;
  return f;
}

Result<std::string> MakeFragmentKey(std::string_view symbol, Interval iv, Timestamp first_bar,
                                    Timestamp last_bar, std::string_view provider,
                                    std::string_view currency, FieldSet fields) {
  key::CacheKey k;
  k.symbol = std::string(symbol);
  k.interval = iv;
  k.start_ts = first_bar;
  k.end_ts = last_bar;
  k.provider = std::string(provider);
  k.currency = currency.empty() ? std::string(kUnknownCurrency) : std::string(currency);
  k.fields = fields;
  return k.Encode();
}

Metadata ToMetadata(const Fragment& f) {
  return {
      {std::string(kMetaVersion), std::to_string(kFragmentMetadataVersion)},
      {std::string(kMetaVouchedStart), std::to_string(f.vouched.start)},
      {std::string(kMetaVouchedEnd), std::to_string(f.vouched.end)},
      {std::string(kMetaFetchedAt), std::to_string(f.fetched_at)},
      {std::string(kMetaExpiresAt), std::to_string(f.expires_at)},
      {std::string(kMetaFinal), f.final ? "1" : "0"},
      {std::string(kMetaRows), std::to_string(f.rows)},
  };
}

Status ApplyMetadata(const Metadata& md, Fragment* f) {
  FINEX_ASSIGN_OR_RETURN(int64_t version, ReadInt(md, kMetaVersion));
  if (version < 1 || version > kFragmentMetadataVersion)
    return DataLossError("fragment metadata version " + std::to_string(version) +
                         " is not supported");
  FINEX_ASSIGN_OR_RETURN(int64_t vs, ReadInt(md, kMetaVouchedStart));
  FINEX_ASSIGN_OR_RETURN(int64_t ve, ReadInt(md, kMetaVouchedEnd));
  FINEX_ASSIGN_OR_RETURN(int64_t fetched, ReadInt(md, kMetaFetchedAt));
  FINEX_ASSIGN_OR_RETURN(int64_t expires, ReadInt(md, kMetaExpiresAt));
  FINEX_ASSIGN_OR_RETURN(int64_t fin, ReadInt(md, kMetaFinal));
  FINEX_ASSIGN_OR_RETURN(int64_t rows, ReadInt(md, kMetaRows));
  const TimeRange vouched{vs, ve};
  if (vouched.empty()) return DataLossError("fragment metadata has an empty vouched range");
  if (!f->actual.empty() && !vouched.Contains(f->actual))
    return DataLossError("fragment vouched range " + vouched.ToString() +
                         " does not contain its actual range " + f->actual.ToString());
  if (rows < 0) return DataLossError("fragment metadata has a negative row count");
  f->vouched = vouched;
  f->fetched_at = fetched;
  f->expires_at = expires;
  f->final = fin != 0;
  f->rows = static_cast<uint64_t>(rows);
  f->details_loaded = true;
  return OkStatus();
}

}  // namespace finex::fragment
