#include "finex/backend/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "finex/backend/redis/redis_cluster.h"
#include "finex/core/clock.h"

namespace finex::backend {
namespace {

Status BadUrl(std::string_view url, std::string_view why) {
  // Never echo a password: cut userinfo from the URL in messages.
  std::string shown(url);
  if (auto at = shown.rfind('@'); at != std::string::npos) {
    auto scheme = shown.find("://");
    if (scheme != std::string::npos && scheme < at)
      shown = shown.substr(0, scheme + 3) + "***@" + shown.substr(at + 1);
  }
  return InvalidArgumentError("redis url '" + shown + "': " + std::string(why)).WithParam("url");
}

bool ParseInt(std::string_view s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int h = hex(in[i + 1]), l = hex(in[i + 2]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
    i += 2;
  }
  return true;
}

timeval Tv(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

std::string ContextError(const redisContext* c) {
  if (c == nullptr) return "out of memory";
  std::string e = c->errstr;
  if (e.empty()) e = "connection error";
  return e;
}

}  // namespace

void RedisReplyDeleter::operator()(redisReply* r) const {
  if (r != nullptr) freeReplyObject(r);
}
void RedisContextDeleter::operator()(redisContext* c) const {
  if (c != nullptr) redisFree(c);
}

namespace {

// "host[:port]" or "[v6][:port]" into *out; an error text or "".
std::string ParseHostPort(std::string_view hostport, int default_port, RedisAddress* out) {
  if (hostport.empty()) return "has no host";
  std::string_view port;
  if (hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6] host";
    out->host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return "junk after [IPv6] host";
      port = after.substr(1);
      if (port.empty()) return "empty port";
    }
  } else {
    auto colon = hostport.find(':');
    out->host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return "empty port";
    }
  }
  if (out->host.empty()) return "has no host";
  out->port = default_port;
  if (!port.empty() && !ParseInt(port, 1, 65535, &out->port))
    return "port '" + std::string(port) + "' is not a number in 1..65535";
  return "";
}

bool ValidMasterName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  constexpr std::string_view kSentinel = "redis-sentinel://";
  constexpr std::string_view kCluster = "redis-cluster://";
  if (url.empty()) return BadUrl(url, "is empty");
  if (url.substr(0, 9) == "rediss://") return BadUrl(url, "TLS (rediss://) is not supported");
  if (url.substr(0, 7) == "unix://" || url.substr(0, 12) == "redis+unix://")
    return BadUrl(url, "unix sockets are not supported; use redis://host:port");
  const bool sentinel = url.substr(0, kSentinel.size()) == kSentinel;
  const bool cluster = url.substr(0, kCluster.size()) == kCluster;
  if (!sentinel && !cluster && url.substr(0, kScheme.size()) != kScheme)
    return BadUrl(url, "must start with redis://, redis-sentinel:// or redis-cluster://");
  std::string_view rest = url.substr(sentinel  ? kSentinel.size()
                                     : cluster ? kCluster.size()
                                               : kScheme.size());
  RedisEndpoint ep;
  if (sentinel) {
    // redis-sentinel://[userinfo@]host:port,host:port[/db]#master (Lettuce's form).
    auto hash = rest.find('#');
    if (hash == std::string_view::npos)
      return BadUrl(url, "names no master: write redis-sentinel://host:port,...#<master name>");
    ep.master_name = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
    if (!ValidMasterName(ep.master_name))
      return BadUrl(url, "master name after '#' must be 1..128 of [A-Za-z0-9._-]");
  }
  if (rest.find('?') != std::string_view::npos || rest.find('#') != std::string_view::npos)
    return BadUrl(url, "query parameters and fragments are not supported");
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return BadUrl(url, "contains whitespace or non-printable bytes");
  // userinfo
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view info = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = info.find(':');
    if (colon == std::string_view::npos)
      return BadUrl(
          url, "user without password; write redis://user:password@host or redis://:password@host");
    if (!PercentDecode(info.substr(0, colon), &ep.user) ||
        !PercentDecode(info.substr(colon + 1), &ep.password))
      return BadUrl(url, "bad percent-escape in user or password");
    if (ep.password.empty()) return BadUrl(url, "empty password after ':'");
  }
  // path (db)
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseInt(db, 0, 100000, &ep.db))
      return BadUrl(url, "database '" + std::string(db) + "' is not a number in 0..100000");
  }
  if (hostport.empty()) return BadUrl(url, "has no host");
  if (cluster && ep.db != 0) return BadUrl(url, "Redis Cluster has only database 0");
  if (!sentinel && !cluster) {
    if (hostport.find(',') != std::string_view::npos)
      return BadUrl(url,
                    "lists several hosts; use redis-sentinel://...#master for Sentinel or "
                    "redis-cluster:// for Cluster");
    RedisAddress a;
    if (std::string e = ParseHostPort(hostport, 6379, &a); !e.empty()) return BadUrl(url, e);
    ep.host = std::move(a.host);
    ep.port = a.port;
    return ep;
  }
  while (!hostport.empty()) {
    auto comma = hostport.find(',');
    std::string_view one = hostport.substr(0, comma);
    hostport = comma == std::string_view::npos ? std::string_view() : hostport.substr(comma + 1);
    if (comma != std::string_view::npos && hostport.empty()) return BadUrl(url, "ends with ','");
    RedisAddress a;
    if (std::string e = ParseHostPort(one, cluster ? 6379 : 26379, &a); !e.empty())
      return BadUrl(url, (cluster ? "node '" : "sentinel '") + std::string(one) + "' " + e);
    (cluster ? ep.seeds : ep.sentinels).push_back(std::move(a));
    if (ep.sentinels.size() + ep.seeds.size() > 64) return BadUrl(url, "lists more than 64 hosts");
  }
  // host/port: the master (Sentinel) or each slot's master (Cluster), found
  // at connect time.
  ep.host.clear();
  ep.port = 0;
  return ep;
}

