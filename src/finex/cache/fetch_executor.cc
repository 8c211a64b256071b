#include "finex/cache/fetch_executor.h"

#include <algorithm>

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

fragment::FetchLimits ToFetchLimits(const provider::CallLimits& l) {
  return {l.max_rows, l.max_span_s, l.max_lookback_s, l.whole_history, l.supported};
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
    const provider::CallLimits limits = p->Limits(pr.interval);
    const Timestamp now = clock_.Now();
    if (pi > 0) {  // re-plan what failed for this provider's limits
      TimeRangeSet fills;
      for (const fragment::FetchPlan& f : pending) fills = fills.Union(f.fills);
      pending =
          planner_.PlanFetches(fills, plan.fresh, ToFetchLimits(limits), pr.interval, cal, now);
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
    std::vector<Status> results(pending.size());
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
          }
          MutexLock lock(out_mu);
          out->api_calls += calls;
          results[i] = std::move(st);
          if (!served) return;
          out->unstored.insert(out->unstored.end(), local.begin(), local.end());
          if (std::find(out->providers.begin(), out->providers.end(), name) == out->providers.end())
            out->providers.push_back(name);
        },
        max_parallel_);
    std::vector<fragment::FetchPlan> failed;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (results[i].ok()) continue;
      // An earlier provider's "no such symbol" says more than a later one's
      // refusal to serve at all (no API key, unsupported request).
      if (!(last_error.code() == StatusCode::kNotFound && !Retryable(results[i])))
        last_error = results[i];
      failed.push_back(pending[i]);
    }
    pending = std::move(failed);
    if (!pending.empty() && (!pr.provider.empty() || !Retryable(last_error))) break;
  }
  if (pending.empty()) return OkStatus();
  return last_error.ok() ? UnavailableError("no provider could serve " + pr.symbol) : last_error;
}

}  // namespace finex::cache
