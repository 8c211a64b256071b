#include "finex/cache/validation.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

constexpr Timestamp kDay = 86400;
constexpr Timestamp kJan2 = 1704153600;  // 2024-01-02

Bar MakeBar(Timestamp ts, double o, double h, double l, double c, int64_t v = 1000) {
  Bar b;
  b.symbol = "AAPL";
  b.timestamp = ts;
  b.open = o;
  b.high = h;
  b.low = l;
  b.close = c;
  b.volume = v;
  b.provider = "yahoo";
  b.currency = "usd";
  b.timezone = "America/New_York";
  return b;
}

FramePtr Build(const std::vector<Bar>& bars) {
  FrameBuilder b;
  for (const Bar& bar : bars) b.Add(bar);
  return *std::move(b).Finish();
}

TEST(ValidationTest, CleanSeriesHasNoIssues) {
  std::vector<Bar> bars;
  for (int i = 0; i < 20; ++i)
    bars.push_back(MakeBar(kJan2 + i * kDay, 100 + i, 102 + i, 99 + i, 101 + i));
  FramePtr f = Build(bars);
  ValidationReport r = ValidateBars(*f, Interval::k1d, kJan2 + 30 * kDay);
  EXPECT_TRUE(r.clean()) << r.Summary();
  EXPECT_EQ(r.rows_checked, 20u);
  EXPECT_EQ(ApplyValidation(f, r).get(), f.get());
}

TEST(ValidationTest, DetectsEachBarLevelIssueAndRejectsOnlyThoseBars) {
  std::vector<Bar> bars = {
      MakeBar(kJan2, 100, 101, 99, 100),
      MakeBar(kJan2 + kDay, 100, 99, 98, 100.5),          // high below close
      MakeBar(kJan2 + 2 * kDay, 100, 101, 100.2, 100.5),  // low above open
      MakeBar(kJan2 + 3 * kDay, 100, 101, 99, 100, -5),   // negative volume
      MakeBar(kJan2 + 4 * kDay + 60, 100, 101, 99, 100),  // misaligned daily bar
      MakeBar(kJan2 + 5 * kDay, -1, 101, 99, 100),        // negative price
      MakeBar(kJan2 + 6 * kDay, 100, 101, 99, 100),
      MakeBar(kJan2 + 40 * kDay, 100, 101, 99, 100),  // in the future
  };
  FramePtr f = Build(bars);
  const Timestamp now = kJan2 + 10 * kDay;
  ValidationReport r = ValidateBars(*f, Interval::k1d, now);
  std::vector<BarIssueKind> kinds;
  for (const BarIssue& i : r.issues) kinds.push_back(i.kind);
  EXPECT_EQ(kinds,
            (std::vector<BarIssueKind>{BarIssueKind::kHighBelowBody, BarIssueKind::kLowAboveBody,
                                       BarIssueKind::kNegativeVolume, BarIssueKind::kMisaligned,
                                       BarIssueKind::kNonPositivePrice, BarIssueKind::kInFuture}))
      << r.Summary(10);
  EXPECT_FALSE(r.suspect_series);
  EXPECT_EQ(r.bad_rows, (std::vector<size_t>{1, 2, 3, 4, 5, 7}));
  FramePtr kept = ApplyValidation(f, r);
  ASSERT_EQ(kept->rows(), 2u);
  EXPECT_EQ(kept->timestamps()[0], kJan2);
  EXPECT_EQ(kept->timestamps()[1], kJan2 + 6 * kDay);
  ValidationOptions flag;
  flag.policy = ValidationPolicy::kFlag;
  EXPECT_EQ(ApplyValidation(f, r, flag)->rows(), f->rows());
}

TEST(ValidationTest, NonFiniteAndHugePrices) {
  FramePtr f = Build({MakeBar(kJan2, 100, std::numeric_limits<double>::infinity(), 99, 100),
                      MakeBar(kJan2 + kDay, 100, 5e9, 99, 100)});
  ValidationReport r = ValidateBars(*f, Interval::k1d, kJan2 + 5 * kDay);
  ASSERT_EQ(r.issues.size(), 2u);
  EXPECT_EQ(r.issues[0].kind, BarIssueKind::kNonFinite);
  EXPECT_EQ(r.issues[1].kind, BarIssueKind::kPriceTooLarge);
}

