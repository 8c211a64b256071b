// ColdMissBudget: the provider quota is not one client's to spend.
//
// A "cold miss" is a request that would make finex call a provider (data not
// cached). Each client — its address, or its bearer token when `key` is
// "token" and it sends one — has a token bucket of `per_minute` cold misses
// (refilled continuously, holding at most `burst`). The engine consults the
// budget through the request options' provider-call gate
// (cache::ProviderCallGate), so it is charged only when a provider call is
// really about to go out: cached answers, answers another request is already
// fetching and answers another node fetched are never charged nor refused.
// Beyond the budget the call is refused (ResourceExhausted with
// retry_after_s = when the next token arrives) and the service answers 429
// with Retry-After.
//
// Negative answers: with a budget configured, a request answered "unknown
// symbol" (404) is remembered by its normalized key for negative_ttl_s, so
// repeating it costs neither a provider call nor budget.
//
// Thread-safety: every method is thread-safe (one mutex; the gate is called
// from the engine's worker threads).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "finex/core/mutex.h"
#include "finex/core/status.h"
#include "finex/http/server.h"

namespace finex::server {

// The `param` of a refusal by the budget (how the service tells it from
// other ResourceExhausted failures).
inline constexpr std::string_view kColdMissBudgetParam = "cold_miss_budget";

// The 429 problem for a refusal (code "cold_miss_budget", Retry-After and
// retry_after_seconds from s.details().retry_after_s).
http::Response ColdMissRefused(const Status& s, std::string_view request_id);

struct ColdMissBudgetOptions {
  // Cold misses one client may cause per minute; 0 = no budget (default).
  int per_minute = 0;
  // Bucket size (a burst a fresh client may spend at once); 0 = per_minute.
  int burst = 0;
  // Who is a client: "address" (the peer address, without the port) or
  // "token" (the Authorization bearer token when one is sent, else the address).
  std::string key = "address";
  // How long an unknown-symbol answer is remembered (only while a budget is
  // configured: per_minute > 0); 0 = not remembered.
  int negative_ttl_s = 600;
  // Clients tracked at once; beyond, the least recently seen is forgotten
  // (a forgotten client starts again with a full bucket).
  size_t max_clients = 100000;
  // Remembered negative answers at most; beyond, the oldest is forgotten.
  size_t max_negative = 100000;
};

// InvalidArgument naming the option for a bad value.
Status ValidateColdMissBudget(const ColdMissBudgetOptions& opts);

class ColdMissBudget {
 public:
  explicit ColdMissBudget(ColdMissBudgetOptions opts);

  bool enabled() const { return opts_.per_minute > 0; }

  // The client a request belongs to: "token:<token>" or "addr:<ip>".
  // `remote` is "ip:port" or "[ipv6]:port"; `authorization` the raw header.
  std::string ClientOf(std::string_view remote, std::string_view authorization) const;

  // Charges one cold miss to `client` at `now_us` (monotonic microseconds).
  // OK when the budget allows it (always when disabled); else
  // ResourceExhausted naming the budget, with retry_after_s set.
  Status Take(const std::string& client, int64_t now_us) FINEX_EXCLUDES(mu_);

  // Negative answers, by normalized request key.
  void RememberUnknown(const std::string& request_key, const std::string& detail, int64_t now_us)
      FINEX_EXCLUDES(mu_);
  // The remembered detail when `request_key` was answered unknown within the
  // TTL; nullopt otherwise.
  std::optional<std::string> KnownUnknown(const std::string& request_key, int64_t now_us)
      FINEX_EXCLUDES(mu_);

  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  uint64_t charged() const { return charged_.load(std::memory_order_relaxed); }
  uint64_t negative_hits() const { return negative_hits_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_us = 0;
    std::list<std::string>::iterator lru;
  };
  struct Negative {
    int64_t expires_us = 0;
    std::string detail;
    std::list<std::string>::iterator order;
  };

  const ColdMissBudgetOptions opts_;
  const double capacity_;
  const double per_us_;  // tokens per microsecond
  Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ FINEX_GUARDED_BY(mu_);
  std::list<std::string> lru_ FINEX_GUARDED_BY(mu_);  // front = most recent
  std::unordered_map<std::string, Negative> negative_ FINEX_GUARDED_BY(mu_);
  std::list<std::string> negative_order_ FINEX_GUARDED_BY(mu_);  // front = newest
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> charged_{0};
  std::atomic<uint64_t> negative_hits_{0};
};

}  // namespace finex::server
