#include "finex/backend/redis/redis_shared.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "finex/core/clock.h"

namespace finex::backend {
namespace {

constexpr std::string_view kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

constexpr std::string_view kExtendScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
)lua";

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 512) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

}  // namespace

std::string RandomHexToken() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(MonotonicMicros()));
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int w = 0; w < 2; ++w) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i) out.push_back(kHex[(v >> (4 * i)) & 0xf]);
  }
  return out;
}

// ---------------------------------------------------------------- bus

RedisInvalidationBus::RedisInvalidationBus(std::shared_ptr<RedisClient> client,
                                           InvalidationBusOptions options,
                                           MessageCallback on_message,
                                           ResubscribedCallback on_resubscribed)
    : client_(std::move(client)),
      options_(std::move(options)),
      on_message_(std::move(on_message)),
      on_resubscribed_(std::move(on_resubscribed)) {}

Result<std::unique_ptr<RedisInvalidationBus>> RedisInvalidationBus::Start(
    std::shared_ptr<RedisClient> client, InvalidationBusOptions options, MessageCallback on_message,
    ResubscribedCallback on_resubscribed) {
  if (client == nullptr) return InvalidArgumentError("invalidation bus needs a redis client");
  if (!on_message) return InvalidArgumentError("invalidation bus needs a message callback");
  if (!ValidName(options.channel))
    return InvalidArgumentError("invalidation channel must be 1..512 printable ASCII bytes")
        .WithParam("channel");
  if (options.node_id.empty()) options.node_id = RandomHexToken();
  if (!ValidName(options.node_id))
    return InvalidArgumentError("node id must be 1..512 printable ASCII bytes")
        .WithParam("node_id");
  if (options.reconnect_backoff_max_ms < 1) options.reconnect_backoff_max_ms = 1;
  std::unique_ptr<RedisInvalidationBus> bus(new RedisInvalidationBus(
      std::move(client), std::move(options), std::move(on_message), std::move(on_resubscribed)));
  bus->thread_ = std::thread([b = bus.get()] { b->Run(); });
  return bus;
}

RedisInvalidationBus::~RedisInvalidationBus() {
  stop_.store(true);
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

Result<int64_t> RedisInvalidationBus::Publish(std::string_view message) {
  const std::string payload = options_.node_id + "\n" + std::string(message);
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r, client_->Command({"PUBLISH", options_.channel, payload}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "PUBLISH"));
  return static_cast<int64_t>(r->integer);
}

bool RedisInvalidationBus::WaitSubscribed(int timeout_ms) const {
  MutexLock l(mu_);
  return cv_.WaitFor(mu_, std::chrono::milliseconds(timeout_ms),
                     [&] { return subscribed_.load(); });
}

void RedisInvalidationBus::SleepInterruptibly(int ms) {
  MutexLock l(mu_);
  cv_.WaitFor(mu_, std::chrono::milliseconds(ms), [&] { return stop_.load(); });
}

void RedisInvalidationBus::Run() {
  int backoff = 0;
  while (!stop_.load()) {
    const uint64_t before = subscriptions_.load();
    Session();
    if (stop_.load()) break;
    // A session that got subscribed resets the backoff.
    backoff = subscriptions_.load() > before
                  ? 0
                  : std::min(std::max(backoff * 2, 10), options_.reconnect_backoff_max_ms);
    if (backoff > 0) SleepInterruptibly(backoff);
  }
}

