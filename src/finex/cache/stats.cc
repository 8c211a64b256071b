#include "finex/cache/stats.h"

#include <algorithm>

namespace finex::cache {

void StatsRecorder::RecordSymbol(const std::string& symbol, bool hit, int calls,
                                 const std::vector<std::string>& providers) {
  RecordLookup(hit);
  MutexLock lock(mu_);
  if (hit)
    for (const std::string& p : providers) {
      NamedCount& c = by_provider_[p];
      c.name = p;
      c.hits += 1;
    }
  if (by_symbol_.size() >= kMaxSymbols && !by_symbol_.count(symbol)) return;  // bounded
  NamedCount& c = by_symbol_[symbol];
  c.name = symbol;
  (hit ? c.hits : c.misses) += 1;
  c.api_calls += static_cast<uint64_t>(calls);
}

void StatsRecorder::RecordProviderCalls(const std::string& provider, int calls) {
  api_calls_.fetch_add(static_cast<uint64_t>(calls));
  MutexLock lock(mu_);
  NamedCount& c = by_provider_[provider];
  c.name = provider;
  c.api_calls += static_cast<uint64_t>(calls);
  c.misses += 1;
}

void StatsRecorder::RecordLookup(bool hit) {
  (hit ? hits_ : misses_).fetch_add(1);
  if (hit) saved_.fetch_add(1);
}

void StatsRecorder::RecordLatency(double ms) {
  MutexLock lock(mu_);
  if (latency_.size() < kLatencyWindow) {
    latency_.push_back(ms);
  } else {
    latency_[latency_pos_] = ms;
  }
  latency_pos_ = (latency_pos_ + 1) % kLatencyWindow;
}

namespace {

std::string SeriesId(const std::string& symbol, Interval iv, const std::string& provider) {
  std::string id = symbol;
  id += '|';
  id += IntervalName(iv);
  id += '|';
  id += provider;
  return id;
}

}  // namespace

void StatsRecorder::RecordPieceStored(const std::string& symbol, const std::string& provider,
                                      Interval iv, TimeRange actual, uint64_t rows,
                                      uint64_t bonus_rows) {
  if (rows == 0) return;
  MutexLock lock(util_mu_);
  if (tracked_ >= kMaxTrackedPieces) ForgetOldestPieces();
  ++tracked_;
  pieces_[SeriesId(symbol, iv, provider)].push_back({actual, rows, bonus_rows, next_seq_++});
  UtilizationStats& u = util_[{provider, iv}];
  u.rows_stored += rows;
  u.bonus_rows_stored += bonus_rows;
}

void StatsRecorder::ForgetOldestPieces() {
  const uint64_t keep_from = next_seq_ - kMaxTrackedPieces / 2;
  tracked_ = 0;
  for (auto it = pieces_.begin(); it != pieces_.end();) {
    std::erase_if(it->second, [&](const TrackedPiece& p) { return p.seq < keep_from; });
    tracked_ += it->second.size();
    it = it->second.empty() ? pieces_.erase(it) : std::next(it);
  }
}

void StatsRecorder::RecordPiecesServed(const std::string& symbol,
                                       std::span<const fragment::FragmentPtr> pieces) {
  MutexLock lock(util_mu_);
  for (const fragment::FragmentPtr& f : pieces) {
    auto [it, added] = served_.try_emplace(f.get(), f);
    if (!added) {
      if (!it->second.expired()) continue;  // this very piece was looked at
      it->second = f;                       // a new piece at a reused address
    }
    auto series = pieces_.find(SeriesId(symbol, f->interval(), f->provider()));
    if (series == pieces_.end()) continue;  // nothing waiting (served, untracked, other node)
    UtilizationStats& u = util_[{f->provider(), f->interval()}];
    const size_t removed = std::erase_if(series->second, [&](const TrackedPiece& p) {
      if (!(f->actual.start <= p.actual.start && p.actual.end <= f->actual.end)) return false;
      u.rows_served += p.rows;
      u.bonus_rows_reused += p.bonus_rows;
      return true;
    });
    tracked_ -= removed;
    if (series->second.empty()) pieces_.erase(series);
  }
  if (served_.size() > served_purge_at_) {
    for (auto it = served_.begin(); it != served_.end();)  // bounded: drop the dead
      it = it->second.expired() ? served_.erase(it) : std::next(it);
    served_purge_at_ = std::max(kMinServedPurge, 2 * served_.size());
  }
}

StatsRecorder::TrackingSizes StatsRecorder::tracking_sizes() const {
  MutexLock lock(util_mu_);
  return {tracked_, served_.size()};
}

void StatsRecorder::RecordFetchCoverage(const std::string& provider, Interval iv,
                                        uint64_t rows_asked, uint64_t rows_received) {
  MutexLock lock(util_mu_);
  UtilizationStats& u = util_[{provider, iv}];
  u.fetches += 1;
  u.rows_asked += rows_asked;
  u.rows_received += rows_received;
}

void StatsRecorder::Fill(CacheStats* s) const {
  s->hits = hits_.load();
  s->misses = misses_.load();
  const uint64_t lookups = s->hits + s->misses;
  s->hit_rate = lookups ? static_cast<double>(s->hits) / static_cast<double>(lookups) : 0;
  s->api_calls = api_calls_.load();
  s->api_calls_saved = saved_.load();
  const uint64_t asked = s->api_calls + s->api_calls_saved;
  s->reduction = asked ? static_cast<double>(s->api_calls_saved) / static_cast<double>(asked) : 0;
  std::vector<double> lat;
  {
    MutexLock lock(mu_);
    for (const auto& [k, v] : by_provider_) s->by_provider.push_back(v);
    for (const auto& [k, v] : by_symbol_) s->by_symbol.push_back(v);
    lat = latency_;
  }
  std::sort(s->by_symbol.begin(), s->by_symbol.end(),
            [](auto& a, auto& b) { return a.hits + a.misses > b.hits + b.misses; });
  if (s->by_symbol.size() > 50) s->by_symbol.resize(50);
  s->bonus_rows_reused = bonus_rows_.load();
  s->rows_served = rows_served_.load();
  s->rows_stored = rows_stored_.load();
  s->validation_rejects = validation_rejects_.load();
  if (!lat.empty()) {
    std::sort(lat.begin(), lat.end());
    s->p50_ms = lat[lat.size() / 2];
    s->p99_ms = lat[std::min(lat.size() - 1, lat.size() * 99 / 100)];
  }
  {
    MutexLock lock(util_mu_);
    for (const auto& [k, v] : util_) {
      UtilizationStats u = v;
      u.provider = k.first;
      u.interval = k.second;
      u.utilization = u.rows_stored
                          ? static_cast<double>(u.rows_served) / static_cast<double>(u.rows_stored)
                          : 0;
      u.coverage = u.rows_asked
                       ? static_cast<double>(u.rows_received) / static_cast<double>(u.rows_asked)
                       : 0;
      s->utilization.push_back(std::move(u));
    }
  }
  s->prefetch_calls = prefetch_calls_.load();
  s->prefetched_rows = prefetched_rows_.load();
}

}  // namespace finex::cache
