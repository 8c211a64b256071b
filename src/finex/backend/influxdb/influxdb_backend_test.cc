// InfluxDB backend: option validation, the bars measurement, damaged values,
// and the Backend conformance suite, against an influxd started by the test
// (tests/testutil/influx_server.h; skipped when influxd is not installed).
#include "finex/backend/influxdb/influxdb_backend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/influx_server.h"
#include "tests/testutil/process_util.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {

::finex::testing::TestInfluxTarget& SharedInflux() {
  static ::finex::testing::TestInfluxTarget t = ::finex::testing::TestInflux();
  return t;
}

InfluxDbOptions TestInfluxOptions() {
  InfluxDbOptions o;
  o.url = SharedInflux().url;
  o.sweep_interval_ms = 200;
  return o;
}

std::unique_ptr<Backend> MakeInfluxOrNull() {
  if (!SharedInflux().skip_reason.empty()) return nullptr;
  auto b = OpenInfluxDbBackend(TestInfluxOptions());
  if (!b.ok()) {
    ADD_FAILURE() << "OpenInfluxDbBackend(" << SharedInflux().url << "): " << b.status();
    return nullptr;
  }
  return std::move(b).value();
}

namespace {

using ::finex::testing::StatusIs;

#define FINEX_REQUIRE_INFLUX()                                                           \
  do {                                                                                   \
    if (!SharedInflux().skip_reason.empty()) GTEST_SKIP() << SharedInflux().skip_reason; \
  } while (0)

TEST(InfluxDbOptionsTest, RejectsBadOptionsWithClearErrors) {
  InfluxDbOptions o;
  o.url = "https://h:8086";
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kInvalidArgument, "http://"));
  o.url = "http://u:p@h:8086";
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kInvalidArgument, "user info"));
  o.url = "http://h:8086/?x=1";
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kInvalidArgument, "query"));
  o.url = "http://127.0.0.1:1";
  o.database = "bad name";
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kInvalidArgument, "database"));
  o.database = "finex";
  o.kv_retention_policy = "";
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kInvalidArgument, "retention"));
  o.kv_retention_policy = "finex_kv";
  o.url = "http://127.0.0.1:" + std::to_string(::finex::testing::PickFreeLoopbackPort());
  EXPECT_THAT(OpenInfluxDbBackend(o), StatusIs(StatusCode::kUnavailable, "unreachable"));
  o.lazy_connect = true;
  ASSERT_OK_AND_ASSIGN(auto lazy, OpenInfluxDbBackend(o));
  EXPECT_THAT(lazy->Get("finex:X:1d:1"), StatusIs(StatusCode::kUnavailable));
}

TEST(InfluxDbFormatTest, BarPointsAreLineProtocolWithEscapedTagsAndNoNaN) {
  const int64_t ts[] = {1704067200, 1704153600, 1704240000};
  const double o[] = {1.5, NAN, 3}, h[] = {2, NAN, 4}, l[] = {1, NAN, 2.25}, c[] = {1.75, NAN, 3.5},
               v[] = {100, NAN, 0};
  const std::string lines = FormatBarPoints({"BRK B", "1d", "yahoo", "usd"}, ts, o, h, l, c, v);
  EXPECT_EQ(lines,
            "bars,currency=usd,interval=1d,provider=yahoo,symbol=BRK\\ B "
            "open=1.5,high=2,low=1,close=1.75,volume=100 1704067200\n"
            "bars,currency=usd,interval=1d,provider=yahoo,symbol=BRK\\ B "
            "open=3,high=4,low=2.25,close=3.5,volume=0 1704240000\n");
}

TEST(InfluxDbBackendTest, ValuesAcrossManyChunksRoundTripAndOverwriteWithFewerChunks) {
  FINEX_REQUIRE_INFLUX();
  auto b = MakeInfluxOrNull();
  ASSERT_NE(b, nullptr);
  std::mt19937_64 rng(7);
  // 3.5 chunks of 48 KiB, then a 1-chunk overwrite (stale chunks 1..3 ignored).
  std::string big(48 * 1024 * 3 + 1000, '\0');
  for (char& ch : big) ch = static_cast<char>(rng());
  ASSERT_OK(b->Put("finex:test:chunks:a", big));
  ASSERT_OK_AND_ASSIGN(auto v, b->Get("finex:test:chunks:a"));
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(*v == big);
  ASSERT_OK(b->Put("finex:test:chunks:a", "small"));
  ASSERT_OK_AND_ASSIGN(auto s, b->Get("finex:test:chunks:a"));
  EXPECT_EQ(s.value_or("<miss>"), "small");
  ASSERT_OK(b->Delete("finex:test:chunks:a"));
}

