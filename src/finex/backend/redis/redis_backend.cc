#include "finex/backend/redis/redis_backend.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <map>

#include "finex/backend/detail/integrity.h"

namespace finex::backend {
namespace {

// Lists live keys of one series in [min, max) lex order, pruning index
// entries whose value is gone (expired or deleted by another node).
// KEYS[1] = index; ARGV = min, max, data-key prefix, limit.
constexpr std::string_view kScanScript = R"lua(
local ks = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2])
local out = {}
local lim = tonumber(ARGV[4])
for _, k in ipairs(ks) do
  if redis.call('EXISTS', ARGV[3] .. k) == 1 then
    out[#out + 1] = k
    if lim > 0 and #out >= lim then break end
  else
    redis.call('ZREM', KEYS[1], k)
  end
end
return out
)lua";

// Deletes KEYS[1] only if it still holds ARGV[1] (a damaged value we read),
// so a good value written meanwhile by another node survives.
constexpr std::string_view kDeleteIfEqualScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
)lua";

std::string EscapeTag(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '%' || c == '{' || c == '}') {
      static const char* kHex = "0123456789ABCDEF";
      out.push_back('%');
      out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string TagPrefix(std::string_view series) { return "{" + EscapeTag(series) + "}"; }

// Number of ':' in s.
size_t Colons(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), ':'));
}

std::string Str(const redisReply* r) { return std::string(r->str, r->len); }

}  // namespace

Result<std::unique_ptr<Backend>> OpenRedisBackend(const RedisOptions& options) {
  FINEX_ASSIGN_OR_RETURN(std::shared_ptr<RedisClient> client, RedisClient::Open(options));
  return std::unique_ptr<Backend>(new RedisBackend(std::move(client)));
}

RedisBackend::RedisBackend(std::shared_ptr<RedisClient> client) : client_(std::move(client)) {
  FINEX_CHECK(client_ != nullptr);
}

std::string RedisBackend::SeriesOf(std::string_view key) {
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    pos = key.find(':', pos);
    if (pos == std::string_view::npos) return std::string(key);
    if (i < 2) ++pos;
  }
  return std::string(key.substr(0, pos));
}

std::string RedisBackend::DataKey(std::string_view key) {
  return TagPrefix(SeriesOf(key)) + ":v:" + std::string(key);
}

std::string RedisBackend::IndexKey(std::string_view series) { return TagPrefix(series) + ":idx"; }

std::optional<Bytes> RedisBackend::Verify(std::string_view key, std::string_view raw) {
  auto payload = detail::Unseal(raw);
  if (payload.ok()) return Bytes(*payload);
  corrupt_.fetch_add(1, std::memory_order_relaxed);
  const std::string dk = DataKey(key), ik = IndexKey(SeriesOf(key));
  // Best effort: if Redis is unreachable now, the next read deletes it.
  client_->Command({"EVAL", kDeleteIfEqualScript, "2", dk, ik, raw, key}).status().IgnoreError();
  return std::nullopt;
}

Result<std::optional<Bytes>> RedisBackend::DoGet(std::string_view key) {
  const std::string dk = DataKey(key);
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r, client_->Command({"GET", dk}));
  FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "GET"));
  if (r->type == REDIS_REPLY_NIL) return std::optional<Bytes>();
  if (r->type != REDIS_REPLY_STRING) return InternalError("redis GET: unexpected reply type");
  return Verify(key, std::string_view(r->str, r->len));
}

Result<std::vector<std::optional<Bytes>>> RedisBackend::DoGetMultiple(
    std::span<const std::string> keys) {
  std::vector<std::optional<Bytes>> out(keys.size());
  if (keys.empty()) return out;
  // One MGET per chunk, all chunks in one pipeline (one server or Sentinel).
  constexpr size_t kChunk = 512;
  std::vector<std::string> dks;
  dks.reserve(keys.size());
  for (const auto& k : keys) dks.push_back(DataKey(k));
  std::vector<RedisCommand> cmds;
  if (client_->cluster()) {
    // Redis Cluster: keys of different series live in different slots, and
    // MGET must stay in one; a GET each, pipelined per node.
    for (const std::string& dk : dks) cmds.push_back({"GET", dk});
    FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
    for (size_t i = 0; i < replies.size(); ++i) {
      FINEX_RETURN_IF_ERROR(ReplyError(replies[i].get(), "GET"));
      if (replies[i]->type == REDIS_REPLY_STRING)
        out[i] = Verify(keys[i], std::string_view(replies[i]->str, replies[i]->len));
    }
    return out;
  }
  for (size_t i = 0; i < keys.size(); i += kChunk) {
    RedisCommand c{"MGET"};
    for (size_t j = i; j < std::min(keys.size(), i + kChunk); ++j) c.push_back(dks[j]);
    cmds.push_back(std::move(c));
  }
  FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
  size_t idx = 0;
  for (auto& r : replies) {
    FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "MGET"));
    if (r->type != REDIS_REPLY_ARRAY) return InternalError("redis MGET: unexpected reply type");
    for (size_t j = 0; j < r->elements; ++j, ++idx) {
      const redisReply* e = r->element[j];
      if (e->type == REDIS_REPLY_STRING)
        out[idx] = Verify(keys[idx], std::string_view(e->str, e->len));
    }
  }
  return out;
}