bool IsReadOnlyError(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_ERROR &&
         std::string_view(r->str, r->len).find("READONLY") != std::string_view::npos;
}

Status ReplyError(const redisReply* r, std::string_view context) {
  if (r == nullptr) return UnavailableError(std::string(context) + ": no reply");
  if (r->type != REDIS_REPLY_ERROR) return OkStatus();
  std::string msg(r->str, r->len);
  const bool transient = msg.rfind("LOADING", 0) == 0 || msg.rfind("BUSY", 0) == 0 ||
                         msg.rfind("MASTERDOWN", 0) == 0 || msg.rfind("TRYAGAIN", 0) == 0 ||
                         msg.rfind("READONLY", 0) == 0;
  std::string text = "redis " + std::string(context) + ": " + msg;
  return transient ? UnavailableError(std::move(text)) : InternalError(std::move(text));
}

RedisClient::RedisClient(RedisOptions options, RedisEndpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

RedisClient::~RedisClient() {
  MutexLock l(mu_);
  for (redisContext* c : idle_) redisFree(c);
  idle_.clear();
}

Result<std::shared_ptr<RedisClient>> RedisClient::Open(const RedisOptions& options) {
  FINEX_ASSIGN_OR_RETURN(RedisEndpoint ep, ParseRedisUrl(options.url));
  auto bad = [](std::string what) {
    return InvalidArgumentError(std::move(what)).WithParam("redis");
  };
  if (options.pool_size < 1 || options.pool_size > 1024)
    return bad("redis pool_size must be in 1..1024");
  if (options.connect_timeout_ms < 1 || options.command_timeout_ms < 1 ||
      options.pool_wait_timeout_ms < 0)
    return bad("redis timeouts must be positive");
  if (options.reconnect_backoff_min_ms < 1 ||
      options.reconnect_backoff_max_ms < options.reconnect_backoff_min_ms)
    return bad("redis reconnect backoff must satisfy 1 <= min <= max");
  const bool cluster = ep.cluster();
  std::shared_ptr<RedisClient> c(new RedisClient(options, ep));
  if (cluster) c->cluster_ = std::make_unique<RedisCluster>(options, std::move(ep));
  if (!options.lazy_connect) {
    auto r = c->Command({"PING"});
    if (!r.ok()) return r.status();
    FINEX_RETURN_IF_ERROR(ReplyError(r->get(), "PING"));
  }
  return c;
}

std::string RedisClient::Describe() const {
  if (cluster_) return cluster_->Describe();
  const std::string db = "/" + std::to_string(endpoint_.db);
  if (!endpoint_.sentinel()) return endpoint_.host + ":" + std::to_string(endpoint_.port) + db;
  const RedisAddress m = master();
  return "master '" + endpoint_.master_name + "' (" +
         (m.host.empty() ? std::string("not resolved") : m.host + ":" + std::to_string(m.port)) +
         ")" + db;
}

bool RedisClient::healthy() const {
  if (cluster_) return cluster_->healthy();
  MutexLock l(mu_);
  return healthy_;
}

RedisAddress RedisClient::master() const {
  MutexLock l(addr_mu_);
  return master_;
}

void RedisClient::MarkStale() const {
  if (!endpoint_.sentinel()) return;
  MutexLock l(addr_mu_);
  master_stale_ = true;
}

Result<RedisAddress> RedisClient::ResolveMaster() const {
  if (!endpoint_.sentinel())
    return FailedPreconditionError("redis url is not redis-sentinel://: no master to resolve");
  size_t first;
  {
    MutexLock l(addr_mu_);
    first = sentinel_first_;
  }
  const size_t n = endpoint_.sentinels.size();
  std::string errors;
  for (size_t i = 0; i < n; ++i) {
    const size_t idx = (first + i) % n;
    const RedisAddress& s = endpoint_.sentinels[idx];
    const std::string where = s.host + ":" + std::to_string(s.port);
    if (!errors.empty()) errors += "; ";
    RedisContextPtr c(
        redisConnectWithTimeout(s.host.c_str(), s.port, Tv(options_.connect_timeout_ms)));
    if (c == nullptr || c->err) {
      errors += "sentinel " + where + " unreachable: " + ContextError(c.get());
      continue;
    }
    redisSetTimeout(c.get(), Tv(options_.command_timeout_ms));
    RedisReplyPtr r(static_cast<redisReply*>(redisCommand(
        c.get(), "SENTINEL get-master-addr-by-name %s", endpoint_.master_name.c_str())));
    if (r == nullptr) {
      errors += "sentinel " + where + ": " + ContextError(c.get());
      continue;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      errors += "sentinel " + where + ": " + std::string(r->str, r->len);
      continue;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING) {
      errors += "sentinel " + where + " does not know master '" + endpoint_.master_name + "'";
      continue;
    }
    RedisAddress a;
    a.host.assign(r->element[0]->str, r->element[0]->len);
    if (a.host.empty() ||
        !ParseInt(std::string_view(r->element[1]->str, r->element[1]->len), 1, 65535, &a.port)) {
      errors += "sentinel " + where + " answered a bad address";
      continue;
    }
    MutexLock l(addr_mu_);
    master_ = a;
    master_stale_ = false;
    sentinel_first_ = idx;
    return a;
  }
  return UnavailableError("redis sentinels name no master '" + endpoint_.master_name +
                          "': " + errors);
}

Result<RedisAddress> RedisClient::Target() const {
  if (!endpoint_.sentinel()) return RedisAddress{endpoint_.host, endpoint_.port};
  {
    MutexLock l(addr_mu_);
    if (!master_stale_) return master_;
  }
  return ResolveMaster();
}

Result<RedisContextPtr> RedisClient::ConnectDedicated(int command_timeout_ms) const {
  if (cluster_) return cluster_->ConnectAny(command_timeout_ms);
  FINEX_ASSIGN_OR_RETURN(RedisAddress addr, Target());
  RedisContextPtr c(
      redisConnectWithTimeout(addr.host.c_str(), addr.port, Tv(options_.connect_timeout_ms)));
  if (c == nullptr || c->err) {
    MarkStale();
    return UnavailableError("redis " + Describe() + " unreachable: " + ContextError(c.get()));
  }
  redisSetTimeout(c.get(), Tv(command_timeout_ms));
  redisEnableKeepAlive(c.get());
  auto exec = [&](const RedisCommand& cmd) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    return RedisReplyPtr(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
  };
  auto run = [&](const RedisCommand& cmd, const char* what) -> Status {
    RedisReplyPtr r = exec(cmd);
    if (r == nullptr) {
      MarkStale();
      return UnavailableError("redis " + Describe() + " " + what + ": " + ContextError(c.get()));
    }
    if (r->type == REDIS_REPLY_ERROR) {
      std::string msg(r->str, r->len);
      if (std::string_view(what) == "AUTH")
        return UnauthenticatedError("redis " + Describe() + " rejected AUTH: " + msg);
      return FailedPreconditionError("redis " + Describe() + " " + what + ": " + msg);
    }
    return OkStatus();
  };
  if (!endpoint_.password.empty()) {
    if (endpoint_.user.empty()) {
      FINEX_RETURN_IF_ERROR(run({"AUTH", endpoint_.password}, "AUTH"));
    } else {
      FINEX_RETURN_IF_ERROR(run({"AUTH", endpoint_.user, endpoint_.password}, "AUTH"));
    }
  }
  if (endpoint_.db != 0) {
    const std::string db = std::to_string(endpoint_.db);
    FINEX_RETURN_IF_ERROR(run({"SELECT", db}, "SELECT"));
  }
  if (endpoint_.sentinel()) {
    // The sentinels may still name a master that has been demoted (or one
    // just restarted as a replica): only a server that says so is used.
    RedisReplyPtr r = exec({"ROLE"});
    std::string role = "no reply";
    if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
        r->element[0]->type == REDIS_REPLY_STRING)
      role.assign(r->element[0]->str, r->element[0]->len);
    if (role != "master") {
      MarkStale();
      return UnavailableError("redis " + Describe() + " is not a master (ROLE: " + role +
                              "); asking the sentinels again");
    }
  }
  return c;
}

