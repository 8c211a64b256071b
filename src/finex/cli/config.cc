#include "finex/cli/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <toml.hpp>

#include "finex/core/provider_id.h"
#include "finex/provider/traits.h"

extern char** environ;

namespace finex::cli {
namespace {

enum class Kind { kString, kInt, kDouble, kBool };

struct Value {
  std::string s;
  int64_t i = 0;
  double d = 0;
  bool b = false;
};

struct Field {
  std::string key;  // "cache.backend", "providers.*.timeout_ms", "features.*"
  Kind kind;
  std::vector<std::string> choices;  // allowed strings (empty = any)
  double min = 0, max = 0;           // numeric bounds (min == max == 0: unbounded)
  std::function<Status(Config&, const std::string& sub, const Value&)> set;
};

std::string KindName(Kind k) {
  switch (k) {
    case Kind::kString:
      return "a string";
    case Kind::kInt:
      return "an integer";
    case Kind::kDouble:
      return "a number";
    case Kind::kBool:
      return "true or false";
  }
  return "";
}

Status ValidUrl(const std::string& v, std::initializer_list<std::string_view> schemes) {
  if (v.empty()) return OkStatus();
  for (std::string_view s : schemes) {
    if (v.rfind(s, 0) == 0 && v.size() > s.size()) return OkStatus();
  }
  std::string list;
  for (std::string_view s : schemes) list += (list.empty() ? "" : " or ") + std::string(s);
  return InvalidArgumentError("'" + v + "' must start with " + list);
}

Status ValidEnvName(const std::string& v) {
  for (char c : v) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return InvalidArgumentError("'" + v + "' is not an environment variable name");
    }
  }
  return OkStatus();
}

Status ValidListen(const std::string& v) {
  const size_t colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= v.size()) {
    return InvalidArgumentError("'" + v + "' is not host:port");
  }
  int port = 0;
  auto [p, ec] = std::from_chars(v.data() + colon + 1, v.data() + v.size(), port);
  if (ec != std::errc() || p != v.data() + v.size() || port < 0 || port > 65535) {
    return InvalidArgumentError("'" + v + "' has no valid port (0-65535)");
  }
  return OkStatus();
}

#define FIELD_STR(KEY, MEMBER, ...)                                                            \
  Field {                                                                                      \
    KEY, Kind::kString, __VA_ARGS__, 0, 0, [](Config& c, const std::string&, const Value& v) { \
      c.MEMBER = v.s;                                                                          \
      return OkStatus();                                                                       \
    }                                                                                          \
  }
#define FIELD_INT(KEY, MEMBER, MIN, MAX)                                               \
  Field {                                                                              \
    KEY, Kind::kInt, {}, MIN, MAX, [](Config& c, const std::string&, const Value& v) { \
      c.MEMBER = v.i;                                                                  \
      return OkStatus();                                                               \
    }                                                                                  \
  }

// A number in [MIN, MAX]. Bounds of 0..1 are checked by hand: CheckAndSet
// treats min == max == 0 as unbounded, and 0 is a valid "off" value here.
#define FIELD_DOUBLE(KEY, MEMBER, MIN, MAX)                                                     \
  Field {                                                                                       \
    KEY, Kind::kDouble, {}, 0, 0, [](Config& c, const std::string&, const Value& v) {           \
      if (!(v.d >= (MIN) && v.d <= (MAX))) {                                                    \
        char buf[96];                                                                           \
        std::snprintf(buf, sizeof(buf), "%g is outside %g..%g", v.d, double(MIN), double(MAX)); \
        return InvalidArgumentError(buf);                                                       \
      }                                                                                         \
      c.MEMBER = v.d;                                                                           \
      return OkStatus();                                                                        \
    }                                                                                           \
  }