Status RedisBackend::DoPut(std::string_view key, ByteView value, const PutOptions& opts) {
  const std::string series = SeriesOf(key);
  const std::string dk = DataKey(key), ik = IndexKey(series);
  const Bytes sealed = detail::Seal(value);
  const std::string ttl = std::to_string(opts.ttl_ms);
  // Index first, then the value: an index entry without a value is pruned by
  // scans; a value without an index entry would be invisible to them.
  std::vector<RedisCommand> cmds = {{"ZADD", kSeriesSetKey, "0", series}, {"ZADD", ik, "0", key}};
  if (opts.ttl_ms > 0) {
    cmds.push_back({"SET", dk, sealed, "PX", ttl});
  } else {
    cmds.push_back({"SET", dk, sealed});
  }
  FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
  for (auto& r : replies) FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "SET"));
  return OkStatus();
}

Status RedisBackend::DoDelete(std::string_view key) {
  const std::string dk = DataKey(key), ik = IndexKey(SeriesOf(key));
  FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline({{"DEL", dk}, {"ZREM", ik, key}}));
  for (auto& r : replies) FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "DEL"));
  return OkStatus();
}

Result<std::vector<std::string>> RedisBackend::DoScanPrefix(std::string_view prefix, size_t limit) {
  // Which series can hold keys starting with prefix: with >= 3 ':' only
  // SeriesOf(prefix); otherwise every series that starts with prefix.
  std::vector<std::string> series;
  if (Colons(prefix) >= 3) {
    series.push_back(SeriesOf(prefix));
  } else {
    const std::string lo = prefix.empty() ? "-" : "[" + std::string(prefix);
    const std::string hi = prefix.empty() ? "+" : "(" + std::string(prefix) + "\x7f";
    FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r,
                           client_->Command({"ZRANGEBYLEX", kSeriesSetKey, lo, hi}));
    FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "ZRANGEBYLEX"));
    for (size_t i = 0; i < r->elements; ++i) series.push_back(Str(r->element[i]));
  }
  std::vector<std::string> out;
  if (series.empty()) return out;
  const std::string lo = prefix.empty() ? "-" : "[" + std::string(prefix);
  const std::string hi = prefix.empty() ? "+" : "(" + std::string(prefix) + "\x7f";
  const std::string lim = std::to_string(limit);
  std::vector<std::string> iks, dps;
  for (const auto& s : series) {
    iks.push_back(IndexKey(s));
    dps.push_back(TagPrefix(s) + ":v:");
  }
  constexpr size_t kBatch = 256;
  for (size_t i = 0; i < series.size(); i += kBatch) {
    std::vector<RedisCommand> cmds;
    for (size_t j = i; j < std::min(series.size(), i + kBatch); ++j)
      cmds.push_back({"EVAL", kScanScript, "1", iks[j], lo, hi, dps[j], lim});
    FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
    for (auto& r : replies) {
      FINEX_RETURN_IF_ERROR(ReplyError(r.get(), "scan script"));
      for (size_t k = 0; k < r->elements; ++k) out.push_back(Str(r->element[k]));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

Result<size_t> RedisBackend::DoDeletePrefix(std::string_view prefix) {
  FINEX_ASSIGN_OR_RETURN(std::vector<std::string> keys, DoScanPrefix(prefix, 0));
  size_t deleted = 0;
  constexpr size_t kBatch = 500;
  for (size_t i = 0; i < keys.size(); i += kBatch) {
    std::vector<std::string> dks, iks;
    const size_t end = std::min(keys.size(), i + kBatch);
    for (size_t j = i; j < end; ++j) {
      dks.push_back(DataKey(keys[j]));
      iks.push_back(IndexKey(SeriesOf(keys[j])));
    }
    std::vector<RedisCommand> cmds;
    for (size_t j = i; j < end; ++j) {
      cmds.push_back({"DEL", dks[j - i]});
      cmds.push_back({"ZREM", iks[j - i], keys[j]});
    }
    FINEX_ASSIGN_OR_RETURN(auto replies, client_->Pipeline(cmds));
    for (size_t j = 0; j < replies.size(); ++j) {
      FINEX_RETURN_IF_ERROR(ReplyError(replies[j].get(), "DEL"));
      if (j % 2 == 0 && replies[j]->type == REDIS_REPLY_INTEGER) deleted += replies[j]->integer;
    }
  }
  return deleted;
}

Status RedisBackend::DoPing() {
  FINEX_ASSIGN_OR_RETURN(RedisReplyPtr r, client_->Command({"PING"}));
  return ReplyError(r.get(), "PING");
}

BackendStats RedisBackend::stats() const {
  BackendStats s;
  AddOpStats(&s);
  s.corrupt = corrupt_.load(std::memory_order_relaxed);
  // keys: sum of index sizes (may include entries not yet pruned);
  // bytes: the server's used_memory. Both best effort: on error, 0.
  auto series = client_->Command({"ZRANGE", kSeriesSetKey, "0", "-1"});
  if (series.ok() && (*series)->type == REDIS_REPLY_ARRAY) {
    std::vector<std::string> iks;
    for (size_t i = 0; i < (*series)->elements; ++i)
      iks.push_back(IndexKey(Str((*series)->element[i])));
    std::vector<RedisCommand> cmds;
    for (const auto& ik : iks) cmds.push_back({"ZCARD", ik});
    if (!cmds.empty()) {
      auto r = client_->Pipeline(cmds);
      if (r.ok())
        for (auto& c : *r)
          if (c->type == REDIS_REPLY_INTEGER) s.keys += static_cast<uint64_t>(c->integer);
    }
  }
  auto info = client_->Command({"INFO", "memory"});
  if (info.ok() && (*info)->type == REDIS_REPLY_STRING) {
    std::string text = Str(info->get());
    auto p = text.find("used_memory:");
    if (p != std::string::npos) s.bytes = std::strtoull(text.c_str() + p + 12, nullptr, 10);
  }
  return s;
}

}  // namespace finex::backend
