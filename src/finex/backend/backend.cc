#include "finex/backend/backend.h"

#include <cstdio>

#include "finex/core/symbol.h"

namespace finex::backend {

namespace detail {
size_t ThisThreadStripe() {
  static std::atomic<size_t> next{0};
  thread_local const size_t stripe =
      next.fetch_add(1, std::memory_order_relaxed) % StripedCounter::kStripes;
  return stripe;
}
}  // namespace detail

namespace {

Status CheckKeyText(std::string_view text, std::string_view what) {
  if (text.size() > kMaxBackendKeyLength) {
    return InvalidArgumentError(std::string(what) + " '" + Printable(text, 64) +
                                "' is longer than " + std::to_string(kMaxBackendKeyLength) +
                                " bytes")
        .WithParam(std::string(what));
  }
  // Branch-free scan first (vectorizes; every Get pays it), then locate the
  // offending byte only on failure.
  unsigned bad = 0;
  for (const char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    bad |= static_cast<unsigned>(static_cast<unsigned char>(c - 0x21) > 0x7e - 0x21);
  }
  if (bad == 0) return OkStatus();
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x21 || c > 0x7e) {
      char buf[96];
      std::snprintf(buf, sizeof buf,
                    "' contains byte 0x%02x at position %zu (only printable ASCII 0x21..0x7e)", c,
                    i);
      return InvalidArgumentError(std::string(what) + " '" + Printable(text, 64) + buf)
          .WithParam(std::string(what));
    }
  }
  return OkStatus();
}

}  // namespace

Status ValidateBackendKey(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("key is empty").WithParam("key");
  return CheckKeyText(key, "key");
}

Status ValidateBackendPrefix(std::string_view prefix, bool allow_empty) {
  if (prefix.empty()) {
    if (allow_empty) return OkStatus();
    return InvalidArgumentError("prefix is empty (refusing to delete every key)")
        .WithParam("prefix");
  }
  return CheckKeyText(prefix, "prefix");
}

void Backend::AddOpStats(BackendStats* s) const {
  s->gets += gets_.Load();
  s->hits += hits_.Load();
  s->puts += puts_.Load();
  s->deletes += deletes_.Load();
  s->errors += errors_.Load();
}

Result<std::optional<Bytes>> Backend::Get(std::string_view key) {
  FINEX_RETURN_IF_ERROR(ValidateBackendKey(key));
  gets_.Add();
  auto r = DoGet(key);
  if (!r.ok()) {
    errors_.Add();
  } else if (r->has_value()) {
    hits_.Add();
  }
  return r;
}

Result<std::vector<std::optional<Bytes>>> Backend::GetMultiple(std::span<const std::string> keys) {
  for (const std::string& k : keys) FINEX_RETURN_IF_ERROR(ValidateBackendKey(k));
  gets_.Add(keys.size());
  if (keys.empty()) return std::vector<std::optional<Bytes>>();
  auto r = DoGetMultiple(keys);
  if (!r.ok()) {
    errors_.Add();
    return r;
  }
  if (r->size() != keys.size()) {
    errors_.Add();
    return InternalError(std::string(name()) + " backend returned " + std::to_string(r->size()) +
                         " values for " + std::to_string(keys.size()) + " keys");
  }
  uint64_t hits = 0;
  for (const auto& v : *r) hits += v.has_value();
  hits_.Add(hits);
  return r;
}

Status Backend::Put(std::string_view key, ByteView value, const PutOptions& opts) {
  FINEX_RETURN_IF_ERROR(ValidateBackendKey(key));
  if (opts.ttl_ms < 0) {
    return InvalidArgumentError("ttl_ms " + std::to_string(opts.ttl_ms) +
                                " is negative (0 = no expiry)")
        .WithParam("ttl_ms");
  }
  if (opts.ttl_ms > kMaxTtlMs) {
    return InvalidArgumentError("ttl_ms " + std::to_string(opts.ttl_ms) +
                                " is longer than 100 years")
        .WithParam("ttl_ms");
  }
  puts_.Add();
  Status s = DoPut(key, value, opts);
  if (!s.ok()) errors_.Add();
  return s;
}

Status Backend::Delete(std::string_view key) {
  FINEX_RETURN_IF_ERROR(ValidateBackendKey(key));
  deletes_.Add();
  Status s = DoDelete(key);
  if (!s.ok()) errors_.Add();
  return s;
}

Result<std::vector<std::string>> Backend::ScanPrefix(std::string_view prefix, size_t limit) {
  FINEX_RETURN_IF_ERROR(ValidateBackendPrefix(prefix, /*allow_empty=*/true));
  auto r = DoScanPrefix(prefix, limit);
  if (!r.ok()) errors_.Add();
  return r;
}

Result<size_t> Backend::DeletePrefix(std::string_view prefix) {
  FINEX_RETURN_IF_ERROR(ValidateBackendPrefix(prefix, /*allow_empty=*/false));
  auto r = DoDeletePrefix(prefix);
  if (!r.ok()) {
    errors_.Add();
  } else {
    deletes_.Add(*r);
  }
  return r;
}

Status Backend::Ping() {
  Status s = DoPing();
  if (!s.ok()) errors_.Add();
  return s;
}

Result<std::vector<std::optional<Bytes>>> Backend::DoGetMultiple(
    std::span<const std::string> keys) {
  std::vector<std::optional<Bytes>> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) {
    FINEX_ASSIGN_OR_RETURN(std::optional<Bytes> v, DoGet(k));
    out.push_back(std::move(v));
  }
  return out;
}

Result<size_t> Backend::DoDeletePrefix(std::string_view prefix) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, DoScanPrefix(prefix, 0));
  for (const std::string& k : keys) FINEX_RETURN_IF_ERROR(DoDelete(k));
  return keys.size();
}

}  // namespace finex::backend