Result<redisContext*> RedisClient::Acquire(bool* fresh) {
  UniqueMutexLock l(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.pool_wait_timeout_ms);
  for (;;) {
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      *fresh = false;
      return c;
    }
    if (open_ < options_.pool_size) {
      const int64_t now = MonotonicMicros();
      if (now < next_connect_us_) {
        return UnavailableError("redis " + Describe() + " is down (" + last_error_ +
                                "); next reconnect in " +
                                std::to_string((next_connect_us_ - now) / 1000 + 1) + " ms");
      }
      ++open_;
      l.Unlock();
      auto c = ConnectDedicated(options_.command_timeout_ms);
      l.Lock();
      if (!c.ok()) {
        --open_;
        backoff_ms_ = backoff_ms_ == 0
                          ? options_.reconnect_backoff_min_ms
                          : std::min(backoff_ms_ * 2, options_.reconnect_backoff_max_ms);
        next_connect_us_ = MonotonicMicros() + int64_t{backoff_ms_} * 1000;
        last_error_ = c.status().message();
        healthy_ = false;
        cv_.Signal();
        return c.status();
      }
      backoff_ms_ = 0;
      next_connect_us_ = 0;
      *fresh = true;
      return std::move(c).value().release();
    }
    if (!cv_.WaitUntil(mu_, deadline) && idle_.empty() && open_ >= options_.pool_size)
      return UnavailableError("redis " + Describe() + ": no free connection within " +
                              std::to_string(options_.pool_wait_timeout_ms) + " ms (pool_size " +
                              std::to_string(options_.pool_size) + ")");
  }
}