const std::vector<Field>& Schema() {
  static const auto* fields = new std::vector<Field>{
      FIELD_STR("cache.backend", backend,
                {"memory", "redis", "postgres", "parquet_dir", "influxdb"}),
      FIELD_STR("cache.fragment_size", fragment_size, {"small", "optimized"}),
      Field{"cache.ttl_multiplier",
            Kind::kDouble,
            {},
            0.001,
            1000,
            [](Config& c, const std::string&, const Value& v) {
              c.ttl_multiplier = v.d;
              return OkStatus();
            }},
      Field{"cache.prefetch_enabled",
            Kind::kBool,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              c.prefetch_enabled = v.b;
              return OkStatus();
            }},
      Field{"cache.monitoring_enabled",
            Kind::kBool,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              c.monitoring_enabled = v.b;
              return OkStatus();
            }},
      FIELD_INT("cache.max_memory_mb", max_memory_mb, 1, 1 << 24),
      FIELD_INT("cache.live_refresh_s", live_refresh_s, 0, 86400),
      FIELD_INT("cache.worker_threads", worker_threads, 1, 256),
      Field{"features.*",
            Kind::kBool,
            {},
            0,
            0,
            [](Config& c, const std::string& sub, const Value& v) {
              c.features[sub] = v.b;
              return OkStatus();
            }},
      Field{"backends.redis.url",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidUrl(v.s, {"redis://", "redis-sentinel://",
                                                   "redis-cluster://", "rediss://", "unix://"}));
              c.redis_url = v.s;
              return OkStatus();
            }},
      FIELD_STR("backends.postgres.dsn", postgres_dsn, {}),
      FIELD_STR("backends.parquet_dir.path", parquet_dir, {}),
      Field{"backends.influxdb.url",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidUrl(v.s, {"http://"}));
              c.influxdb_url = v.s;
              return OkStatus();
            }},
      FIELD_STR("backends.influxdb.database", influxdb_database, {}),
      Field{"providers.*.enabled",
            Kind::kBool,
            {},
            0,
            0,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].enabled = v.b;
              return OkStatus();
            }},
      Field{"providers.*.base_url",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string& p, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidUrl(v.s, {"http://", "https://"}));
              std::string url = v.s;
              while (!url.empty() && url.back() == '/') url.pop_back();
              c.providers[p].base_url = url;
              return OkStatus();
            }},
      Field{"providers.*.timeout_ms",
            Kind::kInt,
            {},
            1,
            600000,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].timeout_ms = static_cast<int>(v.i);
              return OkStatus();
            }},
      Field{"providers.*.plan",
            Kind::kString,
            {"auto", "free", "premium"},
            0,
            0,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].plan = v.s;
              return OkStatus();
            }},
      Field{"providers.*.rate_limit_per_min",
            Kind::kDouble,
            {},
            0.001,
            1e7,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].rate_limit_per_min = v.d;
              return OkStatus();
            }},
      Field{"providers.*.calls_per_day",
            Kind::kInt,
            {},
            0,
            1000000000,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].calls_per_day = v.i;
              return OkStatus();
            }},
      Field{"providers.*.api_key_env",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string& p, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidEnvName(v.s));
              c.providers[p].api_key_env = v.s;
              return OkStatus();
            }},
      Field{"providers.*.max_retries",
            Kind::kInt,
            {},
            0,
            10,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].max_retries = static_cast<int>(v.i);
              return OkStatus();
            }},
      Field{"providers.*.breaker_failures",
            Kind::kInt,
            {},
            1,
            1000,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].breaker_failures = static_cast<int>(v.i);
              return OkStatus();
            }},
      Field{"providers.*.breaker_open_ms",
            Kind::kInt,
            {},
            0,
            3600000,
            [](Config& c, const std::string& p, const Value& v) {
              c.providers[p].breaker_open_ms = static_cast<int>(v.i);
              return OkStatus();
            }},
      Field{"monitoring.alert_webhook_url",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidUrl(v.s, {"http://", "https://"}));
              c.alert_webhook_url = v.s;
              return OkStatus();
            }},
      FIELD_DOUBLE("monitoring.memory_alert_ratio", memory_alert_ratio, 0.01, 1),
      FIELD_DOUBLE("monitoring.hit_rate_floor", hit_rate_floor, 0, 1),
      FIELD_DOUBLE("monitoring.call_reduction_floor", call_reduction_floor, 0, 1),
      FIELD_DOUBLE("monitoring.error_rate_ceiling", error_rate_ceiling, 0, 1),
      FIELD_INT("monitoring.alert_window_s", alert_window_s, 1, 86400),
      FIELD_INT("monitoring.alert_min_requests", alert_min_requests, 1, 1000000000),
      FIELD_INT("monitoring.alert_eval_interval_ms", alert_eval_interval_ms, 10, 3600000),
      FIELD_INT("monitoring.alert_webhook_attempts", alert_webhook_attempts, 1, 100),
      FIELD_INT("monitoring.alert_webhook_backoff_ms", alert_webhook_backoff_ms, 1, 600000),
      Field{"server.listen",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidListen(v.s));
              c.listen = v.s;
              return OkStatus();
            }},
      Field{"server.admin_token_env",
            Kind::kString,
            {},
            0,
            0,
            [](Config& c, const std::string&, const Value& v) {
              FINEX_RETURN_IF_ERROR(ValidEnvName(v.s));
              c.admin_token_env = v.s;
              return OkStatus();
            }},
      FIELD_INT("server.threads", threads, 1, 256),
      FIELD_INT("server.max_connections", max_connections, 1, 1000000),
      FIELD_INT("server.max_symbols", max_symbols, 1, 10000),
      FIELD_INT("server.max_rows", max_rows, 1, 100000000),
      FIELD_INT("server.max_inflight", max_inflight, 1, 100000),
      FIELD_INT("server.max_body_bytes", max_body_bytes, 1024, 1 << 30),
      FIELD_INT("server.max_url_bytes", max_url_bytes, 256, 1 << 20),
      FIELD_INT("server.max_header_bytes", max_header_bytes, 1024, 1 << 22),
      FIELD_INT("server.header_timeout_ms", header_timeout_ms, 100, 600000),
      FIELD_INT("server.idle_timeout_ms", idle_timeout_ms, 100, 3600000),
      FIELD_INT("server.answer_cache_mb", answer_cache_mb, 0, 1 << 20),
      FIELD_INT("server.answer_cache_ttl_ms", answer_cache_ttl_ms, 0, 3600000),
      FIELD_INT("server.drain_ms", drain_ms, 0, 600000),
      FIELD_STR("server.access_log", access_log, {"off", "errors", "all"}),
      FIELD_INT("server.cold_miss_per_minute", cold_miss_per_minute, 0, 100000000),
      FIELD_INT("server.cold_miss_burst", cold_miss_burst, 0, 100000000),
      FIELD_STR("server.cold_miss_key", cold_miss_key, {"address", "token"}),
      FIELD_INT("server.negative_ttl_s", negative_ttl_s, 0, 604800),
  };
  return *fields;
}

