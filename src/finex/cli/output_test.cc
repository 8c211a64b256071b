#include "finex/cli/output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace finex::cli {
namespace {

using ::testing::HasSubstr;

TEST(Output, ExitCodes) {
  EXPECT_EQ(ExitCodeForHttpStatus(200), 0);
  EXPECT_EQ(ExitCodeForHttpStatus(400), 2);
  EXPECT_EQ(ExitCodeForHttpStatus(404), 2);
  EXPECT_EQ(ExitCodeForHttpStatus(429), 3);
  EXPECT_EQ(ExitCodeForHttpStatus(502), 3);
  EXPECT_EQ(ExitCodeForHttpStatus(504), 3);
  EXPECT_EQ(ExitCodeForHttpStatus(403), 1);
  EXPECT_EQ(ExitCodeForHttpStatus(500), 1);
}

TEST(Output, TableFromColumnarJson) {
  const std::string body = R"({"data":{"symbol":["AAPL","AAPL"],"timestamp":[1704153600,1704240000],
      "close":[185.64,184.25],"volume":[82488700,null]},
      "cache_info":{"hit_rate":1,"api_calls_made":0,"response_time_ms":0.4,"data_freshness":"5 minutes ago"}})";
  const std::string t = RenderTable(body, false);
  EXPECT_THAT(t, HasSubstr("symbol  timestamp    close    volume\n"));
  EXPECT_THAT(t, HasSubstr("AAPL    2024-01-02  185.64  82488700\n"));
  EXPECT_THAT(t, HasSubstr("AAPL    2024-01-03  184.25\n"));
  EXPECT_THAT(t, HasSubstr("(2 rows · hit rate 100% · 0 provider calls"));
  EXPECT_THAT(RenderTable(body, true), HasSubstr("\x1b[1m"));
  EXPECT_EQ(RenderTable("not json", false), "");
}

TEST(Output, StatsTableListsUtilization) {
  const std::string body = R"({"hits":3,"misses":1,"hit_rate":0.75,"utilization":[
      {"provider":"yahoo","interval":"1d","rows_stored":1742,"rows_served":21,"utilization":0.0121,
       "bonus_rows_stored":1721,"bonus_rows_reused":3,"coverage":1.0006}]})";
  const std::string t = RenderStatsTable(body, false);
  EXPECT_THAT(t, HasSubstr("fragments  rows_stored  ever_served  bonus_reused  coverage\n"));
  EXPECT_THAT(t, HasSubstr("yahoo 1d          1742         1.2%        3/1721    100.1%\n"));
}

TEST(Output, ProblemLine) {
  EXPECT_EQ(
      ProblemLine(
          R"({"detail":"interval '7x' is bad","code":"invalid_interval","param":"interval"})", 400),
      "interval '7x' is bad (invalid_interval, param interval, HTTP 400)");
  EXPECT_EQ(ProblemLine("oops", 502), "HTTP 502: oops");
}

}  // namespace
}  // namespace finex::cli