TEST(InfluxDbBackendTest, DamagedValuesAreMissesCountedDroppedNeverServed) {
  FINEX_REQUIRE_INFLUX();
  auto b = MakeInfluxOrNull();
  ASSERT_NE(b, nullptr);
  ASSERT_OK(b->Put("finex:test:damage:a", "genuine value"));
  // Rewrite chunk 0's data behind finex's back (same series, same time):
  // base64 of "tampered value!" with the old checksum.
  InfluxDbOptions o = TestInfluxOptions();
  auto raw = [&](const std::string& key) {
    std::string hex;
    static const char* kHex = "0123456789abcdef";
    for (unsigned char c : key) {
      hex.push_back(kHex[c >> 4]);
      hex.push_back(kHex[c & 15]);
    }
    return hex;
  };
  const std::string line =
      "fragments,c=0,k=" + raw("finex:test:damage:a") + " d=\"dGFtcGVyZWQgdmFsdWUh\" 0\n";
  // Written straight to InfluxDB's /write with curl(1), as a damaged store would.
  const std::string cmd = "curl -s -o /dev/null -XPOST '" + o.url +
                          "/write?db=finex&rp=finex_kv&precision=ns' --data-binary '" + line + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const uint64_t before = b->stats().corrupt;
  ASSERT_OK_AND_ASSIGN(auto v, b->Get("finex:test:damage:a"));
  EXPECT_FALSE(v.has_value()) << "a damaged value must never be served";
  EXPECT_EQ(b->stats().corrupt, before + 1);
  ASSERT_OK_AND_ASSIGN(auto keys, b->ScanPrefix("finex:test:damage:"));
  EXPECT_TRUE(keys.empty()) << "the damaged value was dropped";
}

TEST(InfluxDbBackendTest, BarsAreWrittenAsPointsQueryableWithInfluxQL) {
  FINEX_REQUIRE_INFLUX();
  InfluxDbOptions o = TestInfluxOptions();
  o.database = "finex_bars_test";
  o.bar_points = [](std::string_view key, ByteView value) {
    // The engine decodes the fragment; here the "fragment" is two closes.
    if (key.rfind("finex:AAPL:", 0) != 0) return std::string();
    const int64_t ts[] = {1704153600, 1704240000};
    const double c[] = {value.size() * 1.0, 185.25}, nan[] = {NAN, NAN};
    return FormatBarPoints({"AAPL", "1d", "yahoo", "usd"}, ts, nan, nan, nan, c, nan);
  };
  ASSERT_OK_AND_ASSIGN(auto b, OpenInfluxDbBackend(o));
  ASSERT_OK(b->Put("finex:AAPL:1d:1704153600:1704240000:yahoo:usd:ohlcv_v1", "twelve bytes"));
  ASSERT_OK(b->Put("finex:MSFT:1d:1704153600:1704240000:yahoo:usd:ohlcv_v1", "x"));
  const std::string cmd = "curl -s -G '" + o.url +
                          "/query' --data-urlencode db=finex_bars_test --data-urlencode "
                          "\"q=SELECT close FROM bars WHERE symbol='AAPL'\"";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ASSERT_EQ(pclose(p), 0);
  EXPECT_NE(out.find("[\"2024-01-02T00:00:00Z\",12]"), std::string::npos) << out;
  EXPECT_NE(out.find("[\"2024-01-03T00:00:00Z\",185.25]"), std::string::npos) << out;
}

}  // namespace
}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(InfluxDb, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "influxdb", backend::MakeInfluxOrNull, /*ttl=*/true,
                             "no InfluxDB: set FINEX_TEST_INFLUX_URL or install influxdb"}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
