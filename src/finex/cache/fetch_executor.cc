#include "finex/cache/fetch_executor.h"

#include <algorithm>
#include <cctype>

#include "finex/cache/request.h"

namespace finex::cache {
namespace {

bool Retryable(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
    case StatusCode::kFailedPrecondition:
      return false;
    default:
      return true;
  }
}

// Rounds of "refused beyond its reach, ask again within it" per provider.
constexpr int kMaxReachRounds = 6;

// The lookback a refusal of `call` teaches (0: not a window refusal): the
// days the provider states ("…within the last 60 days", "…within the past
// 365 days"), else half of how far back the call reached. A refusal of a
// call's span ("…per request") teaches nothing about the lookback.
Timestamp RefusedLookback(const Status& s, TimeRange call, Timestamp now) {
  const StatusDetails& d = s.details();
  if (s.code() != StatusCode::kOutOfRange || d.provider.empty() || d.upstream_status < 400 ||
      d.upstream_status >= 500 || d.upstream_status == 429)
    return 0;
  const std::string m = Lower(s.message());
  for (std::string_view lead : {"within the last ", "within the past "}) {
    const size_t at = m.find(lead);
    if (at == std::string::npos) continue;
    size_t i = at + lead.size();
    int64_t days = 0;
    while (i < m.size() && std::isdigit(static_cast<unsigned char>(m[i])) && days < 100000)
      days = days * 10 + (m[i++] - '0');
    if (days > 0 && m.compare(i, 5, " days") == 0) return days * kSecondsPerDay;
  }
  if (m.find("per request") != std::string::npos || m.find("per call") != std::string::npos ||
      m.find("span") != std::string::npos)
    return 0;
  const Timestamp back = now - call.start;
  return back > 2 * kSecondsPerDay ? back / 2 : 0;
}

}  // namespace

bool IsCurrencyMismatch(const Status& s) {
  return s.code() == StatusCode::kUnimplemented && s.details().param == "currency";
}

FieldSet FetchFields(FieldSet asked) {
  return asked.Union(FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose));
}

FetchExecutor::FetchExecutor(const ProviderRoster& providers, const fragment::Planner& planner,
                             Ingester& ingester, StatsRecorder& stats, Executor& executor,
                             Clock& clock, size_t max_parallel)
    : providers_(providers),
      planner_(planner),
      ingester_(ingester),
      stats_(stats),
      executor_(executor),
      clock_(clock),
      max_parallel_(max_parallel) {}