void RedisClient::Release(redisContext* c, bool broken) {
  std::vector<redisContext*> drop;
  {
    MutexLock l(mu_);
    if (broken) {
      --open_;
      // A broken connection means the others may be stale too (server restart).
      drop.swap(idle_);
      open_ -= static_cast<int>(drop.size());
      healthy_ = false;
      last_error_ = ContextError(c);
    } else {
      idle_.push_back(c);
      healthy_ = true;
    }
  }
  cv_.SignalAll();
  if (broken) MarkStale();
  if (broken) redisFree(c);
  for (redisContext* d : drop) redisFree(d);
}

Result<std::vector<RedisReplyPtr>> RedisClient::RunOn(redisContext* c,
                                                      const std::vector<RedisCommand>& cmds) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const RedisCommand& cmd : cmds) {
    argv.clear();
    lens.clear();
    for (auto a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK)
      return UnavailableError("redis " + Describe() + ": " + ContextError(c));
  }
  std::vector<RedisReplyPtr> out;
  out.reserve(cmds.size());
  for (size_t i = 0; i < cmds.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK || r == nullptr) {
      std::string e = ContextError(c);
      if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
        e = "command timed out after " + std::to_string(options_.command_timeout_ms) + " ms";
      return UnavailableError("redis " + Describe() + ": " + e);
    }
    out.emplace_back(static_cast<redisReply*>(r));
  }
  return out;
}

Result<std::vector<RedisReplyPtr>> RedisClient::Pipeline(
    const std::vector<RedisCommand>& commands) {
  if (cluster_) return cluster_->Pipeline(commands);
  for (int attempt = 0;; ++attempt) {
    bool fresh = false;
    FINEX_ASSIGN_OR_RETURN(redisContext * c, Acquire(&fresh));
    auto r = RunOn(c, commands);
    if (r.ok()) {
      const bool demoted =
          endpoint_.sentinel() && std::any_of(r->begin(), r->end(), [](const RedisReplyPtr& p) {
            return IsReadOnlyError(p.get());
          });
      if (!demoted) {
        Release(c, false);
        return r;
      }
      // The master was demoted under us (failover): drop the pool, ask the
      // sentinels again and retry once; the READONLY replies are returned if
      // that fails too (ReplyError maps them to kUnavailable).
      Release(c, true);
      if (attempt > 0) return r;
      continue;
    }
    Release(c, true);
    // A pooled connection may have died while idle (server restart): retry
    // once on a fresh one. A fresh connection failing means the server is bad.
    if (fresh || attempt > 0) return r.status();
  }
}

Result<RedisReplyPtr> RedisClient::Command(const RedisCommand& command) {
  FINEX_ASSIGN_OR_RETURN(auto replies, Pipeline({command}));
  return std::move(replies[0]);
}

}  // namespace finex::backend