// Finds the schema field for a dotted key; fills `sub` with the wildcard part.
const Field* FindField(std::string_view key, std::string& sub) {
  for (const Field& f : Schema()) {
    const size_t star = f.key.find('*');
    if (star == std::string::npos) {
      if (f.key == key) return &f;
      continue;
    }
    const std::string_view prefix = std::string_view(f.key).substr(0, star);
    const std::string_view suffix = std::string_view(f.key).substr(star + 1);
    if (key.size() <= prefix.size() + suffix.size()) continue;
    if (key.substr(0, prefix.size()) != prefix) continue;
    if (key.substr(key.size() - suffix.size()) != suffix) continue;
    std::string_view mid = key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
    if (mid.empty() || mid.find('.') != std::string_view::npos) continue;
    sub = std::string(mid);
    return &f;
  }
  return nullptr;
}

std::string KnownKeysIn(std::string_view section) {
  std::string out;
  for (const Field& f : Schema()) {
    std::string_view k = f.key;
    if (k.substr(0, section.size() + 1) != std::string(section) + ".") continue;
    k.remove_prefix(section.size() + 1);
    out += (out.empty() ? "" : ", ") + std::string(k);
  }
  return out;
}

Status UnknownKey(std::string_view key) {
  // Which section does it belong to, to list what is known there?
  std::string section(key.substr(0, key.rfind('.')));
  if (key.rfind("providers.", 0) == 0) {
    const std::string name(key.substr(10, key.find('.', 10) - 10));
    if (!IsProviderName(name)) {
      return InvalidArgumentError("unknown provider '" + name +
                                  "' (known: " + JoinProviderNames(", ") + ")");
    }
    section = "providers.*";
  }
  std::string known = KnownKeysIn(section);
  if (known.empty()) {
    known =
        "sections: cache, features, backends.redis, backends.postgres, backends.parquet_dir, "
        "backends.influxdb, monitoring, providers.<name>, server";
  }
  return InvalidArgumentError("unknown key '" + std::string(key) + "' (known " + known + ")");
}

