#include "finex/server/cold_budget.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "finex/server/detail/json.h"

namespace finex::server {

http::Response ColdMissRefused(const Status& s, std::string_view request_id) {
  const int retry = std::max(1, static_cast<int>(std::ceil(s.details().retry_after_s)));
  http::Response r = http::Response::Problem(429, kColdMissBudgetParam, s.message(),
                                             {{"retry_after_seconds", std::to_string(retry)},
                                              {"request_id", detail::JsonQuote(request_id)}});
  r.headers.emplace_back("Retry-After", std::to_string(retry));
  return r;
}

Status ValidateColdMissBudget(const ColdMissBudgetOptions& o) {
  if (o.per_minute < 0) {
    return InvalidArgumentError("cold_miss_per_minute must be >= 0")
        .WithParam("cold_miss_per_minute");
  }
  if (o.burst < 0) return InvalidArgumentError("cold_miss_burst must be >= 0");
  if (o.key != "address" && o.key != "token") {
    return InvalidArgumentError("cold_miss_key must be \"address\" or \"token\"");
  }
  if (o.negative_ttl_s < 0) return InvalidArgumentError("negative_ttl_s must be >= 0");
  if (o.max_clients == 0 || o.max_negative == 0) {
    return InvalidArgumentError("max_clients and max_negative must be > 0");
  }
  return OkStatus();
}

ColdMissBudget::ColdMissBudget(ColdMissBudgetOptions opts)
    : opts_(std::move(opts)),
      capacity_(static_cast<double>(opts_.burst > 0 ? opts_.burst : opts_.per_minute)),
      per_us_(static_cast<double>(opts_.per_minute) / 60e6) {}

std::string ColdMissBudget::ClientOf(std::string_view remote,
                                     std::string_view authorization) const {
  if (opts_.key == "token" && authorization.size() > 7) {
    const std::string_view scheme = authorization.substr(0, 7);
    if (scheme == "Bearer " || scheme == "bearer ") {
      std::string_view tok = authorization.substr(7);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      if (!tok.empty()) return "token:" + std::string(tok);
    }
  }
  std::string_view host = remote;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(
        1, host.find(']') == std::string_view::npos ? host.size() - 1 : host.find(']') - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return "addr:" + std::string(host);
}

Status ColdMissBudget::Take(const std::string& client, int64_t now_us) {
  if (!enabled()) return OkStatus();
  double wait_s = 0;
  {
    MutexLock lock(mu_);
    auto it = buckets_.find(client);
    if (it == buckets_.end()) {
      if (buckets_.size() >= opts_.max_clients && !lru_.empty()) {
        buckets_.erase(lru_.back());
        lru_.pop_back();
      }
      lru_.push_front(client);
      it = buckets_.emplace(client, Bucket{capacity_, now_us, lru_.begin()}).first;
    } else {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
    }
    Bucket& b = it->second;
    if (now_us > b.at_us) {
      b.tokens = std::min(capacity_, b.tokens + static_cast<double>(now_us - b.at_us) * per_us_);
      b.at_us = now_us;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      charged_.fetch_add(1, std::memory_order_relaxed);
      return OkStatus();
    }
    wait_s = (1 - b.tokens) / (per_us_ * 1e6);
  }
  refused_.fetch_add(1, std::memory_order_relaxed);
  return ResourceExhaustedError("this client's budget of " + std::to_string(opts_.per_minute) +
                                " uncached requests per minute is spent; cached data is still "
                                "served")
      .WithRetryAfter(std::max(1.0, std::ceil(wait_s - 1e-6)));  // 1e-6: float noise
}

void ColdMissBudget::RememberUnknown(const std::string& request_key, const std::string& detail,
                                     int64_t now_us) {
  if (!enabled() || opts_.negative_ttl_s <= 0) return;
  MutexLock lock(mu_);
  const int64_t expires = now_us + static_cast<int64_t>(opts_.negative_ttl_s) * 1000000;
  auto it = negative_.find(request_key);
  if (it != negative_.end()) {
    it->second.expires_us = expires;
    it->second.detail = detail;
    negative_order_.splice(negative_order_.begin(), negative_order_, it->second.order);
    return;
  }
  if (negative_.size() >= opts_.max_negative && !negative_order_.empty()) {
    negative_.erase(negative_order_.back());
    negative_order_.pop_back();
  }
  negative_order_.push_front(request_key);
  negative_.emplace(request_key, Negative{expires, detail, negative_order_.begin()});
}

std::optional<std::string> ColdMissBudget::KnownUnknown(const std::string& request_key,
                                                        int64_t now_us) {
  if (!enabled() || opts_.negative_ttl_s <= 0) return std::nullopt;
  MutexLock lock(mu_);
  auto it = negative_.find(request_key);
  if (it == negative_.end()) return std::nullopt;
  if (now_us >= it->second.expires_us) {
    negative_order_.erase(it->second.order);
    negative_.erase(it);
    return std::nullopt;
  }
  negative_hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.detail;
}

}  // namespace finex::server
