#include "finex/cli/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "finex/core/provider_id.h"
#include "finex/provider/traits.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cli {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("finex_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  LoadOptions Opts() {
    LoadOptions o;
    o.lookup = [this](std::string_view n) -> std::optional<std::string> {
      auto it = env_.find(std::string(n));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    return o;
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConfigTest, ProfilesSeedTheDefaults) {
  ASSERT_OK_AND_ASSIGN(Config dev, ProfileDefaults("development"));
  EXPECT_EQ(dev.fragment_size, "small");
  EXPECT_DOUBLE_EQ(dev.ttl_multiplier, 0.1);
  EXPECT_FALSE(dev.prefetch_enabled);
  ASSERT_OK_AND_ASSIGN(Config prod, ProfileDefaults("production"));
  EXPECT_EQ(prod.fragment_size, "optimized");
  EXPECT_TRUE(prod.prefetch_enabled);
  EXPECT_TRUE(prod.monitoring_enabled);
  EXPECT_EQ(prod.providers.size(), 5u);
  EXPECT_EQ(prod.listen, "127.0.0.1:8080") << "loopback by default";
  EXPECT_THAT(ProfileDefaults("staging"),
              StatusIs(StatusCode::kInvalidArgument, "development, production"));
}

TEST_F(ConfigTest, NoFileGivesTheProfile) {
  env_["FINEX_PROFILE"] = "development";
  env_["HOME"] = dir_.string();
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(Opts()));
  EXPECT_EQ(c.profile, "development");
  EXPECT_EQ(c.source_file, "");
  EXPECT_EQ(c.backend, "memory");
  EXPECT_TRUE(c.explicit_keys.empty());
}

TEST_F(ConfigTest, XdgConfigFileIsFound) {
  std::filesystem::create_directories(dir_ / "cfg/finex");
  Write("cfg/finex/config.toml", "[cache]\nmax_memory_mb = 77\n");
  env_["XDG_CONFIG_HOME"] = (dir_ / "cfg").string();
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(Opts()));
  EXPECT_EQ(c.max_memory_mb, 77);
  EXPECT_THAT(c.source_file, HasSubstr("cfg/finex/config.toml"));
}

