// finex configuration (API.md "Configuration: finex.toml"): one Config built
// from four layers, later layers winning:
//   1. the profile's seed defaults (--profile / FINEX_PROFILE:
//      development | production; default production),
//   2. the TOML file (--config, else $XDG_CONFIG_HOME/finex/config.toml or
//      ~/.config/finex/config.toml when it exists),
//   3. the environment: FINEX_<SECTION>__<KEY>, nested sections joined by
//      "__" (FINEX_CACHE__MAX_MEMORY_MB=512, FINEX_PROVIDERS__YAHOO__BASE_URL=..,
//      FINEX_FEATURES__SIMD_DECODE=true), plus FINEX_SIM_URL=http://host:port
//      which points every provider at a `finex sim`,
//   4. command-line flags (given as key=value overrides by the CLI).
// Unknown keys, unknown providers and bad values stop start-up: the error
// names the file and line (or the environment variable / flag) and the key.
//
// Thread-safety: plain values and pure functions; LoadConfig reads the
// environment through the given lookup and the file system.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/provider_id.h"
#include "finex/core/status.h"
#include "finex/engine/engine.h"
#include "finex/http/server.h"
#include "finex/server/service.h"

namespace finex::cli {

// The default order providers are asked in (Config::provider_order): every
// provider of kAllProviders once, the keyless broad ones first (Yahoo,
// Binance), then the keyed ones, CoinGecko last.
inline constexpr ProviderId kDefaultProviderOrder[] = {
    ProviderId::kYahoo, ProviderId::kBinance, ProviderId::kTwelveData, ProviderId::kAlphaVantage,
    ProviderId::kCoinGecko};
static_assert([] {
  if (std::size(kDefaultProviderOrder) != std::size(kAllProviders)) return false;
  for (ProviderId id : kAllProviders) {
    if (std::count(std::begin(kDefaultProviderOrder), std::end(kDefaultProviderOrder), id) != 1)
      return false;
  }
  return true;
}());
// The names of kDefaultProviderOrder.
std::vector<std::string> DefaultProviderOrder();

struct ProviderConfig {
  bool enabled = true;
  std::string base_url;  // "" = the real provider
  int timeout_ms = 5000;
  // What the key's plan allows (provider::ProviderConfig::plan):
  // "auto" | "free" | "premium".
  std::string plan = "auto";
  double rate_limit_per_min = 60;
  // Calls per UTC day (the provider's daily quota); 0 = unlimited. Profile
  // default: the provider's facts (alpha_vantage 25, twelve_data 800); with
  // plan "premium" and no explicit value, 0.
  int64_t calls_per_day = 0;
  std::string api_key_env;  // name of the env var holding the key; "" = none
  int max_retries = 2;
  int breaker_failures = 5;
  int breaker_open_ms = 30000;
};

struct Config {
  std::string profile = "production";
  std::string source_file;  // the TOML file read, "" if none

  // [cache]
  std::string backend = "memory";           // memory | redis | postgres | parquet_dir | influxdb
  std::string fragment_size = "optimized";  // small | optimized
  double ttl_multiplier = 1.0;
  // Refresh period of the forming bar (live pieces), seconds; 0 = per
  // interval, the seed's real-time range (fragment/ttl_policy.h).
  int64_t live_refresh_s = 0;
  bool prefetch_enabled = true;
  bool monitoring_enabled = true;
  int64_t max_memory_mb = 8192;
  int64_t worker_threads = 4;
  // [features]
  std::map<std::string, bool> features;
  // [backends.*]
  std::string redis_url = "redis://127.0.0.1:6379/0";
  std::string postgres_dsn;
  std::string parquet_dir;  // "" = $XDG_CACHE_HOME/finex or ~/.cache/finex
  std::string influxdb_url = "http://127.0.0.1:8086";
  std::string influxdb_database = "finex";
  // [providers.<name>] (always holds the five known providers)
  std::map<std::string, ProviderConfig> providers;
  // Default: yahoo, binance, twelve_data, alpha_vantage, coingecko (DefaultProviderOrder()).
  std::vector<std::string> provider_order = DefaultProviderOrder();
  // [monitoring] (alerts: server/alerts.h)
  std::string alert_webhook_url;  // "" = no webhook
  double memory_alert_ratio = 0.9;
  double hit_rate_floor = 0;        // 0 = off
  double call_reduction_floor = 0;  // 0 = off
  double error_rate_ceiling = 0.05;
  int64_t alert_window_s = 300;
  int64_t alert_min_requests = 20;
  int64_t alert_eval_interval_ms = 1000;
  int64_t alert_webhook_attempts = 5;
  int64_t alert_webhook_backoff_ms = 500;
  // [server]
  std::string listen = "127.0.0.1:8080";
  std::string admin_token_env = "FINEX_ADMIN_TOKEN";
  int64_t threads = 2;
  int64_t max_connections = 100000;
  int64_t max_symbols = 100;
  int64_t max_rows = 1000000;
  int64_t max_inflight = 256;
  int64_t max_body_bytes = 1 << 20;
  int64_t max_url_bytes = 8192;
  int64_t max_header_bytes = 16384;
  int64_t header_timeout_ms = 10000;
  int64_t idle_timeout_ms = 60000;
  int64_t answer_cache_mb = 64;
  int64_t answer_cache_ttl_ms = 1000;
  int64_t drain_ms = 10000;
  std::string access_log = "errors";  // off | errors | all
  // Per-client cold-miss budget (server/cold_budget.h); 0 = none.
  int64_t cold_miss_per_minute = 0;
  int64_t cold_miss_burst = 0;
  std::string cold_miss_key = "address";
  int64_t negative_ttl_s = 600;

