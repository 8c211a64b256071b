#include "finex/cache/single_flight.h"

#include <algorithm>

namespace finex::cache {

struct FlightTable::Flight {
  FlightSpec spec;
  std::shared_future<Status> done;
};

struct FlightTable::Series {
  Mutex mu;
  std::vector<std::shared_ptr<Flight>> inflight FINEX_GUARDED_BY(mu);
};

FlightTable::FlightTable() = default;
FlightTable::~FlightTable() = default;

FlightTable::Series& FlightTable::SeriesFor(const std::string& symbol, Interval iv) {
  MutexLock lock(mu_);
  auto& p = series_[{symbol, iv}];
  if (!p) p = std::make_unique<Series>();
  return *p;
}

FlightTable::Joined FlightTable::Join(const std::string& symbol, Interval iv,
                                      const std::function<Need()>& plan) {
  Series& s = SeriesFor(symbol, iv);
  Joined out;
  MutexLock lock(s.mu);
  const Need need = plan();  // pure planning: no I/O under the lock
  if (!need.fetch) return out;
  out.nothing_to_fetch = false;
  for (const auto& f : s.inflight) {
    if (!f->spec.fields.Contains(need.wanted.fields)) continue;
    if (!need.wanted.provider.empty() && f->spec.provider != need.wanted.provider) continue;
    if (f->spec.currency != need.wanted.currency) continue;
    if (!f->spec.fills.Intersect(need.wanted.fills).empty()) out.waits.push_back(f->done);
  }
  if (out.waits.empty() && need.may_fly) {
    Ticket t;
    t.flight = std::make_shared<Flight>();
    t.flight->spec = need.flying;
    t.flight->done = t.done.get_future().share();
    s.inflight.push_back(t.flight);
    out.ticket = std::move(t);
  }
  return out;
}

void FlightTable::Land(const std::string& symbol, Interval iv, Ticket& ticket, Status result) {
  Series& s = SeriesFor(symbol, iv);
  {
    MutexLock lock(s.mu);
    s.inflight.erase(std::remove(s.inflight.begin(), s.inflight.end(), ticket.flight),
                     s.inflight.end());
  }
  ticket.done.set_value(std::move(result));
}

std::pair<NodeLease::Outcome, NodeLease> NodeLease::Acquire(
    Coordinator* coordinator, const std::string& name, const std::function<Result<bool>()>& ready) {
  NodeLease lease;
  if (!coordinator) return {Outcome::kFetch, std::move(lease)};
  auto got = coordinator->TryLease(name);
  if (got.ok() && *got) {
    lease.coordinator_ = coordinator;
    lease.handle_ = std::move(**got);
  } else if (got.ok()) {  // another node is fetching: wait for its result
    auto w = coordinator->Wait(name, ready);
    if (w.ok() && *w == Coordinator::WaitOutcome::kReady)
      return {Outcome::kOtherNode, std::move(lease)};
  }  // kUnavailable, timeout or lease gone: fetch ourselves
  return {Outcome::kFetch, std::move(lease)};
}

NodeLease::NodeLease(NodeLease&& o) noexcept
    : coordinator_(o.coordinator_), handle_(std::move(o.handle_)) {
  o.coordinator_ = nullptr;
  o.handle_.reset();
}

NodeLease::~NodeLease() {
  if (coordinator_ && handle_) coordinator_->Release(*handle_);
}

std::string FlightLeaseName(const std::string& symbol, Interval iv, const std::string& provider,
                            const TimeRangeSet& gaps) {
  return symbol + ":" + std::string(IntervalName(iv)) + ":" +
         (provider.empty() ? std::string("any") : provider) + ":" +
         std::to_string(gaps.ranges().front().start) + ":" +
         std::to_string(gaps.ranges().back().end);
}

}  // namespace finex::cache
