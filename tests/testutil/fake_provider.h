// FakeProvider: a provider::Provider serving a deterministic truth over a
// Calendar, with knobs for what the cache must cope with: bonus rows around
// the asked range (as Yahoo returns), row/span limits, injected failures, a
// gate that holds calls (single-flight tests) and call counting.
//
// Truth: by default FakeTruth() — smooth, valid OHLCV + adj_close bars at the
// calendar's bar starts, nothing after `now`; tests may pass another truth
// (e.g. sim::TrueBars). Thread-safety: every method is thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "finex/calendar/calendar.h"
#include "finex/core/clock.h"
#include "finex/core/mutex.h"
#include "finex/provider/provider.h"
#include "finex/provider/traits.h"

namespace finex::testing {

// Deterministic bars of `symbol` at the calendar's bar starts in r, start <= now.
inline FramePtr FakeTruth(const calendar::Calendar& cal, std::string_view symbol, Interval iv,
                          TimeRange r, Timestamp now, std::string_view provider = "fake",
                          FieldSet fields = FieldSet::All()) {
  uint64_t h = 1469598103934665603ull;
  for (char c : symbol) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  const double level = 20.0 + static_cast<double>(h % 400);
  const double phase = static_cast<double>(h % 1000) / 100.0;
  FrameBuilder b(fields);
  if (r.end > now + 1) r.end = now + 1;
  if (r.empty()) return *std::move(b).Finish();
  for (Timestamp t : cal.BarStarts(r, iv)) {
    const double x = static_cast<double>(t) / 86400.0;
    const double o = level * (1.0 + 0.05 * std::sin(x / 17.0 + phase));
    const double c = level * (1.0 + 0.05 * std::sin((x + 0.7) / 17.0 + phase));
    Bar bar;
    bar.symbol = std::string(symbol);
    bar.timestamp = t;
    bar.open = o;
    bar.close = c;
    bar.high = std::max(o, c) * 1.01;
    bar.low = std::min(o, c) * 0.99;
    bar.volume = static_cast<int64_t>(1000 + (static_cast<uint64_t>(t) ^ h) % 100000);
    bar.adj_close = c * 0.98;
    bar.market_cap = c * 1e6;
    bar.provider = std::string(provider);
    bar.currency = "usd";
    bar.timezone = "America/New_York";
    b.Add(bar);
  }
  return *std::move(b).Finish();
}

inline bool SameUtcMonth(Timestamp a, Timestamp b) {
  const CivilDate da = CivilFromDays(DayOf(a)), db = CivilFromDays(DayOf(b));
  return da.year == db.year && da.month == db.month;
}

class FakeProvider final : public provider::Provider {
 public:
  using Truth =
      std::function<FramePtr(std::string_view symbol, Interval iv, TimeRange r, Timestamp now)>;

  FakeProvider(provider::ProviderId id, const calendar::Calendar& cal, Clock& clock,
               Truth truth = {})
      : id_(id), cal_(cal), clock_(clock), truth_(std::move(truth)) {}

  provider::ProviderId id() const override { return id_; }

  Result<provider::HistoryResponse> History(const provider::HistoryRequest& req) override {
    history_calls_.fetch_add(1);
    {
      MutexLock lock(mu_);
      requests_.push_back(req.range);
      ++waiting_;
      cv_.SignalAll();
      cv_.Wait(mu_, [&] {
        mu_.AssertHeld();
        return !gate_closed_;
      });
      --waiting_;
    }
    if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
    provider::CallLimits limits;
    const Timestamp call_now = clock_.Now();
    {
      MutexLock lock(mu_);
      limits = facts_limits_ ? FactsLimits(req.interval) : limits_;
      if (facts_limits_) {
        // The real provider refuses what its facts say it cannot serve.
        if (!limits.supported)
          return InvalidArgumentError("interval not supported")
              .WithProvider(std::string(name()), 400);
        if (limits.max_lookback_s > 0 && req.range.start < call_now - limits.max_lookback_s)
          return OutOfRangeError("beyond the provider's lookback")
              .WithProvider(std::string(name()), 422);
        if (limits.max_span_s > 0 && req.range.length() > limits.max_span_s)
          return OutOfRangeError("span too long for one call")
              .WithProvider(std::string(name()), 422);
        if (limits.month_per_call && !SameUtcMonth(req.range.start, req.range.end - 1))
          return OutOfRangeError("one month per call").WithProvider(std::string(name()), 400);
      }
      if (!fail_.ok()) return fail_;
      if (refused_before_s_ > 0 && req.range.start < call_now - refused_before_s_)
        return OutOfRangeError(refused_message_).WithProvider(std::string(name()), 422);
      for (const std::string& u : unknown_)
        if (u == req.symbol)
          return NotFoundError("unknown symbol " + req.symbol)
              .WithProvider(std::string(name()), 404);
    }
    const Timestamp now = clock_.Now();
    TimeRange r = req.range;
    r.start -= bonus_s_.load();
    r.end += bonus_s_.load();
    if (r.start < listed_.load()) r.start = listed_.load();
    provider::HistoryResponse resp;
    resp.requested = req.range;
    resp.frame = r.empty() ? Frame::Empty(req.fields)
                           : (truth_ ? truth_(req.symbol, req.interval, r, now)
                                     : FakeTruth(cal_, req.symbol, req.interval, r, now, name()));
    resp.frame =
        resp.frame->Project(req.fields.Union(FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose)));
    if (limits.max_rows > 0 && static_cast<int64_t>(resp.frame->rows()) > limits.max_rows)
      resp.frame = resp.frame->SliceRows(0, static_cast<size_t>(limits.max_rows));
    if (!resp.frame->empty()) {
      resp.actual = {resp.frame->first_timestamp(), resp.frame->last_timestamp() + 1};
      resp.last_bar_partial = NextBar(resp.frame->last_timestamp(), req.interval) > now;
    }
    resp.currency = "usd";
    resp.timezone = "America/New_York";
    resp.http_calls = 1;
    return resp;
  }