TEST_F(ConfigTest, PrecedenceFlagsOverEnvOverFileOverProfile) {
  auto o = Opts();
  o.profile = "development";
  o.config_path = Write("finex.toml", R"(
[cache]
backend = "redis"
ttl_multiplier = 2.5
max_memory_mb = 1000
fragment_size = "optimized"

[features]
simd_decode = true

[backends.redis]
url = "redis://:hunter2@10.0.0.5:6379/1"

[providers.yahoo]
base_url = "http://127.0.0.1:9100/yahoo/"
timeout_ms = 2500
rate_limit_per_min = 100

[providers.alpha_vantage]
plan = "free"

[server]
listen = "0.0.0.0:9000"
)");
  o.env = {{"FINEX_CACHE__MAX_MEMORY_MB", "512"},
           {"FINEX_CACHE__TTL_MULTIPLIER", "3"},
           {"FINEX_TEST_SEED", "17"},
           {"FINEX_PROVIDERS__YAHOO__TIMEOUT_MS", "1500"},
           {"FINEX_PROVIDERS__ALPHA_VANTAGE__CALLS_PER_DAY", "0"}};
  o.flags = {{"cache.max_memory_mb", "256"}};
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(o));
  EXPECT_EQ(c.max_memory_mb, 256);          // flag
  EXPECT_DOUBLE_EQ(c.ttl_multiplier, 3);    // env over file
  EXPECT_EQ(c.backend, "redis");            // file
  EXPECT_EQ(c.fragment_size, "optimized");  // file over profile
  EXPECT_FALSE(c.prefetch_enabled);         // profile
  EXPECT_TRUE(c.features.at("simd_decode"));
  EXPECT_EQ(c.providers.at("yahoo").base_url, "http://127.0.0.1:9100/yahoo");
  EXPECT_EQ(c.providers.at("yahoo").timeout_ms, 1500);
  EXPECT_DOUBLE_EQ(c.providers.at("yahoo").rate_limit_per_min, 100);
  EXPECT_EQ(c.providers.at("alpha_vantage").plan, "free");
  EXPECT_EQ(c.providers.at("alpha_vantage").calls_per_day, 0) << "env: a premium plan, unlimited";
  // plan = "premium" without calls_per_day: no daily quota; with it: as set.
  o.flags = {{"providers.twelve_data.plan", "premium"}};
  ASSERT_OK_AND_ASSIGN(Config premium, LoadConfig(o));
  EXPECT_EQ(premium.providers.at("twelve_data").calls_per_day, 0);
  o.flags.emplace_back("providers.twelve_data.calls_per_day", "5000");
  ASSERT_OK_AND_ASSIGN(premium, LoadConfig(o));
  EXPECT_EQ(premium.providers.at("twelve_data").calls_per_day, 5000);
  o.flags = {{"cache.max_memory_mb", "256"}};
  EXPECT_EQ(c.providers.at("twelve_data").calls_per_day, 800);
  EXPECT_EQ(ToEngineOptions(c, o.lookup).providers.at("twelve_data").calls_per_day, 800);
  EXPECT_EQ(c.providers.at("yahoo").plan, "auto");
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_TRUE(c.IsExplicit("cache.backend"));
  EXPECT_FALSE(c.IsExplicit("cache.prefetch_enabled"));

  const std::string printed = PrintConfig(c, o.lookup);
  EXPECT_THAT(printed, HasSubstr("backend = \"redis\""));
  EXPECT_THAT(printed, HasSubstr("max_memory_mb = 256"));
  EXPECT_THAT(printed, HasSubstr("calls_per_day = 0  # unlimited"));
  EXPECT_THAT(printed, HasSubstr("calls_per_day = 800\n"));
  EXPECT_THAT(printed, HasSubstr("url = \"redis://:***@10.0.0.5:6379/1\""));
  EXPECT_THAT(printed, ::testing::Not(HasSubstr("hunter2")));

  // The engine and server options follow.
  engine::EngineOptions e = ToEngineOptions(c, o.lookup);
  EXPECT_EQ(e.backend, "redis");
  EXPECT_EQ(e.max_memory_mb, 256);
  EXPECT_EQ(e.providers.at("yahoo").timeout_ms, 1500);
  EXPECT_EQ(e.providers.at("alpha_vantage").plan, "free");
  EXPECT_EQ(ToServerOptions(c).listen, "0.0.0.0:9000");
}

TEST_F(ConfigTest, InfluxDbSectionAndSentinelAndClusterRedisUrls) {
  auto o = Opts();
  o.config_path = Write("finex.toml", R"(
[cache]
backend = "influxdb"

[backends.influxdb]
url = "http://127.0.0.1:8087"
database = "market"

[backends.redis]
url = "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#finex"
)");
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(o));
  EXPECT_EQ(c.backend, "influxdb");
  engine::EngineOptions e = ToEngineOptions(c, o.lookup);
  EXPECT_EQ(e.influxdb_url, "http://127.0.0.1:8087");
  EXPECT_EQ(e.influxdb_database, "market");
  EXPECT_EQ(e.redis_url, "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380/0#finex");
  EXPECT_THAT(PrintConfig(c, o.lookup), HasSubstr("[backends.influxdb]"));
  o.flags = {{"backends.redis.url", "redis-cluster://127.0.0.1:7000,127.0.0.1:7001"}};
  ASSERT_OK_AND_ASSIGN(Config cl, LoadConfig(o));
  EXPECT_EQ(cl.redis_url, "redis-cluster://127.0.0.1:7000,127.0.0.1:7001");
  o.flags = {{"backends.influxdb.url", "https://h:8086"}};
  EXPECT_FALSE(LoadConfig(o).ok());
  o.flags = {{"backends.influxdb.bogus", "1"}};
  EXPECT_FALSE(LoadConfig(o).ok());
}

