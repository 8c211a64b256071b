// Issue 7 "Must show": validation with real bad data, end to end. The real
// Yahoo errors in ../shared/data/ohlcv/yahoo-quirks (AET.L's 100x
// pence/pounds bar, 4063.T's late-applied split) are served by `finex sim
// --data` through the Yahoo wire format; the cache must detect them, count
// them (validation_rejects) and never cache them as good, while the fixed
// versions of the same histories are cached normally.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/lifecycle_rig.h"
#include "tests/testutil/random.h"

namespace finex::lifecycle {
namespace {

namespace fs = std::filesystem;

struct Case {
  const char* file;    // in yahoo-quirks
  const char* symbol;  // served by the simulator under this name
  bool bad;
};

TEST(LifecycleValidation, RealYahooErrorsAreDetectedCountedAndNeverCached) {
  FINEX_REQUIRE_SHARED_DATA();
  const fs::path src = fs::path(finex::testing::SharedDataDir()) / "ohlcv" / "yahoo-quirks";
  const fs::path dir = fs::path(FINEX_BINARY_DIR) / "lifecycle_validation_data";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Case cases[] = {
      {"yfinance-testdata-AET-L-1d-100x-error.csv", "AET.L", true},
      {"yfinance-testdata-AET-L-1d-100x-error-fixed.csv", "AETF.L", false},
      {"yfinance-testdata-4063-T-1d-bad-stock-split.csv", "4063.T", true},
      {"yfinance-testdata-4063-T-1d-bad-stock-split-fixed.csv", "4064.T", false},
  };
  // The simulator takes the symbol from a "symbol" column (file names cut at
  // the first '.', so "AET.L" cannot come from the name).
  int n = 0;
  for (const Case& c : cases) {
    std::ifstream in(src / c.file);
    ASSERT_TRUE(in) << c.file;
    std::ofstream out(dir / ("yfinance_Q" + std::to_string(n++) + "_1d_quirk.csv"));
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      out << (header ? std::string("symbol") : std::string(c.symbol)) << "," << line << "\n";
      header = false;
    }
  }
  RigOptions o;
  o.start = T(2024, 3, 16, 12);
  o.sim_data_dir = dir.string();
  Rig rig(o);
  ASSERT_EQ(rig.sim->generator().loaded_series(), 4u) << "the quirk histories were not loaded";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.symbol);
    const uint64_t rejects0 = rig.api->cache_stats().validation_rejects;
    ASSERT_OK_AND_ASSIGN(cache::HistoryResult r,
                         rig.H(c.symbol, Interval::k1d, T(2022, 1, 1), EndOf(2023, 12, 31)));
    EXPECT_EQ(r.info.api_calls_made, 1);
    EXPECT_GT(r.frame->rows(), 10u);
    const uint64_t rejects = rig.api->cache_stats().validation_rejects - rejects0;
    ASSERT_OK_AND_ASSIGN(cache::HistoryResult again,
                         rig.H(c.symbol, Interval::k1d, T(2022, 1, 1), EndOf(2023, 12, 31)));
    if (c.bad) {
      EXPECT_GT(rejects, 0u) << "the real Yahoo error was not detected";
      EXPECT_TRUE(rig.Fragments(c.symbol, Interval::k1d).empty()) << "a suspect series was cached";
      EXPECT_EQ(again.info.api_calls_made, 1) << "served from cache as good";
    } else {
      EXPECT_EQ(rejects, 0u) << "the fixed history was flagged";
      EXPECT_FALSE(rig.Fragments(c.symbol, Interval::k1d).empty());
      EXPECT_EQ(again.info.api_calls_made, 0);
    }
  }
  fs::remove_all(dir);
}

// The control: the simulator's generated (clean) histories are not flagged.
TEST(LifecycleValidation, CleanGeneratedHistoriesAreNotFlagged) {
  RigOptions o;
  o.start = T(2024, 3, 16, 12);
  Rig rig(o);
  for (const std::string sym : {"AAPL", "AET.L", "VOD.L", "7203.T", "SAP.DE"}) {
    ASSERT_OK(rig.H(sym, Interval::k1d, T(2022, 1, 1), EndOf(2023, 12, 31)));
    EXPECT_EQ(rig.api->cache_stats().validation_rejects, 0u) << sym;
  }
}

}  // namespace
}  // namespace finex::lifecycle
