// Single-flight: a miss being fetched is fetched once.
//
// Locally (FlightTable): each series keeps the fetches in progress. A
// request plans and joins under the series' lock in one step, so it either
// sees a fetch in progress that covers some of its gaps (same or wider
// fields, compatible provider and currency) and waits for it, or registers
// its own fetch; a fetch that lands publishes its pieces before it leaves
// the table, so a request never misses both. 10,000 concurrent identical
// misses make one provider call.
//
// Across nodes sharing a backend (NodeLease over cache::Coordinator): the
// node that takes the lease on (series, provider, gaps) fetches; the others
// wait until the pieces appear in the shared backend (or the lease goes) and
// plan again. Coordination failures mean "fetch yourself".
//
// Thread-safety: thread-safe. A waiter blocks on the fetch's future, never
// on a lock held across I/O.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "finex/cache/coordination.h"
#include "finex/core/field_set.h"
#include "finex/core/interval.h"
#include "finex/core/mutex.h"
#include "finex/core/time_range.h"

namespace finex::cache {

// What a fetch in progress will bring, or what a request needs.
struct FlightSpec {
  TimeRangeSet fills;    // in flight: what it adds; wanted: the gaps
  FieldSet fields;       // in flight: fetched fields; wanted: asked fields
  std::string provider;  // "" = whichever finex picks / any
  std::string currency;  // as requested ("" = native)
};

class FlightTable {
 public:
  struct Flight;
  // A fetch this request registered; Land() it exactly once.
  struct Ticket {
    std::shared_ptr<Flight> flight;
    std::promise<Status> done;
  };
  // What Join decided.
  struct Joined {
    bool nothing_to_fetch = true;                   // plan() said so
    std::vector<std::shared_future<Status>> waits;  // fetches to wait for
    std::optional<Ticket> ticket;                   // our own, when registered
  };
  // What plan() returns, computed under the series' lock.
  struct Need {
    bool fetch = false;   // false: nothing to fetch (hit, or no progress possible)
    FlightSpec wanted;    // the gaps and what answers them
    FlightSpec flying;    // what our fetch would bring
    bool may_fly = true;  // false: do not register (e.g. rescan first)
  };

  FlightTable();
  ~FlightTable();

  // Under the lock of (symbol, iv): need = plan(); when need.fetch, the
  // fetches in progress that meet need.wanted are returned to wait for; if
  // none and may_fly, a flight for need.flying is registered.
  Joined Join(const std::string& symbol, Interval iv, const std::function<Need()>& plan)
      FINEX_EXCLUDES(mu_);
  // Removes the flight and wakes its waiters with `result`. REQUIRES: the
  // fetch's pieces are already published.
  void Land(const std::string& symbol, Interval iv, Ticket& ticket, Status result)
      FINEX_EXCLUDES(mu_);

 private:
  struct Series;
  Series& SeriesFor(const std::string& symbol, Interval iv) FINEX_EXCLUDES(mu_);

  Mutex mu_;
  std::map<std::pair<std::string, Interval>, std::unique_ptr<Series>> series_ FINEX_GUARDED_BY(mu_);
};

// A cross-node lease on one fetch (file comment).
class NodeLease {
 public:
  enum class Outcome {
    kFetch,      // fetch yourself (lease held, or coordination unavailable)
    kOtherNode,  // another node fetched it: plan again
  };
  // Takes the lease on `name`, or waits for its holder while ready() is
  // false. coordinator may be nullptr (a lone node: kFetch).
  static std::pair<Outcome, NodeLease> Acquire(Coordinator* coordinator, const std::string& name,
                                               const std::function<Result<bool>()>& ready);
  NodeLease() = default;
  NodeLease(NodeLease&& o) noexcept;
  NodeLease& operator=(NodeLease&&) = delete;
  ~NodeLease();  // releases a held lease

 private:
  Coordinator* coordinator_ = nullptr;
  std::optional<Coordinator::LeaseHandle> handle_;
};

// The lease name of a fetch: series, provider ("any") and the gaps' hull.
std::string FlightLeaseName(const std::string& symbol, Interval iv, const std::string& provider,
                            const TimeRangeSet& gaps);

}  // namespace finex::cache