TEST_F(ConfigTest, UnknownKeysNameFileLineAndKey) {
  auto o = Opts();
  o.config_path = Write("bad.toml", "[cache]\nbackend = \"memory\"\n\nmax_memroy_mb = 5\n");
  auto r = LoadConfig(o);
  ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("bad.toml:4: unknown key 'cache.max_memroy_mb'"));
  EXPECT_THAT(r.status().message(), HasSubstr("max_memory_mb"));  // lists the known keys

  o.config_path = Write("bad2.toml", "[providers.bloomberg]\nbase_url = \"http://x\"\n");
  EXPECT_THAT(LoadConfig(o),
              StatusIs(StatusCode::kInvalidArgument, "unknown provider 'bloomberg'"));
  o.config_path = Write("bad3.toml", "[databases]\nx = 1\n");
  EXPECT_THAT(LoadConfig(o),
              StatusIs(StatusCode::kInvalidArgument, "bad3.toml:1: unknown key 'databases'"));
}

TEST_F(ConfigTest, BadValuesNameFileLineAndKey) {
  auto o = Opts();
  o.config_path = Write("v1.toml", "[cache]\n\nbackend = \"mongo\"\n");
  EXPECT_THAT(LoadConfig(o),
              StatusIs(StatusCode::kInvalidArgument,
                       "v1.toml:3: cache.backend: 'mongo' is not one of memory, redis, "
                       "postgres, parquet_dir"));
  o.config_path = Write("v1b.toml", "[providers.alpha_vantage]\nplan = \"gold\"\n");
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument,
                                      "v1b.toml:2: providers.alpha_vantage.plan: 'gold' is not "
                                      "one of auto, free, premium"));
  o.config_path = Write("v2.toml", "[cache]\nmax_memory_mb = \"lots\"\n");
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument,
                                      "v2.toml:2: cache.max_memory_mb: must be an integer"));
  o.config_path = Write("v3.toml", "[server]\nlisten = \"nowhere\"\n");
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument, "v3.toml:2: server.listen"));
  o.config_path = Write("v4.toml", "[providers.yahoo]\ntimeout_ms = -5\n");
  EXPECT_THAT(LoadConfig(o),
              StatusIs(StatusCode::kInvalidArgument, "v4.toml:2: providers.yahoo.timeout_ms"));
  o.config_path = Write("v4b.toml", "[providers.alpha_vantage]\n\ncalls_per_day = -1\n");
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument,
                                      "v4b.toml:3: providers.alpha_vantage.calls_per_day"));
  o.config_path = Write("v5.toml", "[cache\nbackend = 1\n");
  auto r = LoadConfig(o);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, "v5.toml"));
  o.config_path = (dir_ / "missing.toml").string();
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kNotFound, "missing.toml"));
}

TEST_F(ConfigTest, EnvironmentAndFlagErrorsNameTheirOrigin) {
  auto o = Opts();
  o.env = {{"FINEX_CACHE__BACKEND", "mongo"}};
  EXPECT_THAT(LoadConfig(o),
              StatusIs(StatusCode::kInvalidArgument, "environment FINEX_CACHE__BACKEND"));
  o.env = {{"FINEX_CACHE__NOPE", "1"}};
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument, "unknown key 'cache.nope'"));
  o.env = {};
  o.flags = {{"server.threads", "many"}};
  EXPECT_THAT(LoadConfig(o), StatusIs(StatusCode::kInvalidArgument, "flag server.threads"));
}