Status FetchExecutor::Execute(const fragment::Plan& plan, const fragment::PlanRequest& pr,
                              const calendar::Calendar& cal, FetchOutcome* out) {
  if (plan.providers.empty())
    return UnavailableError("no configured provider serves " + pr.symbol + " at " +
                            std::string(IntervalName(pr.interval)));
  std::vector<fragment::FetchPlan> pending = plan.fetches;
  Status last_error;
  fragment::PlanRequest fetch_req = pr;
  fetch_req.fields = FetchFields(pr.fields);
  for (size_t pi = 0; pi < plan.providers.size() && !pending.empty(); ++pi) {
    const std::string& name = plan.providers[pi];
    provider::Provider* p = providers_.Find(name);
    if (!p) continue;
    provider::CallLimits limits = providers_.LimitsOf(*p, pr.interval);
    const Timestamp now = clock_.Now();
    if (pi > 0) {  // re-plan what failed for this provider's limits
      TimeRangeSet fills;
      for (const fragment::FetchPlan& f : pending) fills = fills.Union(f.fills);
      pending =
          planner_.PlanFetches(fills, plan.fresh, PlannerLimits(limits), pr.interval, cal, now);
    }
    const std::string miss_key =
        name + "|" + pr.symbol + "|" + std::string(IntervalName(pr.interval)) + "|" + pr.currency;
    auto currency_error = [&](const std::string& native) {
      return UnimplementedError(name + " serves " + pr.symbol + " in " + native + ", not " +
                                pr.currency)
          .WithParam("currency");
    };
    if (!pr.currency.empty()) {
      MutexLock lock(currency_mu_);
      if (auto it = currency_misses_.find(miss_key);
          it != currency_misses_.end() && now < it->second.second) {
        last_error = currency_error(it->second.first);
        continue;  // known: no call; the next provider may serve the currency
      }
    }
    std::vector<fragment::FetchPlan> failed;
    for (int reach_round = 0; !pending.empty(); ++reach_round) {
      std::vector<Status> results(pending.size());
      std::vector<char> taught(pending.size(), 0);  // refusals that shortened the reach
      Mutex out_mu;
      executor_.ParallelFor(
          pending.size(),
          [&](size_t i) {
            provider::HistoryRequest req;
            req.symbol = pr.symbol;
            req.interval = pr.interval;
            req.range = pending[i].call;
            req.fields = fetch_req.fields;
            req.currency = pr.currency;
            auto resp = p->History(req);  // no lock held across the call
            const int calls =
                resp.ok() ? std::max(1, resp->http_calls) : UpstreamCalls(resp.status());
            stats_.RecordProviderCalls(name, calls);
            Status st;
            std::vector<FramePtr> local;
            bool served = false;
            if (resp.ok()) {
              st = ingester_.Store(
                  {&fetch_req, p, pending[i].call, &*resp, limits, &cal, clock_.Now()}, &local);
              served = true;
              const std::string native = Lower(resp->currency);
              const bool has_rows = resp->frame && resp->frame->rows() > 0;
              if (!pr.currency.empty() && native != pr.currency && (has_rows || !native.empty())) {
                // Stored under its own currency (a native request reuses it),
                // but it does not answer this one.
                const std::string shown = native.empty() ? "an unstated currency" : native;
                st = currency_error(shown);
                MutexLock lock(currency_mu_);
                if (currency_misses_.size() >= kMaxCurrencyMisses)
                  currency_misses_.clear();  // bounded
                currency_misses_[miss_key] = {shown, clock_.Now() + kSecondsPerDay};
              }
            } else {
              st = resp.status();
              if (reach_round < kMaxReachRounds) {
                const Timestamp lookback = RefusedLookback(st, req.range, clock_.Now());
                if (lookback > 0) {
                  providers_.LearnLookback(name, pr.interval, lookback);
                  taught[i] = 1;
                }
              }
            }
            MutexLock lock(out_mu);
            out->api_calls += calls;
            results[i] = std::move(st);
            if (!served) return;
            out->unstored.insert(out->unstored.end(), local.begin(), local.end());
            if (std::find(out->providers.begin(), out->providers.end(), name) ==
                out->providers.end())
              out->providers.push_back(name);
          },
          max_parallel_);
      std::vector<fragment::FetchPlan> refused;
      for (size_t i = 0; i < pending.size(); ++i) {
        if (results[i].ok()) continue;
        // An earlier provider's "no such symbol" says more than a later one's
        // refusal to serve at all (no API key, unsupported request).
        if (!(last_error.code() == StatusCode::kNotFound && !Retryable(results[i])))
          last_error = results[i];
        if (taught[i])
          refused.push_back(pending[i]);
        else
          failed.push_back(pending[i]);
      }
      const provider::CallLimits learned = providers_.LimitsOf(*p, pr.interval);
      if (refused.empty() || learned.max_lookback_s == limits.max_lookback_s) {
        failed.insert(failed.end(), refused.begin(), refused.end());
        break;
      }
      // Asked beyond what the provider serves: ask again within the reach it
      // taught; what lies beyond is unreachable, not a failure (the next
      // plan says so).
      limits = learned;
      TimeRangeSet fills;
      for (const fragment::FetchPlan& f : refused) fills = fills.Union(f.fills);
      pending = planner_.PlanFetches(fills, plan.fresh, PlannerLimits(limits), pr.interval, cal,
                                     clock_.Now());
    }
    pending = std::move(failed);
    if (!pending.empty() && (!pr.provider.empty() || !Retryable(last_error))) break;
  }
  if (pending.empty()) return OkStatus();
  return last_error.ok() ? UnavailableError("no provider could serve " + pr.symbol) : last_error;
}

}  // namespace finex::cache