Status CheckAndSet(Config& cfg, const Field& f, const std::string& sub, const std::string& key,
                   const Value& v) {
  if (f.kind == Kind::kString && !f.choices.empty() &&
      std::find(f.choices.begin(), f.choices.end(), v.s) == f.choices.end()) {
    std::string list;
    for (const auto& c : f.choices) list += (list.empty() ? "" : ", ") + c;
    return InvalidArgumentError(key + ": '" + v.s + "' is not one of " + list);
  }
  if ((f.kind == Kind::kInt || f.kind == Kind::kDouble) && (f.min != 0 || f.max != 0)) {
    const double x = f.kind == Kind::kInt ? static_cast<double>(v.i) : v.d;
    if (x < f.min || x > f.max) {
      char buf[128];
      std::snprintf(buf, sizeof(buf), "%s: %g is outside %g..%g", key.c_str(), x, f.min, f.max);
      return InvalidArgumentError(buf);
    }
  }
  if (key.rfind("providers.", 0) == 0 && !IsProviderName(sub)) return UnknownKey(key);
  Status s = f.set(cfg, sub, v);
  if (!s.ok()) return InvalidArgumentError(key + ": " + s.message());
  cfg.explicit_keys.insert(key);
  return OkStatus();
}

Result<Value> ParseText(const Field& f, const std::string& key, std::string_view text) {
  Value v;
  switch (f.kind) {
    case Kind::kString:
      v.s = std::string(text);
      return v;
    case Kind::kBool: {
      std::string t(text);
      std::transform(t.begin(), t.end(), t.begin(), ::tolower);
      if (t == "true" || t == "1" || t == "yes" || t == "on") {
        v.b = true;
      } else if (t == "false" || t == "0" || t == "no" || t == "off") {
        v.b = false;
      } else {
        return InvalidArgumentError(key + ": '" + std::string(text) + "' is not true or false");
      }
      return v;
    }
    case Kind::kInt: {
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v.i);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
        return InvalidArgumentError(key + ": '" + std::string(text) + "' is not an integer");
      }
      return v;
    }
    case Kind::kDouble: {
      std::string t(text);
      char* end = nullptr;
      v.d = std::strtod(t.c_str(), &end);
      if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v.d)) {
        return InvalidArgumentError(key + ": '" + t + "' is not a number");
      }
      return v;
    }
  }
  return v;
}

