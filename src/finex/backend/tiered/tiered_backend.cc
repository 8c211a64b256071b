#include "finex/backend/tiered/tiered_backend.h"

#include <algorithm>
#include <chrono>

#include "finex/backend/memory/memory_backend.h"
#include "finex/core/clock.h"

namespace finex::backend {

std::unique_ptr<TieredBackend> NewTieredBackend(std::unique_ptr<Backend> shared,
                                                TieredOptions options) {
  MemoryBackendOptions l1;
  l1.max_bytes = options.l1_max_bytes;
  return std::make_unique<TieredBackend>(NewMemoryBackend(l1), std::move(shared), options);
}

TieredBackend::TieredBackend(std::unique_ptr<Backend> l1, std::unique_ptr<Backend> l2,
                             TieredOptions options)
    : l1_(std::move(l1)), l2_(std::move(l2)), options_(options) {
  FINEX_CHECK(l1_ != nullptr && l2_ != nullptr);
  FINEX_CHECK(options_.probe_interval_ms >= 1);
  prober_ = std::thread([this] { ProbeLoop(); });
}

TieredBackend::~TieredBackend() {
  {
    MutexLock l(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  prober_.join();
}

bool TieredBackend::UseL2() {
  if (!degraded()) return true;
  l2_skipped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void TieredBackend::MarkFailure(const Status& s) {
  l2_errors_.fetch_add(1, std::memory_order_relaxed);
  {
    MutexLock l(mu_);
    last_error_ = s.ToString();
    if (degraded_.exchange(true)) return;
    degraded_since_us_ = MonotonicMicros();
  }
  degradations_.fetch_add(1, std::memory_order_relaxed);
  cv_.SignalAll();  // switch the prober to the fast period
}

void TieredBackend::MarkRecovered() {
  MutexLock l(mu_);
  if (!degraded_.exchange(false)) return;
  last_outage_ms_ = (MonotonicMicros() - degraded_since_us_) / 1000;
  recoveries_.fetch_add(1, std::memory_order_relaxed);
}

void TieredBackend::ProbeLoop() {
  UniqueMutexLock l(mu_);
  while (!stop_) {
    const bool deg = degraded_.load();
    const int period = deg ? options_.probe_interval_ms : options_.health_interval_ms;
    if (period <= 0) {
      cv_.Wait(mu_, [&] {
        mu_.AssertHeld();
        return stop_ || degraded_.load();
      });
      continue;
    }
    cv_.WaitFor(mu_, std::chrono::milliseconds(period), [&] {
      mu_.AssertHeld();
      return stop_ || degraded_.load() != deg;
    });
    if (stop_) break;
    if (degraded_.load() != deg) continue;  // state changed: recompute the period
    l.Unlock();
    Status s = l2_->Ping();
    if (s.ok()) {
      MarkRecovered();
    } else {
      MarkFailure(s);
    }
    l.Lock();
  }
}

TieredHealth TieredBackend::health() const {
  TieredHealth h;
  MutexLock l(mu_);
  h.degraded = degraded_.load();
  h.last_error = last_error_;
  h.degraded_for_ms = h.degraded ? (MonotonicMicros() - degraded_since_us_) / 1000 : 0;
  h.l2_errors = l2_errors_.load();
  h.l2_skipped = l2_skipped_.load();
  h.degradations = degradations_.load();
  h.recoveries = recoveries_.load();
  h.last_outage_ms = last_outage_ms_;
  return h;
}

BackendStats TieredBackend::stats() const {
  BackendStats s;
  AddOpStats(&s);
  const BackendStats a = l1_->stats();
  s.keys = a.keys;
  s.bytes = a.bytes;
  s.expired = a.expired;
  s.evicted = a.evicted;
  s.corrupt = a.corrupt;
  if (!degraded()) {
    const BackendStats b = l2_->stats();
    s.expired += b.expired;
    s.corrupt += b.corrupt;
  }
  return s;
}

Result<std::optional<Bytes>> TieredBackend::DoGet(std::string_view key) {
  FINEX_ASSIGN_OR_RETURN(std::optional<Bytes> v, l1_->Get(key));
  if (v.has_value() || !UseL2()) return v;
  auto r = l2_->Get(key);
  if (!r.ok()) {
    MarkFailure(r.status());
    return std::optional<Bytes>();  // a miss: the cache asks the provider
  }
  if (r->has_value()) l1_->Put(key, **r, {.ttl_ms = options_.l1_fill_ttl_ms}).IgnoreError();
  return std::move(r).value();
}

Result<std::vector<std::optional<Bytes>>> TieredBackend::DoGetMultiple(
    std::span<const std::string> keys) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::optional<Bytes>> out, l1_->GetMultiple(keys));
  std::vector<std::string> missing;
  std::vector<size_t> where;
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i].has_value()) {
      missing.push_back(keys[i]);
      where.push_back(i);
    }
  if (missing.empty() || !UseL2()) return out;
  auto r = l2_->GetMultiple(missing);
  if (!r.ok()) {
    MarkFailure(r.status());
    return out;
  }
  for (size_t j = 0; j < missing.size(); ++j) {
    if (!(*r)[j].has_value()) continue;
    l1_->Put(missing[j], *(*r)[j], {.ttl_ms = options_.l1_fill_ttl_ms}).IgnoreError();
    out[where[j]] = std::move((*r)[j]);
  }
  return out;
}

