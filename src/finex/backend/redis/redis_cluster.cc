#include "finex/backend/redis/redis_cluster.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "finex/core/clock.h"

namespace finex::backend {
namespace {

std::string NodeName(const RedisAddress& a) { return a.host + ":" + std::to_string(a.port); }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" -> the address.
std::optional<RedisAddress> RedirectTarget(std::string_view msg) {
  auto sp = msg.rfind(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::string_view hp = msg.substr(sp + 1);
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  RedisAddress a;
  a.host = std::string(hp.substr(0, colon));
  a.port = std::atoi(std::string(hp.substr(colon + 1)).c_str());
  if (a.host.empty() || a.port <= 0 || a.port > 65535) return std::nullopt;
  return a;
}

enum class ReplyKind { kOk, kMoved, kAsk, kRetry };

ReplyKind Classify(const redisReply* r) {
  if (r == nullptr || r->type != REDIS_REPLY_ERROR) return ReplyKind::kOk;
  std::string_view m(r->str, r->len);
  if (m.rfind("MOVED ", 0) == 0) return ReplyKind::kMoved;
  if (m.rfind("ASK ", 0) == 0) return ReplyKind::kAsk;
  if (m.rfind("TRYAGAIN", 0) == 0 || m.rfind("CLUSTERDOWN", 0) == 0) return ReplyKind::kRetry;
  return ReplyKind::kOk;  // an ordinary error reply: the caller's
}

}  // namespace

uint16_t RedisCrc16(std::string_view data) {
  uint16_t crc = 0;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c) << 8;
    for (int i = 0; i < 8; ++i)
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
  }
  return crc;
}

int RedisKeySlot(std::string_view key) {
  auto open = key.find('{');
  if (open != std::string_view::npos) {
    auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  return RedisCrc16(key) & (kRedisClusterSlots - 1);
}

std::optional<std::string_view> RedisCommandKey(const RedisCommand& c) {
  if (c.empty()) return std::nullopt;
  const std::string_view name = c[0];
  if (IEquals(name, "EVAL") || IEquals(name, "EVALSHA")) {
    if (c.size() >= 4 && c[2] != "0") return c[3];
    return std::nullopt;
  }
  for (std::string_view keyless : {"PING", "INFO", "PUBLISH", "SCRIPT", "CLUSTER", "ROLE", "AUTH",
                                   "SELECT", "DBSIZE", "TIME", "ECHO", "READONLY", "ASKING"})
    if (IEquals(name, keyless)) return std::nullopt;
  if (c.size() < 2) return std::nullopt;
  return c[1];
}

std::optional<RedisSlotMap> RedisSlotMap::FromReply(const redisReply* r,
                                                    const RedisAddress& asked) {
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return std::nullopt;
  RedisSlotMap m;
  m.owner.assign(kRedisClusterSlots, -1);
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
        e->element[0]->type != REDIS_REPLY_INTEGER || e->element[1]->type != REDIS_REPLY_INTEGER ||
        e->element[2]->type != REDIS_REPLY_ARRAY || e->element[2]->elements < 2)
      return std::nullopt;
    const long long lo = e->element[0]->integer, hi = e->element[1]->integer;
    if (lo < 0 || hi >= kRedisClusterSlots || lo > hi) return std::nullopt;
    const redisReply* node = e->element[2];
    if (node->element[0]->type != REDIS_REPLY_STRING ||
        node->element[1]->type != REDIS_REPLY_INTEGER)
      return std::nullopt;
    RedisAddress a{std::string(node->element[0]->str, node->element[0]->len),
                   static_cast<int>(node->element[1]->integer)};
    if (a.host.empty() || a.host == "?") a.host = asked.host;
    auto it = std::find_if(m.masters.begin(), m.masters.end(), [&](const RedisAddress& x) {
      return x.host == a.host && x.port == a.port;
    });
    int16_t idx = static_cast<int16_t>(it - m.masters.begin());
    if (it == m.masters.end()) m.masters.push_back(a);
    for (long long s = lo; s <= hi; ++s) m.owner[s] = idx;
  }
  return m;
}

bool RedisSlotMap::complete() const {
  return !owner.empty() &&
         std::none_of(owner.begin(), owner.end(), [](int16_t o) { return o < 0; });
}