  // Keys set explicitly by the file, the environment or a flag.
  std::set<std::string> explicit_keys;
  bool IsExplicit(std::string_view key) const { return explicit_keys.count(std::string(key)) > 0; }
};

// The seed defaults of a profile; InvalidArgument for an unknown profile.
Result<Config> ProfileDefaults(std::string_view profile);

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The real environment.
EnvLookup ProcessEnv();
// Every FINEX_* variable of the real environment (name, value).
std::vector<std::pair<std::string, std::string>> ProcessFinexEnv();

struct LoadOptions {
  std::string profile;      // --profile; "" = FINEX_PROFILE or production
  std::string config_path;  // --config; "" = the XDG default if it exists
  // FINEX_* variables to apply (name, value); see ProcessFinexEnv().
  std::vector<std::pair<std::string, std::string>> env;
  EnvLookup lookup;  // for FINEX_PROFILE, XDG_CONFIG_HOME, HOME; null = ProcessEnv()
  // Flag overrides, applied last: ("server.listen", "0.0.0.0:8080").
  std::vector<std::pair<std::string, std::string>> flags;
};

// Builds the effective Config. InvalidArgument naming file:line and key (or
// the environment variable / flag) on any unknown key or bad value;
// NotFound when --config names a missing file.
Result<Config> LoadConfig(const LoadOptions& opts);

// Applies one textual override (flags/env form) to cfg; `origin` is used in
// error messages ("flag --listen", "environment FINEX_CACHE__BACKEND").
Status ApplyOverride(Config& cfg, std::string_view key, std::string_view value,
                     std::string_view origin);

// Points every provider at a simulator: base_url = sim_url + "/" + provider.
void PointAtSimulator(Config& cfg, std::string_view sim_url);

// The effective configuration as TOML, secrets redacted (passwords in URLs
// and DSNs; API keys are never printed, only whether their variable is set).
std::string PrintConfig(const Config& cfg, const EnvLookup& lookup);

// The default local cache directory: $XDG_CACHE_HOME/finex or ~/.cache/finex.
std::string DefaultCacheDir(const EnvLookup& lookup);

// True when `provider` cannot answer without an API key (its facts say so:
// alpha_vantage, twelve_data), has none (its api_key_env variable unset or empty) and
// `enabled` was not set explicitly: ToEngineOptions leaves it out, so its
// "API key missing" rejections never stand in for another provider's answer
// (an unknown symbol is a 404, not the last keyless provider's refusal).
bool ProviderOffForMissingKey(const Config& cfg, const std::string& provider,
                              const EnvLookup& lookup);

// Translations. API keys are resolved from the named variables.
engine::EngineOptions ToEngineOptions(const Config& cfg, const EnvLookup& lookup);
http::ServerOptions ToServerOptions(const Config& cfg);
server::ServiceOptions ToServiceOptions(const Config& cfg, const EnvLookup& lookup);

}  // namespace finex::cli