TEST_F(ConfigTest, SimulatorUrlPointsEveryProvider) {
  auto o = Opts();
  o.env = {{"FINEX_SIM_URL", "http://127.0.0.1:9100/"}};
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(o));
  EXPECT_EQ(c.providers.at("yahoo").base_url, "http://127.0.0.1:9100/yahoo");
  EXPECT_EQ(c.providers.at("coingecko").base_url, "http://127.0.0.1:9100/coingecko");
  // A specific variable still wins over FINEX_SIM_URL.
  o.env.emplace_back("FINEX_PROVIDERS__BINANCE__BASE_URL", "https://api.binance.com");
  ASSERT_OK_AND_ASSIGN(Config d, LoadConfig(o));
  EXPECT_EQ(d.providers.at("binance").base_url, "https://api.binance.com");
}

TEST_F(ConfigTest, SecretsAreResolvedButNeverPrinted) {
  auto o = Opts();
  env_["FINEX_ALPHA_VANTAGE_KEY"] = "AVKEY123";
  env_["FINEX_ADMIN_TOKEN"] = "tok-xyz";
  o.flags = {{"backends.postgres.dsn", "host=db user=finex password=pa55 dbname=finex"}};
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(o));
  EXPECT_EQ(ToEngineOptions(c, o.lookup).providers.at("alpha_vantage").api_key, "AVKEY123");
  EXPECT_EQ(ToServiceOptions(c, o.lookup).admin_token, "tok-xyz");
  const std::string printed = PrintConfig(c, o.lookup);
  EXPECT_THAT(printed, ::testing::Not(HasSubstr("AVKEY123")));
  EXPECT_THAT(printed, ::testing::Not(HasSubstr("tok-xyz")));
  EXPECT_THAT(printed, ::testing::Not(HasSubstr("pa55")));
  EXPECT_THAT(printed, HasSubstr("password=***"));
  EXPECT_THAT(printed, HasSubstr("# key: set (redacted)"));
}

TEST_F(ConfigTest, ProvidersThatNeedAKeyStayOffWithoutOne) {
  auto o = Opts();
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(o));
  engine::EngineOptions e = ToEngineOptions(c, o.lookup);
  EXPECT_FALSE(e.providers.at("alpha_vantage").enabled);
  EXPECT_FALSE(e.providers.at("twelve_data").enabled);
  EXPECT_TRUE(e.providers.at("yahoo").enabled);
  EXPECT_TRUE(e.providers.at("coingecko").enabled);
  EXPECT_THAT(PrintConfig(c, o.lookup), HasSubstr("provider off until the key is set"));

  env_["FINEX_TWELVE_DATA_KEY"] = "k";
  e = ToEngineOptions(c, o.lookup);
  EXPECT_TRUE(e.providers.at("twelve_data").enabled);
  EXPECT_FALSE(e.providers.at("alpha_vantage").enabled);

  // An explicit `enabled = true` is the user's call.
  o.flags = {{"providers.alpha_vantage.enabled", "true"}};
  ASSERT_OK_AND_ASSIGN(Config d, LoadConfig(o));
  EXPECT_TRUE(ToEngineOptions(d, o.lookup).providers.at("alpha_vantage").enabled);
}

TEST_F(ConfigTest, DefaultCacheDirFollowsXdg) {
  env_["HOME"] = "/home/u";
  auto o = Opts();
  EXPECT_EQ(DefaultCacheDir(o.lookup), "/home/u/.cache/finex");
  env_["XDG_CACHE_HOME"] = "/xdg";
  EXPECT_EQ(DefaultCacheDir(o.lookup), "/xdg/finex");
}