TEST(ValidationTest, IntradayHalfHourAnchoredBarsAreAligned) {
  // NYSE 1h bars start at 09:30 New York = 14:30 UTC in January.
  const Timestamp open = kJan2 + 14 * 3600 + 1800;
  FramePtr f = Build({MakeBar(open, 1, 1, 1, 1), MakeBar(open + 3600, 1, 1, 1, 1),
                      MakeBar(open + 7200 + 600, 1, 1, 1, 1)});
  ValidationReport r = ValidateBars(*f, Interval::k1h, open + 86400);
  ASSERT_EQ(r.issues.size(), 1u) << r.Summary();
  EXPECT_EQ(r.issues[0].kind, BarIssueKind::kMisaligned);
  EXPECT_EQ(r.issues[0].row, 2u);
}

TEST(ValidationTest, SplitJumpIsSuspectUnlessReported) {
  FramePtr f =
      Build({MakeBar(kJan2, 400, 404, 398, 400), MakeBar(kJan2 + kDay, 100, 101, 99, 100.5)});
  ValidationReport r = ValidateBars(*f, Interval::k1d, kJan2 + 5 * kDay);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].kind, BarIssueKind::kUnreportedSplit);
  EXPECT_TRUE(r.suspect_series);
  EXPECT_TRUE(r.bad_rows.empty());
  const Timestamp split_day[] = {kJan2 + kDay};
  EXPECT_TRUE(ValidateBars(*f, Interval::k1d, kJan2 + 5 * kDay, split_day).clean());
}

// --- Real Yahoo errors (../shared/data/ohlcv/yahoo-quirks) ---------------

// Reads a yfinance test CSV (newest first, "Date" with a zone offset) into a
// frame stamped 00:00 UTC of each local date.
FramePtr ReadYfinanceCsv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  FrameBuilder b;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string date, o, h, l, c, adj, v;
    std::getline(ss, date, ',');
    std::getline(ss, o, ',');
    std::getline(ss, h, ',');
    std::getline(ss, l, ',');
    std::getline(ss, c, ',');
    std::getline(ss, adj, ',');
    std::getline(ss, v, ',');
    auto ts = ParseTime(date.substr(0, 10), TimeBound::kStart);
    if (!ts.ok()) continue;
    Bar bar = MakeBar(*ts, std::stod(o), std::stod(h), std::stod(l), std::stod(c),
                      static_cast<int64_t>(std::stod(v)));
    bar.adj_close = std::stod(adj);
    b.Add(bar);
  }
  return *std::move(b).Finish();
}

TEST(ValidationRealDataTest, DetectsYahoo100xPencePoundsError) {
  FINEX_REQUIRE_SHARED_DATA();
  const std::string dir = testing::SharedDataDir() + "/ohlcv/yahoo-quirks/";
  FramePtr bad = ReadYfinanceCsv(dir + "yfinance-testdata-AET-L-1d-100x-error.csv");
  ASSERT_GT(bad->rows(), 10u);
  ValidationReport r = ValidateBars(*bad, Interval::k1d, 2000000000);
  EXPECT_TRUE(r.suspect_series) << r.Summary();
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].kind, BarIssueKind::kUnitJump);
  FramePtr fixed = ReadYfinanceCsv(dir + "yfinance-testdata-AET-L-1d-100x-error-fixed.csv");
  ValidationReport rf = ValidateBars(*fixed, Interval::k1d, 2000000000);
  EXPECT_FALSE(rf.suspect_series) << rf.Summary();
}

TEST(ValidationRealDataTest, DetectsYahooLateAppliedSplit) {
  FINEX_REQUIRE_SHARED_DATA();
  const std::string dir = testing::SharedDataDir() + "/ohlcv/yahoo-quirks/";
  FramePtr bad = ReadYfinanceCsv(dir + "yfinance-testdata-4063-T-1d-bad-stock-split.csv");
  ValidationReport r = ValidateBars(*bad, Interval::k1d, 2000000000);
  ASSERT_TRUE(r.suspect_series) << r.Summary();
  bool found = false;
  for (const BarIssue& i : r.issues) found |= i.kind == BarIssueKind::kUnreportedSplit;
  EXPECT_TRUE(found) << r.Summary();
  FramePtr fixed = ReadYfinanceCsv(dir + "yfinance-testdata-4063-T-1d-bad-stock-split-fixed.csv");
  ValidationReport rf = ValidateBars(*fixed, Interval::k1d, 2000000000);
  EXPECT_FALSE(rf.suspect_series) << rf.Summary();
}

}  // namespace
}  // namespace finex::cache