RedisCluster::RedisCluster(RedisOptions options, RedisEndpoint ep)
    : options_(std::move(options)), endpoint_(std::move(ep)) {}

RedisCluster::~RedisCluster() = default;

std::string RedisCluster::Describe() const {
  std::string s = "cluster (";
  for (size_t i = 0; i < endpoint_.seeds.size(); ++i)
    s += (i ? "," : "") + NodeName(endpoint_.seeds[i]);
  return s + ")";
}

std::shared_ptr<RedisClient> RedisCluster::ClientFor(const RedisAddress& node) {
  const std::string name = NodeName(node);
  MutexLock l(mu_);
  auto& c = clients_[name];
  if (c == nullptr) {
    RedisEndpoint ep;
    ep.host = node.host;
    ep.port = node.port;
    ep.user = endpoint_.user;
    ep.password = endpoint_.password;
    RedisOptions o = options_;
    o.url = "redis://" + name + "/0";
    o.lazy_connect = true;
    c = std::shared_ptr<RedisClient>(new RedisClient(o, std::move(ep)));
  }
  return c;
}

std::vector<RedisAddress> RedisCluster::KnownNodes() const {
  std::vector<RedisAddress> nodes;
  {
    MutexLock l(mu_);
    if (map_) nodes = map_->masters;
  }
  for (const RedisAddress& s : endpoint_.seeds)
    if (std::none_of(nodes.begin(), nodes.end(),
                     [&](const RedisAddress& n) { return n.host == s.host && n.port == s.port; }))
      nodes.push_back(s);
  return nodes;
}

Status RedisCluster::Refresh() {
  MutexLock one(refresh_mu_);
  std::string errors;
  std::shared_ptr<const RedisSlotMap> best;
  for (const RedisAddress& n : KnownNodes()) {
    auto r = ClientFor(n)->Pipeline({{"CLUSTER", "SLOTS"}});
    if (!r.ok()) {
      errors += (errors.empty() ? "" : "; ") + r.status().message();
      continue;
    }
    if ((*r)[0]->type == REDIS_REPLY_ERROR) {
      errors += (errors.empty() ? "" : "; ") + NodeName(n) + ": " +
                std::string((*r)[0]->str, (*r)[0]->len);
      continue;
    }
    auto m = RedisSlotMap::FromReply((*r)[0].get(), n);
    if (!m) {
      errors += (errors.empty() ? "" : "; ") + NodeName(n) + ": not a CLUSTER SLOTS answer";
      continue;
    }
    best = std::make_shared<const RedisSlotMap>(std::move(*m));
    if (best->complete()) break;  // else: maybe a node with a fresher view has all
  }
  MutexLock l(mu_);
  last_refresh_us_ = MonotonicMicros();
  if (!best)
    return UnavailableError("redis " + Describe() + ": no node answered CLUSTER SLOTS: " + errors);
  map_ = std::move(best);
  return OkStatus();
}

