// Redis Cluster client logic on hiredis (issue 15): what RedisClient does
// when its URL is redis-cluster://[[user]:password@]host:port,host:port...
// (seed nodes; db 0 only).
//
// - Slots: CRC16 (XMODEM) of the key mod 16384; when the key has a hash tag
//   ("{...}" with at least one byte inside, the first such), only the tag is
//   hashed. finex's Redis layout tags every series ({<series>}:v:..,
//   {<series>}:idx), so a series — values, index and scan script — stays in
//   one slot.
// - Slot map: CLUSTER SLOTS, asked of any known node (the masters of the
//   last map, then the seeds) at start, after MOVED, and after a node could
//   not be reached (at most every 50 ms).
// - Pipeline: each command goes to the master of its key's slot (commands
//   are grouped per node: one round trip per node involved; replies come back
//   in the caller's order). Keyless commands go to any master, except PING,
//   which goes to every master (a health probe must see a lost master).
//   MOVED: refresh the map and resend; ASK: ASKING + the command to the named
//   node; TRYAGAIN / CLUSTERDOWN / a node that cannot be reached: refresh and
//   retry (4 rounds), then kUnavailable.
// - Multi-key commands must stay within one slot (as in Redis itself): the
//   Redis backend sends GETs instead of cross-series MGETs in cluster mode.
// - Pub/sub: PUBLISH on any node reaches subscribers on every node (the
//   cluster bus forwards it); ConnectAny gives the subscriber a connection to
//   any live node.
//
// Thread-safety: all methods are thread-safe. Ownership: owns one pooled
// RedisClient per node (created on first use, kept while the node is known).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/backend/redis/redis_client.h"
#include "finex/core/mutex.h"

namespace finex::backend {

inline constexpr int kRedisClusterSlots = 16384;

// CRC16/XMODEM, as Redis Cluster uses it (CRC16("123456789") == 0x31C3).
uint16_t RedisCrc16(std::string_view data);
// The slot of a key (hash tags honoured).
int RedisKeySlot(std::string_view key);
// The key a command routes by: argv[1] for ordinary commands, the first key
// of EVAL/EVALSHA, nullopt for keyless commands (PING, INFO, PUBLISH, ...).
std::optional<std::string_view> RedisCommandKey(const RedisCommand& command);

// A parsed CLUSTER SLOTS answer: the master of every slot ("" host = none).
struct RedisSlotMap {
  std::vector<RedisAddress> masters;  // distinct, in the order seen
  std::vector<int16_t> owner;         // slot -> index into masters, -1 = unassigned
  // nullopt when the reply is not a CLUSTER SLOTS answer. `asked` is used
  // when a node reports its own address as "" (unknown).
  static std::optional<RedisSlotMap> FromReply(const redisReply* r, const RedisAddress& asked);
  bool complete() const;
};

class RedisCluster {
 public:
  // options.url is the redis-cluster:// URL (already parsed into `ep`).
  RedisCluster(RedisOptions options, RedisEndpoint ep);
  ~RedisCluster();

  // Fetches the slot map now; kUnavailable when no node answers.
  Status Refresh();
  Result<std::vector<RedisReplyPtr>> Pipeline(const std::vector<RedisCommand>& commands);
  // A dedicated connection to any live node (for SUBSCRIBE).
  Result<RedisContextPtr> ConnectAny(int command_timeout_ms);
  // The current master of a key's slot ("" host before the first map).
  RedisAddress MasterOf(std::string_view key) const;
  bool healthy() const;
  std::string Describe() const;

 private:
  std::shared_ptr<RedisClient> ClientFor(const RedisAddress& node);
  // Refreshes unless one was done within the last 50 ms (or force).
  void MaybeRefresh(bool force);
  std::vector<RedisAddress> KnownNodes() const;

  const RedisOptions options_;
  const RedisEndpoint endpoint_;
  mutable Mutex mu_;
  std::shared_ptr<const RedisSlotMap> map_ FINEX_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<RedisClient>> clients_ FINEX_GUARDED_BY(mu_);
  int64_t last_refresh_us_ FINEX_GUARDED_BY(mu_) = 0;
  Mutex refresh_mu_;  // one refresh at a time; taken before mu_, never inside it
};

}  // namespace finex::backend