Status TieredBackend::DoPut(std::string_view key, ByteView value, const PutOptions& opts) {
  FINEX_RETURN_IF_ERROR(l1_->Put(key, value, opts));
  if (!UseL2()) return OkStatus();
  Status s = l2_->Put(key, value, opts);
  if (!s.ok()) MarkFailure(s);  // L1 holds it; other nodes will fetch their own
  return OkStatus();
}

Status TieredBackend::DoDelete(std::string_view key) {
  FINEX_RETURN_IF_ERROR(l1_->Delete(key));
  if (!UseL2())
    return UnavailableError("shared tier is degraded: '" + std::string(key) +
                            "' deleted locally only");
  Status s = l2_->Delete(key);
  if (!s.ok()) {
    MarkFailure(s);
    return UnavailableError("shared tier failed: deleted locally only: " + s.message());
  }
  return OkStatus();
}

Result<std::vector<std::string>> TieredBackend::DoScanPrefix(std::string_view prefix,
                                                             size_t limit) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, l1_->ScanPrefix(prefix, limit));
  if (UseL2()) {
    auto r = l2_->ScanPrefix(prefix, limit);
    if (r.ok()) {
      keys.insert(keys.end(), r->begin(), r->end());
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      if (limit > 0 && keys.size() > limit) keys.resize(limit);
    } else {
      MarkFailure(r.status());
    }
  }
  return keys;
}

Result<size_t> TieredBackend::DoDeletePrefix(std::string_view prefix) {
  FINEX_ASSIGN_OR_RETURN(size_t local, l1_->DeletePrefix(prefix));
  if (!UseL2())
    return UnavailableError("shared tier is degraded: prefix '" + std::string(prefix) +
                            "' deleted locally only");
  auto r = l2_->DeletePrefix(prefix);
  if (!r.ok()) {
    MarkFailure(r.status());
    return UnavailableError("shared tier failed: deleted locally only: " + r.status().message());
  }
  return std::max(local, *r);
}

Result<size_t> TieredBackend::InvalidateLocal(std::string_view prefix) {
  if (!prefix.empty()) return l1_->DeletePrefix(prefix);
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, l1_->ScanPrefix("", 0));
  for (const auto& k : keys) FINEX_RETURN_IF_ERROR(l1_->Delete(k));
  return keys.size();
}

}  // namespace finex::backend