void RedisCluster::MaybeRefresh(bool force) {
  {
    MutexLock l(mu_);
    if (!force && map_ && MonotonicMicros() - last_refresh_us_ < 50'000) return;
  }
  (void)Refresh();
}

RedisAddress RedisCluster::MasterOf(std::string_view key) const {
  MutexLock l(mu_);
  if (!map_) return {};
  const int16_t o = map_->owner[RedisKeySlot(key)];
  return o < 0 ? RedisAddress{} : map_->masters[o];
}

bool RedisCluster::healthy() const {
  MutexLock l(mu_);
  if (!map_) return false;
  for (const auto& [name, c] : clients_)
    if (!c->healthy()) return false;
  return true;
}

Result<std::vector<RedisReplyPtr>> RedisCluster::Pipeline(const std::vector<RedisCommand>& cmds) {
  std::vector<RedisReplyPtr> out(cmds.size());
  std::vector<size_t> pending(cmds.size());
  for (size_t i = 0; i < cmds.size(); ++i) pending[i] = i;
  Status last = UnavailableError("redis " + Describe() + ": no slot map");
  bool moved = false;  // a MOVED answer: the map is stale for sure
  for (int round = 0; round < 4 && !pending.empty(); ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10 * round));
    std::shared_ptr<const RedisSlotMap> map;
    {
      MutexLock l(mu_);
      map = map_;
    }
    if (!map || round > 0) {
      MaybeRefresh(/*force=*/!map || moved);
      moved = false;
      MutexLock l(mu_);
      map = map_;
    }
    if (!map || map->masters.empty()) {
      last = UnavailableError("redis " + Describe() + ": no slot map (no node answered)");
      continue;
    }
    // Group by node: index into masters; PING fans out to every master.
    std::map<int, std::vector<size_t>> groups;
    std::vector<size_t> pings;
    for (size_t i : pending) {
      auto key = RedisCommandKey(cmds[i]);
      if (!key && cmds[i].size() == 1 && IEquals(cmds[i][0], "PING")) {
        pings.push_back(i);
        continue;
      }
      int node = 0;
      if (key) {
        node = map->owner[RedisKeySlot(*key)];
        if (node < 0) {
          last = UnavailableError("redis " + Describe() + ": slot " +
                                  std::to_string(RedisKeySlot(*key)) + " is not served");
          continue;  // stays pending via `next`
        }
      }
      groups[node].push_back(i);
    }
    std::vector<size_t> next;
    for (size_t i : pending) {
      auto key = RedisCommandKey(cmds[i]);
      if (key && map->owner[RedisKeySlot(*key)] < 0) next.push_back(i);
    }
    std::vector<std::pair<size_t, RedisAddress>> asks;
    for (auto& [node, idxs] : groups) {
      std::vector<RedisCommand> sub;
      sub.reserve(idxs.size());
      for (size_t i : idxs) sub.push_back(cmds[i]);
      auto r = ClientFor(map->masters[node])->Pipeline(sub);
      if (!r.ok()) {
        last = r.status();
        next.insert(next.end(), idxs.begin(), idxs.end());
        continue;
      }
      for (size_t j = 0; j < idxs.size(); ++j) {
        RedisReplyPtr& rep = (*r)[j];
        switch (Classify(rep.get())) {
          case ReplyKind::kOk:
            out[idxs[j]] = std::move(rep);
            break;
          case ReplyKind::kAsk: {
            auto t = RedirectTarget(std::string_view(rep->str, rep->len));
            if (t) {
              asks.emplace_back(idxs[j], *t);
            } else {
              out[idxs[j]] = std::move(rep);
            }
            break;
          }
          case ReplyKind::kMoved:
            moved = true;
            [[fallthrough]];
          case ReplyKind::kRetry:
            last = UnavailableError("redis " + Describe() + ": " + std::string(rep->str, rep->len));
            next.push_back(idxs[j]);
            break;
        }
      }
    }
    for (auto& [i, target] : asks) {
      auto r = ClientFor(target)->Pipeline({{"ASKING"}, cmds[i]});
      if (r.ok() && Classify((*r)[1].get()) == ReplyKind::kOk) {
        out[i] = std::move((*r)[1]);
      } else {
        if (!r.ok()) last = r.status();
        next.push_back(i);
      }
    }
    for (size_t i : pings) {
      RedisReplyPtr pong;
      bool ok = true;
      for (const RedisAddress& m : map->masters) {
        auto r = ClientFor(m)->Pipeline({cmds[i]});
        if (!r.ok()) {
          last = r.status();
          ok = false;
          break;
        }
        pong = std::move((*r)[0]);
      }
      if (ok) {
        out[i] = std::move(pong);
      } else {
        next.push_back(i);
      }
    }
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    pending.swap(next);
  }
  if (!pending.empty())
    return last.code() == StatusCode::kUnavailable ? last : UnavailableError(last.message());
  return out;
}

Result<RedisContextPtr> RedisCluster::ConnectAny(int command_timeout_ms) {
  Status last = UnavailableError("redis " + Describe() + ": no node known");
  for (const RedisAddress& n : KnownNodes()) {
    auto c = ClientFor(n)->ConnectDedicated(command_timeout_ms);
    if (c.ok()) return c;
    last = c.status();
  }
  MaybeRefresh(false);
  return last;
}

}  // namespace finex::backend