TEST_F(ConfigTest, ProviderDefaultsComeFromTheProviderFacts) {
  ASSERT_OK_AND_ASSIGN(Config c, ProfileDefaults("production"));
  ASSERT_EQ(c.providers.size(), std::size(kAllProviders));
  for (ProviderId id : kAllProviders) {
    const provider::ProviderTraits& t = provider::TraitsOf(id);
    const ProviderConfig& p = c.providers.at(std::string(ProviderName(id)));
    EXPECT_EQ(p.rate_limit_per_min, t.calls_per_minute) << ProviderName(id);
    EXPECT_EQ(p.calls_per_day, t.calls_per_day) << ProviderName(id);
    EXPECT_EQ(p.api_key_env, t.api_key_env) << ProviderName(id);
  }
  EXPECT_EQ(c.providers.at("alpha_vantage").api_key_env, "FINEX_ALPHA_VANTAGE_KEY");
  EXPECT_EQ(c.providers.at("binance").rate_limit_per_min, 1200);
  EXPECT_EQ(c.providers.at("alpha_vantage").calls_per_day, 25);
  EXPECT_EQ(c.providers.at("twelve_data").calls_per_day, 800);
  EXPECT_EQ(c.providers.at("yahoo").calls_per_day, 0);
  EXPECT_EQ(c.provider_order, (std::vector<std::string>{"yahoo", "binance", "twelve_data",
                                                        "alpha_vantage", "coingecko"}));
  EXPECT_THAT(ApplyOverride(c, "providers.nyse.enabled", "true", "flag --x"),
              StatusIs(StatusCode::kInvalidArgument,
                       "(known: yahoo, binance, alpha_vantage, twelve_data, coingecko)"));
}

}  // namespace
}  // namespace finex::cli

namespace finex::cli {
namespace {

class MonitoringConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("finex_monitoring_config_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  LoadOptions Opts(const std::string& toml) {
    LoadOptions o;
    o.lookup = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    o.config_path = (dir_ / "m.toml").string();
    std::ofstream(o.config_path) << toml;
    return o;
  }
  std::filesystem::path dir_;
};

TEST_F(MonitoringConfigTest, KeysReachTheAlertOptions) {
  auto cfg = LoadConfig(Opts(
      "[monitoring]\nalert_webhook_url = \"http://127.0.0.1:9/hook\"\nmemory_alert_ratio = 0.75\n"
      "hit_rate_floor = 0.8\nerror_rate_ceiling = 0\nalert_window_s = 60\n"
      "[server]\naccess_log = \"all\"\n"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  const server::ServiceOptions so =
      ToServiceOptions(*cfg, [](std::string_view) { return std::optional<std::string>(); });
  EXPECT_EQ(so.alerts.webhook_url, "http://127.0.0.1:9/hook");
  EXPECT_DOUBLE_EQ(so.alerts.memory_alert_ratio, 0.75);
  EXPECT_DOUBLE_EQ(so.alerts.hit_rate_floor, 0.8);
  EXPECT_DOUBLE_EQ(so.alerts.error_rate_ceiling, 0);
  EXPECT_EQ(so.alerts.window_s, 60);
  EXPECT_TRUE(so.alerts.enabled);
  EXPECT_EQ(so.access_log, "all");
  EXPECT_TRUE(server::AlertEvaluator::Validate(so.alerts).ok());
  EXPECT_THAT(
      PrintConfig(*cfg, [](std::string_view) { return std::optional<std::string>(); }),
      ::testing::HasSubstr("[monitoring]\nalert_webhook_url = \"http://127.0.0.1:9/hook\""));
}

TEST_F(MonitoringConfigTest, BadValuesNameTheKey) {
  using testing::StatusIs;
  EXPECT_THAT(LoadConfig(Opts("[monitoring]\nmemory_alert_ratio = 1.5\n")),
              StatusIs(StatusCode::kInvalidArgument, "m.toml:2: monitoring.memory_alert_ratio"));
  EXPECT_THAT(LoadConfig(Opts("[monitoring]\nalert_webhook_url = \"ftp://x\"\n")),
              StatusIs(StatusCode::kInvalidArgument, "m.toml:2: monitoring.alert_webhook_url"));
  EXPECT_THAT(LoadConfig(Opts("[monitoring]\nalert_windw_s = 5\n")),
              StatusIs(StatusCode::kInvalidArgument, "unknown key 'monitoring.alert_windw_s'"));
  EXPECT_THAT(LoadConfig(Opts("[server]\naccess_log = \"verbose\"\n")),
              StatusIs(StatusCode::kInvalidArgument, "server.access_log"));
}

}  // namespace
}  // namespace finex::cli
