// What a loaded Config becomes: the TOML `finex config print` shows
// (secrets redacted) and the options of the engine, the HTTP server and the
// service (config.h). Split from config.cc, which loads and validates.
#include <algorithm>
#include <charconv>
#include <string>

#include "finex/cli/config.h"
#include "finex/core/provider_id.h"
#include "finex/provider/traits.h"

namespace finex::cli {
namespace {

std::string RedactUrl(const std::string& url) {
  // scheme://user:password@host → scheme://user:***@host
  const size_t scheme = url.find("://");
  const size_t at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string RedactDsn(const std::string& dsn) {
  if (dsn.find("://") != std::string::npos) return RedactUrl(dsn);
  std::string out = dsn;
  const size_t p = out.find("password=");
  if (p == std::string::npos) return out;
  size_t e = out.find(' ', p);
  if (e == std::string::npos) e = out.size();
  return out.replace(p + 9, e - p - 9, "***");
}

std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Num(double d) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  std::string s(buf, p);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

std::string PrintConfig(const Config& c, const EnvLookup& lookup) {
  std::string o;
  o += "# effective finex configuration (profile: " + c.profile +
       ", file: " + (c.source_file.empty() ? std::string("none") : c.source_file) + ")\n";
  o += "# precedence: flags > FINEX_SECTION__KEY environment > file > profile defaults\n\n";
  o += "[cache]\n";
  o += "backend = " + TomlString(c.backend) + "\n";
  o += "fragment_size = " + TomlString(c.fragment_size) + "\n";
  o += "ttl_multiplier = " + Num(c.ttl_multiplier) + "\n";
  o += std::string("prefetch_enabled = ") + (c.prefetch_enabled ? "true" : "false") + "\n";
  o += std::string("monitoring_enabled = ") + (c.monitoring_enabled ? "true" : "false") + "\n";
  o += "max_memory_mb = " + std::to_string(c.max_memory_mb) + "\n";
  o += "live_refresh_s = " + std::to_string(c.live_refresh_s) + "\n";
  o += "worker_threads = " + std::to_string(c.worker_threads) + "\n\n[features]\n";
  for (const auto& [k, v] : c.features) o += k + " = " + (v ? "true" : "false") + "\n";
  o += "\n[backends.redis]\nurl = " + TomlString(RedactUrl(c.redis_url)) + "\n";
  o += "\n[backends.postgres]\ndsn = " + TomlString(RedactDsn(c.postgres_dsn)) + "\n";
  o += "\n[backends.parquet_dir]\npath = " + TomlString(c.parquet_dir) + "\n";
  o += "\n[backends.influxdb]\nurl = " + TomlString(RedactUrl(c.influxdb_url)) +
       "\ndatabase = " + TomlString(c.influxdb_database) + "\n";
  for (const auto& [name, p] : c.providers) {
    o += "\n[providers." + name + "]\n";
    o += std::string("enabled = ") + (p.enabled ? "true" : "false") + "\n";
    o += "base_url = " + TomlString(RedactUrl(p.base_url)) +
         (p.base_url.empty() ? "  # the real provider" : "") + "\n";
    o += "timeout_ms = " + std::to_string(p.timeout_ms) + "\n";
    o += "plan = " + TomlString(p.plan) + "\n";
    o += "rate_limit_per_min = " + Num(p.rate_limit_per_min) + "\n";
    o += "calls_per_day = " + std::to_string(p.calls_per_day) +
         (p.calls_per_day == 0 ? "  # unlimited" : "") + "\n";
    o += "api_key_env = " + TomlString(p.api_key_env);
    if (!p.api_key_env.empty()) {
      o += lookup(p.api_key_env).has_value() ? "  # key: set (redacted)" : "  # key: not set";
    }
    if (ProviderOffForMissingKey(c, name, lookup)) o += "  (provider off until the key is set)";
    o += "\nmax_retries = " + std::to_string(p.max_retries) + "\n";
    o += "breaker_failures = " + std::to_string(p.breaker_failures) + "\n";
    o += "breaker_open_ms = " + std::to_string(p.breaker_open_ms) + "\n";
  }
  o += "\n[monitoring]\n";
  o += "alert_webhook_url = " + TomlString(RedactUrl(c.alert_webhook_url)) + "\n";
  o += "memory_alert_ratio = " + Num(c.memory_alert_ratio) + "\n";
  o += "hit_rate_floor = " + Num(c.hit_rate_floor) + "\n";
  o += "call_reduction_floor = " + Num(c.call_reduction_floor) + "\n";
  o += "error_rate_ceiling = " + Num(c.error_rate_ceiling) + "\n";
  o += "alert_window_s = " + std::to_string(c.alert_window_s) + "\n";
  o += "alert_min_requests = " + std::to_string(c.alert_min_requests) + "\n";
  o += "alert_eval_interval_ms = " + std::to_string(c.alert_eval_interval_ms) + "\n";
  o += "alert_webhook_attempts = " + std::to_string(c.alert_webhook_attempts) + "\n";
  o += "alert_webhook_backoff_ms = " + std::to_string(c.alert_webhook_backoff_ms) + "\n";
  o += "\n[server]\n";
  o += "listen = " + TomlString(c.listen) + "\n";
  o += "admin_token_env = " + TomlString(c.admin_token_env) +
       (lookup(c.admin_token_env).has_value() ? "  # token: set (redacted)"
                                              : "  # token: not set (admin routes disabled)") +
       "\n";
  const std::pair<const char*, int64_t> ints[] = {
      {"threads", c.threads},
      {"max_connections", c.max_connections},
      {"max_symbols", c.max_symbols},
      {"max_rows", c.max_rows},
      {"max_inflight", c.max_inflight},
      {"max_body_bytes", c.max_body_bytes},
      {"max_url_bytes", c.max_url_bytes},
      {"max_header_bytes", c.max_header_bytes},
      {"header_timeout_ms", c.header_timeout_ms},
      {"idle_timeout_ms", c.idle_timeout_ms},
      {"answer_cache_mb", c.answer_cache_mb},
      {"answer_cache_ttl_ms", c.answer_cache_ttl_ms},
      {"drain_ms", c.drain_ms},
      {"cold_miss_per_minute", c.cold_miss_per_minute},
      {"cold_miss_burst", c.cold_miss_burst},
      {"negative_ttl_s", c.negative_ttl_s},
  };
  for (const auto& [k, v] : ints) o += std::string(k) + " = " + std::to_string(v) + "\n";
  o += "access_log = " + TomlString(c.access_log) + "\n";
  o += "cold_miss_key = " + TomlString(c.cold_miss_key) + "\n";
  return o;
}

bool ProviderOffForMissingKey(const Config& c, const std::string& provider,
                              const EnvLookup& lookup) {
  Result<ProviderId> id = ParseProviderId(provider);
  if (!id.ok() || !provider::TraitsOf(*id).needs_api_key) return false;
  auto it = c.providers.find(provider);
  if (it == c.providers.end() || !it->second.enabled) return false;
  if (c.IsExplicit("providers." + provider + ".enabled")) return false;
  const std::string& env = it->second.api_key_env;
  return env.empty() || lookup(env).value_or("").empty();
}

engine::EngineOptions ToEngineOptions(const Config& c, const EnvLookup& lookup) {
  engine::EngineOptions e;
  e.backend = c.backend;
  e.redis_url = c.redis_url;
  e.postgres_dsn = c.postgres_dsn;
  e.influxdb_url = c.influxdb_url;
  e.influxdb_database = c.influxdb_database;
  e.parquet_dir = c.parquet_dir.empty() ? DefaultCacheDir(lookup) : c.parquet_dir;
  e.fragment_size = c.fragment_size;
  e.ttl_multiplier = c.ttl_multiplier;
  e.prefetch_enabled = c.prefetch_enabled;
  e.monitoring_enabled = c.monitoring_enabled;
  e.max_memory_mb = c.max_memory_mb;
  e.live_refresh_s = c.live_refresh_s;
  e.features = c.features;
  e.worker_threads = static_cast<int>(c.worker_threads);
  for (const auto& [name, p] : c.providers) {
    engine::ProviderOptions po;
    po.enabled = p.enabled && !ProviderOffForMissingKey(c, name, lookup);
    po.base_url = p.base_url;
    po.timeout_ms = p.timeout_ms;
    po.plan = p.plan;
    po.rate_limit_per_min = p.rate_limit_per_min;
    po.calls_per_day = p.calls_per_day;
    if (!p.api_key_env.empty()) po.api_key = lookup(p.api_key_env).value_or("");
    po.max_retries = p.max_retries;
    po.breaker_failures = p.breaker_failures;
    po.breaker_open_ms = p.breaker_open_ms;
    e.providers[name] = po;
  }
  e.provider_order = c.provider_order;
  return e;
}

http::ServerOptions ToServerOptions(const Config& c) {
  http::ServerOptions s;
  s.listen = c.listen;
  s.threads = static_cast<int>(c.threads);
  s.max_url_bytes = static_cast<size_t>(c.max_url_bytes);
  s.max_header_bytes = static_cast<size_t>(c.max_header_bytes);
  s.max_body_bytes = static_cast<size_t>(c.max_body_bytes);
  s.max_connections = static_cast<int>(c.max_connections);
  s.header_timeout_ms = static_cast<int>(c.header_timeout_ms);
  s.idle_timeout_ms = static_cast<int>(c.idle_timeout_ms);
  return s;
}

server::ServiceOptions ToServiceOptions(const Config& c, const EnvLookup& lookup) {
  server::ServiceOptions s;
  s.limits.max_symbols = static_cast<size_t>(c.max_symbols);
  s.limits.max_rows = c.max_rows;
  s.max_body_bytes = static_cast<size_t>(c.max_body_bytes);
  s.max_inflight = static_cast<int>(c.max_inflight);
  s.admin_token_env = c.admin_token_env;
  s.admin_token = lookup(c.admin_token_env).value_or("");
  s.answer_cache_bytes = static_cast<size_t>(c.answer_cache_mb) << 20;
  s.answer_cache_ttl_ms = static_cast<int>(c.answer_cache_ttl_ms);
  s.access_log = c.access_log;
  s.alerts.enabled = c.monitoring_enabled;
  s.alerts.webhook_url = c.alert_webhook_url;
  s.alerts.memory_alert_ratio = c.memory_alert_ratio;
  s.alerts.hit_rate_floor = c.hit_rate_floor;
  s.alerts.call_reduction_floor = c.call_reduction_floor;
  s.alerts.error_rate_ceiling = c.error_rate_ceiling;
  s.alerts.window_s = static_cast<int>(c.alert_window_s);
  s.alerts.min_requests = static_cast<int>(c.alert_min_requests);
  s.alerts.eval_interval_ms = static_cast<int>(c.alert_eval_interval_ms);
  s.alerts.webhook_attempts = static_cast<int>(c.alert_webhook_attempts);
  s.alerts.webhook_backoff_ms = static_cast<int>(c.alert_webhook_backoff_ms);
  s.cold_miss.per_minute = static_cast<int>(c.cold_miss_per_minute);
  s.cold_miss.burst = static_cast<int>(c.cold_miss_burst);
  s.cold_miss.key = c.cold_miss_key;
  s.cold_miss.negative_ttl_s = static_cast<int>(c.negative_ttl_s);
  return s;
}

}  // namespace finex::cli