// Walks a TOML table, applying each leaf key.
Status ApplyToml(Config& cfg, const toml::value& table, const std::string& prefix,
                 const std::string& file) {
  std::vector<std::pair<std::string, const toml::value*>> items;
  for (const auto& [k, v] : table.as_table()) items.emplace_back(k, &v);
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second->location().line() < b.second->location().line();
  });
  for (const auto& [k, vp] : items) {
    const toml::value& v = *vp;
    const std::string key = prefix.empty() ? k : prefix + "." + k;
    const std::string where = file + ":" + std::to_string(v.location().line()) + ": ";
    if (v.is_table()) {
      // Sections that hold sub-tables: backends.<name>, providers.<name>.
      if (key != "cache" && key != "features" && key != "server" && key != "backends" &&
          key != "monitoring" && key != "providers" && key != "backends.redis" &&
          key != "backends.postgres" && key != "backends.parquet_dir" &&
          key != "backends.influxdb" && !(prefix == "providers")) {
        return InvalidArgumentError(where + UnknownKey(key).message());
      }
      if (prefix == "providers" && !IsProviderName(k)) {
        return InvalidArgumentError(where + UnknownKey(key + ".x").message());
      }
      FINEX_RETURN_IF_ERROR(ApplyToml(cfg, v, key, file));
      continue;
    }
    std::string sub;
    const Field* f = FindField(key, sub);
    if (!f) return InvalidArgumentError(where + UnknownKey(key).message());
    Value val;
    bool ok = false;
    switch (f->kind) {
      case Kind::kString:
        ok = v.is_string();
        if (ok) val.s = v.as_string().str;
        break;
      case Kind::kBool:
        ok = v.is_boolean();
        if (ok) val.b = v.as_boolean();
        break;
      case Kind::kInt:
        ok = v.is_integer();
        if (ok) val.i = v.as_integer();
        break;
      case Kind::kDouble:
        ok = v.is_floating() || v.is_integer();
        if (ok) val.d = v.is_floating() ? v.as_floating() : static_cast<double>(v.as_integer());
        break;
    }
    if (!ok) return InvalidArgumentError(where + key + ": must be " + KindName(f->kind));
    Status s = CheckAndSet(cfg, *f, sub, key, val);
    if (!s.ok()) return InvalidArgumentError(where + s.message());
  }
  return OkStatus();
}

// FINEX_CACHE__MAX_MEMORY_MB → cache.max_memory_mb; "" when not a config variable.
std::string EnvToKey(std::string_view name) {
  if (name.rfind("FINEX_", 0) != 0) return "";
  std::string_view rest = name.substr(6);
  if (rest.find("__") == std::string_view::npos) return "";
  std::string key;
  size_t pos = 0;
  while (true) {
    const size_t sep = rest.find("__", pos);
    std::string part(
        rest.substr(pos, sep == std::string_view::npos ? std::string_view::npos : sep - pos));
    std::transform(part.begin(), part.end(), part.begin(), ::tolower);
    key += (key.empty() ? "" : ".") + part;
    if (sep == std::string_view::npos) break;
    pos = sep + 2;
  }
  return key;
}

}  // namespace

std::vector<std::string> DefaultProviderOrder() {
  std::vector<std::string> out;
  for (ProviderId id : kDefaultProviderOrder) out.emplace_back(ProviderName(id));
  return out;
}

Result<Config> ProfileDefaults(std::string_view profile) {
  Config c;
  // Each provider's default plan (free tiers: Alpha Vantage 5/min, Twelve Data 8/min, CoinGecko
  // ~30/min) and its key's variable, from its facts (provider/<name>/<name>_facts.h).
  for (ProviderId id : kAllProviders) {
    const provider::ProviderTraits& t = provider::TraitsOf(id);
    ProviderConfig& p = c.providers[std::string(ProviderName(id))];
    p = ProviderConfig{};
    p.rate_limit_per_min = t.calls_per_minute;
    p.calls_per_day = t.calls_per_day;
    p.api_key_env = std::string(t.api_key_env);
  }
  if (profile == "development") {
    c.profile = "development";
    c.fragment_size = "small";
    c.ttl_multiplier = 0.1;
    c.prefetch_enabled = false;
    c.monitoring_enabled = true;
    c.max_memory_mb = 1024;
  } else if (profile == "production" || profile.empty()) {
    c.profile = "production";
    c.fragment_size = "optimized";
    c.ttl_multiplier = 1.0;
    c.prefetch_enabled = true;
    c.monitoring_enabled = true;
    c.max_memory_mb = 8192;
  } else {
    return InvalidArgumentError("profile '" + std::string(profile) +
                                "' is not one of development, production")
        .WithParam("profile");
  }
  return c;
}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::vector<std::pair<std::string, std::string>> ProcessFinexEnv() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("FINEX_", 0) != 0) continue;
    const size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status ApplyOverride(Config& cfg, std::string_view key, std::string_view value,
                     std::string_view origin) {
  std::string sub;
  const Field* f = FindField(key, sub);
  const std::string where = std::string(origin) + ": ";
  if (!f)
    return InvalidArgumentError(where + UnknownKey(key).message()).WithParam(std::string(key));
  auto v = ParseText(*f, std::string(key), value);
  if (!v.ok())
    return InvalidArgumentError(where + v.status().message()).WithParam(std::string(key));
  Status s = CheckAndSet(cfg, *f, sub, std::string(key), *v);
  if (!s.ok()) return InvalidArgumentError(where + s.message()).WithParam(std::string(key));
  return OkStatus();
}

