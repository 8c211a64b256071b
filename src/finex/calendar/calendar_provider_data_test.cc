// Calendar tests against recorded provider responses in
// ../shared/data/provider-responses (skipped when absent): Yahoo chart
// timestamps and tradingPeriods, and the exchange metadata CalendarFor maps.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "finex/calendar/calendar.h"
#include "tests/testutil/random.h"

namespace finex::calendar {
namespace {

using nlohmann::json;

std::string YahooPath(const std::string& name) {
  return ::finex::testing::SharedDataDir() + "/provider-responses/yahoo/" + name;
}

json Load(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

const json& ChartResult(const json& doc) { return doc["chart"]["result"][0]; }

std::vector<Timestamp> Stamps(const json& result) {
  std::vector<Timestamp> out;
  if (result.contains("timestamp")) {
    for (const json& t : result["timestamp"]) out.push_back(t.get<Timestamp>());
  }
  return out;
}

const Calendar& Cal(std::string_view code) { return *FindCalendar(code).value(); }

// Yahoo daily bars are stamped at the session open; their local dates must be
// exactly the calendar's trading days over the span.
void ExpectDailyAgreement(const Calendar& cal, const std::string& file) {
  json doc = Load(YahooPath(file));
  ASSERT_FALSE(doc.is_discarded()) << file;
  std::vector<Timestamp> ts = Stamps(ChartResult(doc));
  ASSERT_FALSE(ts.empty()) << file;
  std::set<int64_t> data;
  for (Timestamp t : ts) data.insert(DaysFromCivil(cal.LocalDate(t)));
  std::set<int64_t> want;
  for (Timestamp t :
       cal.BarStarts({*data.begin() * kSecondsPerDay, (*data.rbegin() + 1) * kSecondsPerDay},
                     Interval::k1d)) {
    want.insert(t / kSecondsPerDay);
  }
  for (int64_t d : data)
    EXPECT_TRUE(want.count(d)) << file << " traded on " << FormatDate(d * kSecondsPerDay);
  for (int64_t d : want)
    EXPECT_TRUE(data.count(d)) << file << " no bar on " << FormatDate(d * kSecondsPerDay);
}

TEST(CalendarProviderDataTest, YahooDailyHistories) {
  FINEX_REQUIRE_SHARED_DATA();
  // TSLA 2010-06-29 .. 2023-08-11: Sandy, 2018-12-05, Juneteenth 2022...
  ExpectDailyAgreement(Cal("XNAS"), "yahoo-chart-TSLA-1d-period1-0_2023-08-12-full-history.json");
  ExpectDailyAgreement(Cal("XNAS"), "yahoo-chart-MSFT-1d-2021-02-01_2022-01-31-div.json");
  ExpectDailyAgreement(Cal("XNAS"), "yahoo-chart-NVDA-1d-2021-02-01_2022-01-31-split.json");
  ExpectDailyAgreement(Cal("XETR"), "yahoo-chart-WSU.DE-1d-2023-08-04_2023-08-09.json");
}

TEST(CalendarProviderDataTest, YahooMinuteBarsAndTradingPeriods) {
  FINEX_REQUIRE_SHARED_DATA();
  json doc = Load(YahooPath("yahoo-chart-AAPL-1m-2024-10-02-regular.json"));
  const json& r = ChartResult(doc);
  const Calendar& c = Cal("XNAS");
  // Requested [2024-10-02T00:00Z, 2024-10-03T00:00Z); Yahoo appends a live
  // snapshot bar after the range, which is ignored here.
  TimeRange req{1727827200, 1727913600};
  std::vector<Timestamp> got;
  for (Timestamp t : Stamps(r)) {
    if (req.Contains(t)) got.push_back(t);
  }
  EXPECT_EQ(got, c.BarStarts(req, Interval::k1m));
  EXPECT_EQ(got.size(), 390u);
  for (const json& day : r["meta"]["tradingPeriods"]) {
    Timestamp start = day[0]["start"].get<Timestamp>();
    Timestamp end = day[0]["end"].get<Timestamp>();
    std::optional<Session> s = c.SessionOn(c.LocalDate(start));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->open, start);
    EXPECT_EQ(s->close, end);
  }
}

TEST(CalendarProviderDataTest, YahooThirtyMinutePrePost) {
  FINEX_REQUIRE_SHARED_DATA();
  json doc = Load(YahooPath("yahoo-chart-TSLA-30m-2021-11-22-prepost.json"));
  const json& r = ChartResult(doc);
  const Calendar& c = Cal("XNAS");
  const json& regular = r["meta"]["tradingPeriods"]["regular"][0][0];
  TimeRange session{regular["start"].get<Timestamp>(), regular["end"].get<Timestamp>()};
  std::optional<Session> s = c.SessionOn({2021, 11, 22});
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->open, session.start);
  EXPECT_EQ(s->close, session.end);
  std::vector<Timestamp> regular_bars;
  for (Timestamp t : Stamps(r)) {
    EXPECT_EQ(c.IsOpen(t), session.Contains(t)) << FormatIsoUtc(t);
    if (session.Contains(t)) regular_bars.push_back(t);
  }
  EXPECT_EQ(regular_bars, c.BarStarts({s->open - 3600, s->close + 3600}, Interval::k30m));
  EXPECT_EQ(regular_bars.size(), 13u);
}

TEST(CalendarProviderDataTest, ExchangeMetadataMapsToCalendars) {
  FINEX_REQUIRE_SHARED_DATA();
  struct Case {
    const char* file;
    const char* want;
  };
  const Case kCases[] = {
      {"yahoo-chart-AAPL-1d-2020-01-01_2020-01-03.json", "XNAS"},
      {"yahoo-chart-0P0000XTS7-1d-2024-09-12_2024-09-16-mutualfund.json", "XNYS"},
      {"yahoo-chart-APS.AX-1d-2020-01-01_2020-01-03-empty-indicators.json", "XASX"},
      {"yahoo-chart-BTC-USD-1d-2020-01-01_2020-01-03.json", "CRYPTO"},
      {"yahoo-chart-EURUSD-X-1d-2020-01-01_2020-01-03.json", "FX"},
      {"yahoo-chart-GC-F-1d-2020-01-01_2020-01-03.json", "XNYS"},
      {"yahoo-chart-OCDO.L-1d-2020-01-01_2020-01-03.json", "XLON"},
      {"yahoo-chart-WSU.DE-1d-2023-08-04_2023-08-09.json", "XETR"},
      {"yahoo-chart-idx-VXAPL-1d-2020-01-01_2020-01-03-nodata.json", "XNYS"},
  };
  for (const Case& k : kCases) {
    json doc = Load(YahooPath(k.file));
    ASSERT_FALSE(doc.is_discarded()) << k.file;
    const json& meta = ChartResult(doc)["meta"];
    std::string symbol = meta["symbol"].get<std::string>();
    std::string exchange = meta["exchangeName"].get<std::string>();
    const Calendar& cal = CalendarFor(symbol, exchange);
    EXPECT_EQ(cal.code(), k.want) << k.file;
    // Hint-less shape rules agree for these symbols too.
    EXPECT_EQ(CalendarFor(symbol).kind(), cal.kind()) << symbol;
    if (cal.kind() == MarketKind::kExchange) {
      EXPECT_EQ(cal.timezone(), meta["exchangeTimezoneName"].get<std::string>()) << k.file;
    }
  }
  // currentTradingPeriod.regular of the stock listings = our session opens
  // (and closes, except ASX whose Yahoo period includes the closing auction).
  for (const char* file : {"yahoo-chart-AAPL-1d-2020-01-01_2020-01-03.json",
                           "yahoo-chart-OCDO.L-1d-2020-01-01_2020-01-03.json",
                           "yahoo-chart-WSU.DE-1d-2023-08-04_2023-08-09.json",
                           "yahoo-chart-APS.AX-1d-2020-01-01_2020-01-03-empty-indicators.json"}) {
    json doc = Load(YahooPath(file));
    const json& meta = ChartResult(doc)["meta"];
    const Calendar& cal =
        CalendarFor(meta["symbol"].get<std::string>(), meta["exchangeName"].get<std::string>());
    const json& reg = meta["currentTradingPeriod"]["regular"];
    Timestamp start = reg["start"].get<Timestamp>(), end = reg["end"].get<Timestamp>();
    std::optional<Session> s = cal.SessionOn(cal.LocalDate(start));
    ASSERT_TRUE(s.has_value()) << file;
    EXPECT_EQ(s->open, start) << file;
    if (cal.code() != "XASX") {
      EXPECT_EQ(s->close, end) << file;
    }
  }
  // Twelve Data reports Nasdaq by name and MIC.
  std::ifstream td(::finex::testing::SharedDataDir() +
                   "/provider-responses/twelvedata/td-time_series-AAPL-1min-2023-08-24.json");
  json tdj = json::parse(td, nullptr, false);
  ASSERT_FALSE(tdj.is_discarded());
  EXPECT_EQ(CalendarFor("AAPL", tdj["meta"]["exchange"].get<std::string>()).code(), "XNAS");
  EXPECT_EQ(CalendarFor("AAPL", tdj["meta"]["mic_code"].get<std::string>()).code(), "XNAS");
  EXPECT_EQ(CalendarFor("AAPL").timezone(), tdj["meta"]["exchange_timezone"].get<std::string>());
}

}  // namespace
}  // namespace finex::calendar
