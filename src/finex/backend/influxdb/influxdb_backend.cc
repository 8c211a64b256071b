#include "finex/backend/influxdb/influxdb_backend.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "finex/backend/detail/integrity.h"
#include "finex/core/clock.h"
#include "finex/core/symbol.h"

namespace finex::backend {
namespace {

using nlohmann::json;

// 48 KiB of value -> 64 KiB of base64: InfluxDB's largest string field.
constexpr size_t kChunkBytes = 48 * 1024;
constexpr size_t kKeysPerQuery = 100;

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Hex(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool Unhex(std::string_view s, std::string* out) {
  if (s.size() % 2) return false;
  auto v = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    int h = v(s[i]), l = v(s[i + 1]);
    if (h < 0 || l < 0) return false;
    out->push_back(static_cast<char>(h * 16 + l));
  }
  return true;
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void Base64Append(std::string_view in, std::string* out) {
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out->push_back(kB64[v >> 18]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->push_back(kB64[(v >> 6) & 63]);
    out->push_back(kB64[v & 63]);
  }
  if (const size_t rest = in.size() - i; rest > 0) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out->push_back(kB64[v >> 18]);
    out->push_back(kB64[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kB64[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

bool Base64DecodeAppend(std::string_view in, std::string* out) {
  static const auto* table = [] {
    auto* t = new int8_t[256];
    std::fill(t, t + 256, -1);
    for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kB64[i])] = static_cast<int8_t>(i);
    return t;
  }();
  if (in.size() % 4) return false;
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = in[i + j];
      if (c == '=' && i + 4 == in.size() && j >= 2) {
        v[j] = 0;
        ++pad;
        continue;
      }
      if (pad) return false;
      v[j] = table[static_cast<uint8_t>(c)];
      if (v[j] < 0) return false;
    }
    const uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out->push_back(static_cast<char>(w >> 16));
    if (pad < 2) out->push_back(static_cast<char>((w >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(w & 0xff));
  }
  return true;
}

// Line protocol string field value: quotes and backslashes escaped.
void AppendFieldString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

// Line protocol tag value: commas, equals signs and spaces escaped; empty
// tag values are not allowed, so the caller substitutes "-".
void AppendTagValue(std::string_view s, std::string* out) {
  if (s.empty()) s = "-";
  for (char c : s) {
    if (c == ',' || c == '=' || c == ' ') out->push_back('\\');
    if (c == '\n') continue;
    out->push_back(c);
  }
}

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string Trim(std::string s, size_t max = 300) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

size_t Collect(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}

struct Chunk {
  int64_t c = -1, n = 0, g = 0, x = 0;
  std::string d, h;
};

class InfluxDbBackend final : public Backend {
 public:
  explicit InfluxDbBackend(InfluxDbOptions o) : o_(std::move(o)) {
    while (!o_.url.empty() && o_.url.back() == '/') o_.url.pop_back();
    measurement_ = "\"" + o_.kv_retention_policy + "\".\"fragments\"";
    if (o_.sweep_interval_ms > 0) sweeper_ = std::thread([this] { SweepLoop(); });
  }
  ~InfluxDbBackend() override {
    {
      MutexLock l(mu_);
      stop_ = true;
    }
    cv_.SignalAll();
    if (sweeper_.joinable()) sweeper_.join();
    MutexLock l(mu_);
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  std::string_view name() const override { return "influxdb"; }
  bool supports_ttl() const override { return true; }
  bool durable() const override { return true; }
  bool shared() const override { return true; }
  BackendStats stats() const override {
    BackendStats s;
    AddOpStats(&s);
    s.corrupt = corrupt_.load();
    s.expired = expired_.load();
    return s;
  }

  Status EnsureSchema() {
    if (schema_ready_.load()) return OkStatus();
    FINEX_ASSIGN_OR_RETURN(
        json r, Query("CREATE DATABASE \"" + o_.database + "\"; CREATE RETENTION POLICY \"" +
                          o_.kv_retention_policy + "\" ON \"" + o_.database +
                          "\" DURATION INF REPLICATION 1",
                      /*need_schema=*/false));
    (void)r;
    schema_ready_.store(true);
    return OkStatus();
  }

 private:
  struct Response {
    long status = 0;
    std::string body;
  };

  CURL* AcquireHandle() {
    {
      MutexLock l(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void ReleaseHandle(CURL* h) {
    MutexLock l(mu_);
    if (static_cast<int>(idle_.size()) < o_.pool_size) {
      idle_.push_back(h);
      return;
    }
    curl_easy_cleanup(h);
  }

  // POST (or GET when body is null) url_ + path; Unavailable when the
  // server cannot be reached or answers 5xx.
  Result<Response> Http(const std::string& path, const std::string* body,
                        const char* content_type) {
    CURL* h = AcquireHandle();
    if (h == nullptr) return InternalError("influxdb: curl_easy_init failed");
    curl_easy_reset(h);
    Response resp;
    const std::string url = o_.url + path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o_.connect_timeout_ms));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o_.request_timeout_ms));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_slist* headers = nullptr;
    if (body != nullptr) {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
      headers = curl_slist_append(headers, (std::string("Content-Type: ") + content_type).c_str());
      headers = curl_slist_append(headers, "Expect:");
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    }
    if (!o_.user.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(h, CURLOPT_USERNAME, o_.user.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, o_.password.c_str());
    }
    const CURLcode rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      curl_easy_cleanup(h);  // the connection may be half-dead
      return UnavailableError("influxdb " + o_.url + " unreachable: " + curl_easy_strerror(rc));
    }
    ReleaseHandle(h);
    if (resp.status >= 500)
      return UnavailableError("influxdb " + o_.url + " answered " + std::to_string(resp.status) +
                              ": " + Trim(resp.body));
    return resp;
  }

  std::string Escape(std::string_view s) {
    CURL* h = AcquireHandle();
    char* e = curl_easy_escape(h, s.data(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    ReleaseHandle(h);
    return out;
  }

  // Runs InfluxQL statements (';'-separated); the parsed "results" array, or
  // the first statement error.
  Result<json> Query(const std::string& q, bool need_schema = true) {
    if (need_schema) FINEX_RETURN_IF_ERROR(EnsureSchema());
    const std::string body = "db=" + Escape(o_.database) + "&q=" + Escape(q);
    FINEX_ASSIGN_OR_RETURN(Response r,
                           Http("/query?epoch=ms", &body, "application/x-www-form-urlencoded"));
    json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
      return InternalError("influxdb query answered " + std::to_string(r.status) +
                           " with a non-JSON body: " + Trim(r.body));
    if (j.contains("error")) return InternalError("influxdb query failed: " + j["error"].dump());
    if (!j.contains("results") || !j["results"].is_array())
      return InternalError("influxdb query answer has no results: " + Trim(r.body));
    for (const json& res : j["results"])
      if (res.contains("error"))
        return InternalError("influxdb statement failed: " + res["error"].dump());
    return j["results"];
  }

  Status Write(const std::string& lines, bool kv) {
    std::string path = "/write?db=" + Escape(o_.database) + "&precision=" + (kv ? "ns" : "s");
    if (kv) path += "&rp=" + Escape(o_.kv_retention_policy);
    FINEX_ASSIGN_OR_RETURN(Response r, Http(path, &lines, "text/plain; charset=utf-8"));
    if (r.status != 204)
      return InternalError("influxdb write answered " + std::to_string(r.status) + ": " +
                           Trim(r.body));
    return OkStatus();
  }

  // Rows of every series of every result, as column-name -> value maps.
  static std::vector<std::map<std::string, json>> Rows(const json& results) {
    std::vector<std::map<std::string, json>> out;
    for (const json& res : results) {
      if (!res.contains("series")) continue;
      for (const json& s : res["series"]) {
        const json& cols = s["columns"];
        for (const json& v : s["values"]) {
          std::map<std::string, json> row;
          for (size_t i = 0; i < cols.size() && i < v.size(); ++i)
            row[cols[i].get<std::string>()] = v[i];
          out.push_back(std::move(row));
        }
      }
    }
    return out;
  }

  static int64_t Int(const std::map<std::string, json>& row, const char* col) {
    auto it = row.find(col);
    if (it == row.end()) return 0;
    if (it->second.is_number_integer()) return it->second.get<int64_t>();
    if (it->second.is_string()) {
      int64_t v = 0;
      if (std::sscanf(it->second.get<std::string>().c_str(), "%ld", &v) == 1) return v;
    }
    return 0;
  }
  static std::string Str(const std::map<std::string, json>& row, const char* col) {
    auto it = row.find(col);
    return it != row.end() && it->second.is_string() ? it->second.get<std::string>() : "";
  }

  static std::string KeyEquals(const std::vector<std::string>& hexes) {
    std::string w;
    for (size_t i = 0; i < hexes.size(); ++i) w += (i ? " OR \"k\"='" : "\"k\"='") + hexes[i] + "'";
    return w;
  }

  // Chunks of the keys (hex) in `hexes`, grouped by hex key.
  Result<std::map<std::string, std::vector<Chunk>>> ReadChunks(
      const std::vector<std::string>& hexes) {
    FINEX_ASSIGN_OR_RETURN(json results,
                           Query("SELECT \"c\",\"d\",\"g\",\"h\",\"n\",\"x\",\"k\" FROM " +
                                 measurement_ + " WHERE " + KeyEquals(hexes)));
    std::map<std::string, std::vector<Chunk>> out;
    for (const auto& row : Rows(results)) {
      Chunk c;
      c.c = Int(row, "c");
      c.n = Int(row, "n");
      c.g = Int(row, "g");
      c.x = Int(row, "x");
      c.d = Str(row, "d");
      c.h = Str(row, "h");
      out[Str(row, "k")].push_back(std::move(c));
    }
    return out;
  }

  // The value from its chunks, or nullopt (miss); drops expired/damaged keys.
  std::optional<Bytes> Assemble(const std::string& hex, std::vector<Chunk> chunks) {
    std::sort(chunks.begin(), chunks.end(),
              [](const Chunk& a, const Chunk& b) { return a.c < b.c; });
    if (chunks.empty() || chunks[0].c != 0) return std::nullopt;
    const Chunk& head = chunks[0];
    if (head.x > 0 && head.x <= WallMillis()) {
      expired_.fetch_add(1);
      (void)Drop("\"k\"='" + hex + "'");
      return std::nullopt;
    }
    if (head.n < 1 || static_cast<size_t>(head.n) > chunks.size()) return std::nullopt;
    Bytes value;
    for (int64_t i = 0; i < head.n; ++i) {
      if (chunks[i].c != i || chunks[i].g != head.g) return std::nullopt;  // a Put in progress
      if (!Base64DecodeAppend(chunks[i].d, &value)) return Corrupt(hex, head.g);
    }
    char want[17];
    std::snprintf(want, sizeof want, "%016llx",
                  static_cast<unsigned long long>(detail::Checksum64(value)));
    if (head.h != want) return Corrupt(hex, head.g);
    return value;
  }

  std::optional<Bytes> Corrupt(const std::string& hex, int64_t gen) {
    corrupt_.fetch_add(1);
    // Drop it only if it is still the damaged generation (a good value
    // written meanwhile by another node survives).
    auto again = ReadChunks({hex});
    if (again.ok()) {
      auto it = again->find(hex);
      if (it != again->end())
        for (const Chunk& c : it->second)
          if (c.c == 0 && c.g == gen) (void)Drop("\"k\"='" + hex + "'");
    }
    return std::nullopt;
  }

  Status Drop(const std::string& where) {
    return Query("DROP SERIES FROM \"fragments\" WHERE " + where).status();
  }

  Result<std::optional<Bytes>> DoGet(std::string_view key) override {
    const std::string hex = Hex(key);
    FINEX_ASSIGN_OR_RETURN(auto chunks, ReadChunks({hex}));
    auto it = chunks.find(hex);
    if (it == chunks.end()) return std::optional<Bytes>();
    return Assemble(hex, std::move(it->second));
  }

  Result<std::vector<std::optional<Bytes>>> DoGetMultiple(
      std::span<const std::string> keys) override {
    std::vector<std::optional<Bytes>> out(keys.size());
    for (size_t first = 0; first < keys.size(); first += kKeysPerQuery) {
      const size_t last = std::min(keys.size(), first + kKeysPerQuery);
      std::vector<std::string> hexes;
      for (size_t i = first; i < last; ++i) hexes.push_back(Hex(keys[i]));
      FINEX_ASSIGN_OR_RETURN(auto chunks, ReadChunks(hexes));
      for (size_t i = first; i < last; ++i) {
        auto it = chunks.find(hexes[i - first]);
        if (it != chunks.end()) out[i] = Assemble(it->first, it->second);
      }
    }
    return out;
  }

  Status DoPut(std::string_view key, ByteView value, const PutOptions& opts) override {
    FINEX_RETURN_IF_ERROR(EnsureSchema());
    static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                            static_cast<uint64_t>(MonotonicMicros()));
    const int64_t gen = static_cast<int64_t>(rng() >> 1);
    const int64_t expires = opts.ttl_ms > 0 ? WallMillis() + opts.ttl_ms : 0;
    const size_t n = std::max<size_t>(1, (value.size() + kChunkBytes - 1) / kChunkBytes);
    char sum[17];
    std::snprintf(sum, sizeof sum, "%016llx",
                  static_cast<unsigned long long>(detail::Checksum64(value)));
    const std::string hex = Hex(key);
    std::string lines;
    lines.reserve(value.size() * 4 / 3 + n * (hex.size() + 128) + key.size());
    for (size_t i = 0; i < n; ++i) {
      lines += "fragments,c=" + std::to_string(i) + ",k=" + hex + " d=";
      std::string b64;
      Base64Append(value.substr(std::min(value.size(), i * kChunkBytes), kChunkBytes), &b64);
      AppendFieldString(b64, &lines);
      lines += ",g=" + std::to_string(gen) + "i,h=\"" + sum + "\",n=" + std::to_string(n) +
               "i,x=" + std::to_string(expires) + "i";
      if (i == 0) {
        lines += ",key=";
        AppendFieldString(key, &lines);
      }
      lines += " 0\n";
    }
    FINEX_RETURN_IF_ERROR(Write(lines, /*kv=*/true));
    if (o_.bar_points) {
      const std::string bars = o_.bar_points(key, value);
      if (!bars.empty() && !Write(bars, /*kv=*/false).ok()) bar_errors_.fetch_add(1);
    }
    return OkStatus();
  }

  Status DoDelete(std::string_view key) override { return Drop("\"k\"='" + Hex(key) + "'"); }

  // Keys (hex -> expiry) whose hex starts with hex_prefix.
  Result<std::vector<std::pair<std::string, int64_t>>> Heads(const std::string& hex_prefix,
                                                             const std::string& extra = "") {
    FINEX_ASSIGN_OR_RETURN(json results,
                           Query("SELECT \"n\",\"x\",\"k\" FROM " + measurement_ +
                                 " WHERE \"c\"='0' AND \"k\" =~ /^" + hex_prefix + "/" + extra));
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& row : Rows(results)) out.emplace_back(Str(row, "k"), Int(row, "x"));
    return out;
  }

  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override {
    FINEX_ASSIGN_OR_RETURN(auto heads, Heads(Hex(prefix)));
    const int64_t now = WallMillis();
    std::vector<std::string> keys;
    for (const auto& [hex, x] : heads) {
      std::string k;
      if ((x > 0 && x <= now) || !Unhex(hex, &k)) continue;
      keys.push_back(std::move(k));
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (limit > 0 && keys.size() > limit) keys.resize(limit);
    return keys;
  }

  Result<size_t> DoDeletePrefix(std::string_view prefix) override {
    FINEX_ASSIGN_OR_RETURN(std::vector<std::string> live, DoScanPrefix(prefix, 0));
    FINEX_RETURN_IF_ERROR(Drop("\"k\" =~ /^" + Hex(prefix) + "/"));
    return live.size();
  }

  Status DoPing() override {
    FINEX_ASSIGN_OR_RETURN(Response r, Http("/ping", nullptr, nullptr));
    if (r.status != 204)
      return UnavailableError("influxdb /ping answered " + std::to_string(r.status));
    return EnsureSchema();
  }

  void SweepLoop() {
    UniqueMutexLock l(mu_);
    while (!stop_) {
      cv_.WaitFor(mu_, std::chrono::milliseconds(o_.sweep_interval_ms), [&] {
        mu_.AssertHeld();
        return stop_;
      });
      if (stop_) break;
      l.Unlock();
      auto heads = Heads("", " AND \"x\" > 0 AND \"x\" <= " + std::to_string(WallMillis()));
      if (heads.ok()) {
        std::vector<std::string> hexes;
        for (const auto& h : *heads) hexes.push_back(h.first);
        for (size_t i = 0; i < hexes.size(); i += kKeysPerQuery) {
          std::vector<std::string> part(hexes.begin() + i,
                                        hexes.begin() + std::min(hexes.size(), i + kKeysPerQuery));
          if (Drop(KeyEquals(part)).ok()) expired_.fetch_add(part.size());
        }
      }
      l.Lock();
    }
  }

  InfluxDbOptions o_;
  std::string measurement_;
  std::atomic<bool> schema_ready_{false};
  std::atomic<uint64_t> corrupt_{0}, expired_{0}, bar_errors_{0};
  Mutex mu_;
  CondVar cv_;
  std::vector<CURL*> idle_ FINEX_GUARDED_BY(mu_);
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  std::thread sweeper_;
};

}  // namespace

Result<std::unique_ptr<Backend>> OpenInfluxDbBackend(const InfluxDbOptions& options) {
  auto bad = [](std::string what, const char* param) {
    return InvalidArgumentError(std::move(what)).WithParam(param);
  };
  const std::string& u = options.url;
  if (u.rfind("http://", 0) != 0)
    return bad(
        "influxdb url '" + Printable(u, 64) + "' must start with http:// (https is not supported)",
        "url");
  const std::string hostport =
      u.substr(7, u.find('/', 7) == std::string::npos ? std::string::npos : u.find('/', 7) - 7);
  if (hostport.empty() || hostport.find_first_of("@?# ") != std::string::npos ||
      u.find_first_of("?# ", 7) != std::string::npos)
    return bad("influxdb url '" + Printable(u, 64) +
                   "' must be http://host[:port] (no user info, query or spaces)",
               "url");
  if (!ValidName(options.database))
    return bad("influxdb database must be 1..64 of [A-Za-z0-9_]", "database");
  if (!ValidName(options.kv_retention_policy))
    return bad("influxdb retention policy must be 1..64 of [A-Za-z0-9_]", "kv_retention_policy");
  if (options.connect_timeout_ms < 1 || options.request_timeout_ms < 1 || options.pool_size < 1 ||
      options.sweep_interval_ms < 0)
    return bad("influxdb timeouts and pool_size must be positive", "influxdb");
  static const bool curl_ready = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!curl_ready) return InternalError("curl_global_init failed");
  auto b = std::make_unique<InfluxDbBackend>(options);
  if (!options.lazy_connect) FINEX_RETURN_IF_ERROR(b->Ping());
  return std::unique_ptr<Backend>(std::move(b));
}

std::string FormatBarPoints(const BarSeriesTags& tags, std::span<const int64_t> timestamps_s,
                            std::span<const double> open, std::span<const double> high,
                            std::span<const double> low, std::span<const double> close,
                            std::span<const double> volume) {
  std::string head = "bars,currency=";
  AppendTagValue(tags.currency, &head);
  head += ",interval=";
  AppendTagValue(tags.interval, &head);
  head += ",provider=";
  AppendTagValue(tags.provider, &head);
  head += ",symbol=";
  AppendTagValue(tags.symbol, &head);
  head += ' ';
  std::string out;
  char num[64];
  for (size_t i = 0; i < timestamps_s.size(); ++i) {
    std::string fields;
    auto add = [&](const char* name, std::span<const double> col) {
      if (i >= col.size() || !std::isfinite(col[i])) return;
      std::snprintf(num, sizeof num, "%.17g", col[i]);
      if (!fields.empty()) fields += ',';
      fields += name;
      fields += '=';
      fields += num;
    };
    add("open", open);
    add("high", high);
    add("low", low);
    add("close", close);
    add("volume", volume);
    if (fields.empty()) continue;
    out += head + fields + " " + std::to_string(timestamps_s[i]) + "\n";
  }
  return out;
}

}  // namespace finex::backend