void PointAtSimulator(Config& cfg, std::string_view sim_url) {
  std::string base(sim_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (auto& [name, p] : cfg.providers) {
    p.base_url = base + "/" + name;
    cfg.explicit_keys.insert("providers." + name + ".base_url");
  }
}

Result<Config> LoadConfig(const LoadOptions& opts) {
  const EnvLookup lookup = opts.lookup ? opts.lookup : ProcessEnv();
  std::string profile = opts.profile;
  if (profile.empty()) profile = lookup("FINEX_PROFILE").value_or("");
  FINEX_ASSIGN_OR_RETURN(Config cfg, ProfileDefaults(profile));

  std::string path = opts.config_path;
  if (path.empty()) {
    std::string dir = lookup("XDG_CONFIG_HOME").value_or("");
    if (dir.empty()) {
      const std::string home = lookup("HOME").value_or("");
      if (!home.empty()) dir = home + "/.config";
    }
    if (!dir.empty()) {
      std::error_code ec;
      if (std::filesystem::is_regular_file(dir + "/finex/config.toml", ec)) {
        path = dir + "/finex/config.toml";
      }
    }
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return NotFoundError("config file '" + path + "' does not exist").WithParam("config");
    }
  }
  if (!path.empty()) {
    cfg.source_file = path;
    toml::value root;
    try {
      root = toml::parse(path);
    } catch (const std::exception& e) {
      return InvalidArgumentError(path + ": " + e.what()).WithParam("config");
    }
    Status s = ApplyToml(cfg, root, "", path);
    if (!s.ok()) return s.WithParam("config");
  }

  // Environment: FINEX_SIM_URL first, then the specific variables.
  for (const auto& [name, value] : opts.env) {
    if (name == "FINEX_SIM_URL" && !value.empty()) {
      Status s = ValidUrl(value, {"http://", "https://"});
      if (!s.ok()) return InvalidArgumentError("environment FINEX_SIM_URL: " + s.message());
      PointAtSimulator(cfg, value);
    }
  }
  for (const auto& [name, value] : opts.env) {
    const std::string key = EnvToKey(name);
    if (key.empty()) continue;
    FINEX_RETURN_IF_ERROR(ApplyOverride(cfg, key, value, "environment " + name));
  }
  for (const auto& [key, value] : opts.flags) {
    FINEX_RETURN_IF_ERROR(ApplyOverride(cfg, key, value, "flag " + key));
  }
  // A premium plan has no daily quota: the facts' figure is the free key's.
  for (auto& [name, p] : cfg.providers) {
    if (p.plan == "premium" && !cfg.IsExplicit("providers." + name + ".calls_per_day"))
      p.calls_per_day = 0;
  }
  if (cfg.backend == "postgres" && cfg.postgres_dsn.empty()) {
    return InvalidArgumentError("cache.backend is \"postgres\" but backends.postgres.dsn is empty")
        .WithParam("backends.postgres.dsn");
  }
  return cfg;
}

std::string DefaultCacheDir(const EnvLookup& lookup) {
  const std::string xdg = lookup("XDG_CACHE_HOME").value_or("");
  if (!xdg.empty()) return xdg + "/finex";
  const std::string home = lookup("HOME").value_or("");
  if (!home.empty()) return home + "/.cache/finex";
  return ".finex-cache";
}

}  // namespace finex::cli