void RedisInvalidationBus::Session() {
  auto conn = client_->ConnectDedicated(client_->options().command_timeout_ms);
  if (!conn.ok()) return;
  redisContext* c = conn->get();
  auto send = [&](const RedisCommand& cmd) -> bool {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK)
      return false;
    int done = 0;
    while (!done)
      if (redisBufferWrite(c, &done) != REDIS_OK) return false;
    return true;
  };
  if (!send({"SUBSCRIBE", options_.channel})) return;
  int64_t last_seen = MonotonicMicros(), last_ping = last_seen;
  for (;;) {
    if (stop_.load()) break;
    void* raw = nullptr;
    if (redisGetReplyFromReader(c, &raw) != REDIS_OK) break;
    if (raw != nullptr) {
      RedisReplyPtr r(static_cast<redisReply*>(raw));
      last_seen = MonotonicMicros();
      if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
          r->element[0]->type != REDIS_REPLY_STRING)
        continue;
      std::string_view kind(r->element[0]->str, r->element[0]->len);
      if (kind == "subscribe") {
        const bool again = subscriptions_.fetch_add(1) > 0;
        {
          MutexLock l(mu_);
          subscribed_.store(true);
        }
        cv_.SignalAll();
        if (again && on_resubscribed_) on_resubscribed_();
      } else if (kind == "message" && r->elements >= 3 &&
                 r->element[2]->type == REDIS_REPLY_STRING) {
        std::string_view payload(r->element[2]->str, r->element[2]->len);
        auto nl = payload.find('\n');
        std::string_view origin =
            nl == std::string_view::npos ? std::string_view() : payload.substr(0, nl);
        std::string_view msg = nl == std::string_view::npos ? payload : payload.substr(nl + 1);
        if (options_.deliver_own || origin != options_.node_id) on_message_(origin, msg);
      }
      continue;  // drain everything already buffered
    }
    const int64_t now = MonotonicMicros();
    if (now - last_seen > 3'000'000) break;  // hung server: reconnect
    if (now - last_ping > 1'000'000) {
      last_ping = now;
      if (!send({"PING"})) break;
    }
    pollfd p{c->fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && redisBufferRead(c) != REDIS_OK) break;
  }
  {
    MutexLock l(mu_);
    subscribed_.store(false);
  }
}

// ---------------------------------------------------------------- leases

RedisLeases::RedisLeases(std::shared_ptr<RedisClient> client, std::string prefix)
    : client_(std::move(client)), prefix_(std::move(prefix)) {}

std::string RedisLeases::LeaseKey(std::string_view name) const {
  return prefix_ + "{" + std::string(name) + "}";
}

Result<std::optional<Lease>> RedisLeases::TryAcquire(std::string_view name, int64_t ttl_ms) {
  if (ttl_ms <= 0) return InvalidArgumentError("lease ttl_ms must be > 0").WithParam("ttl_ms");
  if (!ValidName(name))
    return InvalidArgumentError("lease name must be 1..512 printable ASCII bytes");
  Lease lease{LeaseKey(name), RandomHexToken()};
  const std::string ttl = std::to_string(ttl_ms);
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r,
                         client_->Command({"SET", lease.key, lease.token, "NX", "PX", ttl}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "SET NX"));
  if (r->type == REDIS_REPLY_NIL) return std::optional<Lease>();
  return std::optional<Lease>(std::move(lease));
}

Result<bool> RedisLeases::Release(const Lease& lease) {
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r,
                         client_->Command({"EVAL", kReleaseScript, "1", lease.key, lease.token}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "lease release"));
  return r->type == REDIS_REPLY_INTEGER && r->integer == 1;
}

Result<bool> RedisLeases::Extend(const Lease& lease, int64_t ttl_ms) {
  if (ttl_ms <= 0) return InvalidArgumentError("lease ttl_ms must be > 0").WithParam("ttl_ms");
  const std::string ttl = std::to_string(ttl_ms);
  FINEX_ASSIGN_OR_RETURN(
      RedisReplyPtr r, client_->Command({"EVAL", kExtendScript, "1", lease.key, lease.token, ttl}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "lease extend"));
  return r->type == REDIS_REPLY_INTEGER && r->integer == 1;
}

Result<bool> RedisLeases::IsHeld(std::string_view name) {
  const std::string key = LeaseKey(name);
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r, client_->Command({"EXISTS", key}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "EXISTS"));
  return r->type == REDIS_REPLY_INTEGER && r->integer == 1;
}

Result<RedisLeases::WaitOutcome> RedisLeases::WaitForResult(
    std::string_view name, const std::function<Result<bool>()>& ready, int64_t timeout_ms) {
  const int64_t deadline = MonotonicMicros() + timeout_ms * 1000;
  int sleep_ms = 5;
  for (;;) {
    FINEX_ASSIGN_OR_RETURN(bool ok, ready());
    if (ok) return WaitOutcome::kReady;
    FINEX_ASSIGN_OR_RETURN(bool held, IsHeld(name));
    if (!held) {
      // The owner may have published and released between the two checks.
      FINEX_ASSIGN_OR_RETURN(bool ok2, ready());
      return ok2 ? WaitOutcome::kReady : WaitOutcome::kLeaseGone;
    }
    const int64_t left_ms = (deadline - MonotonicMicros()) / 1000;
    if (left_ms <= 0) return WaitOutcome::kTimeout;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(sleep_ms, left_ms)));
    sleep_ms = std::min(sleep_ms * 2, 50);
  }
}

}  // namespace finex::backend