  Result<std::vector<finex::Quote>> Quote(std::span<const std::string> symbols) override {
    quote_calls_.fetch_add(1);
    MutexLock lock(mu_);
    if (!fail_.ok()) return fail_;
    std::vector<finex::Quote> out;
    for (const std::string& s : symbols) {
      if (std::find(unknown_.begin(), unknown_.end(), s) != unknown_.end())
        continue;  // not in the answer
      finex::Quote q;
      q.symbol = s;
      q.price = 100 + static_cast<double>(s.size());
      q.timestamp = clock_.Now();
      q.provider = std::string(name());
      q.currency = "usd";
      out.push_back(q);
    }
    return out;
  }

  Result<std::vector<SearchResult>> Search(std::string_view query) override {
    search_calls_.fetch_add(1);
    MutexLock lock(mu_);
    if (!fail_.ok()) return fail_;
    SearchResult r;
    r.symbol = "AAPL";
    r.name = "Apple Inc. (" + std::string(query) + ")";
    r.provider = std::string(name());
    r.match_score = 1;
    return std::vector<SearchResult>{r};
  }

  provider::CallLimits Limits(Interval iv) const override {
    MutexLock lock(mu_);
    return facts_limits_ ? FactsLimits(iv) : limits_;
  }

  // The limits the real provider `id` has for `iv` (its facts header).
  provider::CallLimits FactsLimits(Interval iv) const {
    const provider::ProviderFacts& f = provider::FactsOf(id_);
    const provider::IntervalReach& r = provider::ReachOf(f.reach, iv);
    provider::CallLimits l;
    l.supported = r.supported;
    l.max_span_s = r.max_span_s;
    l.max_lookback_s = r.max_lookback_s;
    l.month_per_call = r.month_per_call;
    l.max_rows = f.max_rows_per_call;
    l.whole_history = f.whole_daily_history_per_call && !IsIntraday(iv);
    return l;
  }
  double calls_per_minute() const override { return 1e6; }
  bool Handles(std::string_view) const override { return true; }

  // Knobs.
  void SetLimits(provider::CallLimits l) {
    MutexLock lock(mu_);
    limits_ = l;
  }
  // Serve and enforce the real provider's limits (FactsLimits) per interval:
  // a call beyond its lookback or span is refused, as the provider would.
  void UseFactsLimits() {
    MutexLock lock(mu_);
    facts_limits_ = true;
  }
  void SetFailure(Status s) {
    MutexLock lock(mu_);
    fail_ = std::move(s);
  }
  void SetUnknown(std::vector<std::string> symbols) {
    MutexLock lock(mu_);
    unknown_ = std::move(symbols);
  }
  // Refuses (422, `message`) calls starting more than `lookback_s` before now,
  // whatever Limits() says: a plan that changed behind the facts' back.
  void SetRefusedBefore(Timestamp lookback_s, std::string message) {
    MutexLock lock(mu_);
    refused_before_s_ = lookback_s;
    refused_message_ = std::move(message);
  }
  void SetBonusSeconds(Timestamp s) { bonus_s_ = s; }
  void SetListed(Timestamp t) { listed_ = t; }
  void SetDelayMs(int ms) { delay_ms_ = ms; }
  // While closed, History calls block (after being counted).
  void CloseGate() {
    MutexLock lock(mu_);
    gate_closed_ = true;
  }
  void OpenGate() {
    {
      MutexLock lock(mu_);
      gate_closed_ = false;
    }
    cv_.SignalAll();
  }
  // Blocks until at least n calls wait at the gate.
  void AwaitWaiting(int n) {
    MutexLock lock(mu_);
    cv_.Wait(mu_, [&] {
      mu_.AssertHeld();
      return waiting_ >= n;
    });
  }

  int history_calls() const { return history_calls_.load(); }
  int quote_calls() const { return quote_calls_.load(); }
  int search_calls() const { return search_calls_.load(); }
  std::vector<TimeRange> requests() const {
    MutexLock lock(mu_);
    return requests_;
  }

 private:
  const provider::ProviderId id_;
  const calendar::Calendar& cal_;
  Clock& clock_;
  Truth truth_;
  mutable Mutex mu_;
  CondVar cv_;
  provider::CallLimits limits_ FINEX_GUARDED_BY(mu_);
  bool facts_limits_ FINEX_GUARDED_BY(mu_) = false;
  Status fail_ FINEX_GUARDED_BY(mu_);
  Timestamp refused_before_s_ FINEX_GUARDED_BY(mu_) = 0;
  std::string refused_message_ FINEX_GUARDED_BY(mu_);
  std::vector<std::string> unknown_ FINEX_GUARDED_BY(mu_);
  bool gate_closed_ FINEX_GUARDED_BY(mu_) = false;
  int waiting_ FINEX_GUARDED_BY(mu_) = 0;
  std::vector<TimeRange> requests_ FINEX_GUARDED_BY(mu_);
  std::atomic<Timestamp> bonus_s_{0};
  std::atomic<Timestamp> listed_{std::numeric_limits<Timestamp>::min() / 2};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> history_calls_{0}, quote_calls_{0}, search_calls_{0};
};

}  // namespace finex::testing
