#include "finex/cache/warmer.h"

#include <span>

#include "finex/core/symbol.h"
#include "finex/core/time.h"

namespace finex::cache {

Warmer::Warmer(CachedApi& api, size_t max_finished_jobs)
    : api_(api), max_finished_(max_finished_jobs) {}

Warmer::~Warmer() { Stop(); }

void Warmer::Stop() {
  std::thread t;
  {
    MutexLock lock(mu_);
    stop_ = true;
    t = std::move(thread_);
  }
  cv_.SignalAll();
  if (t.joinable()) t.join();
}

Result<std::string> Warmer::Start(const WarmRequest& req) {
  if (req.ranges.empty())
    return InvalidArgumentError("warm needs at least one range").WithParam("ranges");
  for (const auto& [a, b] : req.ranges)
    if (a > b)
      return InvalidArgumentError("warm range start " + FormatIsoUtc(a) + " is after its end")
          .WithParam("ranges");
  auto job = std::make_shared<Job>();
  job->req = req;
  if (job->req.intervals.empty()) job->req.intervals.push_back(Interval::k1d);
  MutexLock lock(mu_);
  if (stop_) return UnavailableError("the cache is shutting down");
  job->status.id = "warm-" + std::to_string(++seq_);
  job->status.state = "queued";
  job->status.total =
      static_cast<int>(req.symbols.size() * job->req.intervals.size() * req.ranges.size());
  jobs_[job->status.id] = job;
  queue_.push_back(job);
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.Signal();
  return job->status.id;
}

Result<WarmStatus> Warmer::Status(std::string_view id) const {
  MutexLock lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end())
    return NotFoundError("no warm job '" + Printable(id, 40) + "'").WithParam("id");
  return it->second->status;
}

bool Warmer::stopping() {
  MutexLock lock(mu_);
  return stop_;
}

void Warmer::Loop() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      MutexLock lock(mu_);
      while (!stop_ && queue_.empty()) cv_.Wait(mu_);
      if (stop_) return;
      job = queue_.front();
      queue_.pop_front();
      job->status.state = "running";
    }
    int failed = 0;
    for (const std::string& sym : job->req.symbols) {
      for (Interval iv : job->req.intervals) {
        for (const auto& [a, b] : job->req.ranges) {
          if (stopping()) return;
          HistoryOptions o;
          o.interval = iv;
          o.start = a;
          o.end = b;
          o.provider = job->req.provider;
          auto r = api_.History(std::span<const std::string>(&sym, 1), o);
          MutexLock lock(mu_);
          job->status.completed += 1;
          if (!r.ok()) {
            ++failed;
            if (job->status.errors.size() < 100)
              job->status.errors.push_back(sym + " " + std::string(IntervalName(iv)) + ": " +
                                           r.status().ToString());
          }
        }
      }
    }
    MutexLock lock(mu_);
    job->status.state = failed == job->status.total && failed > 0 ? "failed" : "done";
    finished_.push_back(job->status.id);
    while (finished_.size() > max_finished_) {
      jobs_.erase(finished_.front());
      finished_.pop_front();
    }
  }
}

}  // namespace finex::cache
