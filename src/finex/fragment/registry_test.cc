#include "finex/fragment/registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/testutil/status_matchers.h"

namespace finex::fragment {
namespace {

FragmentPtr Frag(const std::string& sym, Timestamp first, Timestamp last,
                 const std::string& prov = "yahoo", uint64_t bytes = 100) {
  auto k = MakeFragmentKey(sym, Interval::k1d, first, last, prov, "usd", FieldSet::Ohlcv());
  auto f = FragmentFromKey(*k, 1 << 30);
  f->bytes = bytes;
  return std::make_shared<const Fragment>(*f);
}

TEST(Registry, AddReplaceRemoveKeepsOrderAndBumpsGeneration) {
  FragmentRegistry reg;
  EXPECT_EQ(reg.Snapshot("AAPL", Interval::k1d).fragments->size(), 0u);
  reg.Add(Frag("AAPL", 86400 * 20, 86400 * 25));
  reg.Add(Frag("AAPL", 86400 * 10, 86400 * 15));
  reg.Add(Frag("MSFT", 86400 * 10, 86400 * 15));
  SeriesSnapshot s = reg.Snapshot("AAPL", Interval::k1d);
  ASSERT_EQ(s.fragments->size(), 2u);
  EXPECT_EQ((*s.fragments)[0]->vouched.start, 86400 * 10);
  EXPECT_EQ(reg.fragment_count(), 3u);
  EXPECT_EQ(reg.stored_bytes(), 300u);
  // Same key replaces.
  reg.Add(Frag("AAPL", 86400 * 10, 86400 * 15, "yahoo", 50));
  EXPECT_EQ(reg.Snapshot("AAPL", Interval::k1d).fragments->size(), 2u);
  EXPECT_EQ(reg.stored_bytes(), 250u);
  EXPECT_GT(reg.Snapshot("AAPL", Interval::k1d).generation, s.generation);
  // The old snapshot is untouched.
  EXPECT_EQ(s.fragments->size(), 2u);
  EXPECT_TRUE(reg.Remove((*s.fragments)[1]->key));
  EXPECT_FALSE(reg.Remove((*s.fragments)[1]->key));
  EXPECT_EQ(reg.Snapshot("AAPL", Interval::k1d).fragments->size(), 1u);
  auto removed = reg.RemoveIf([](const Fragment& f) { return f.symbol() == "MSFT"; });
  EXPECT_EQ(removed.size(), 1u);
  EXPECT_EQ(reg.fragment_count(), 1u);
  EXPECT_EQ(reg.stored_bytes(), 50u);
}

TEST(Registry, RebuildsFromKeysAndReportsBadOnes) {
  FragmentRegistry reg;
  std::vector<std::string> keys = {
      "finex:AAPL:1d:1704153600:1706659200:yahoo:usd:ohlcv_v1",
      "finex:AAPL:1d:1706745600:1709164800:alpha_vantage:usd:ohlcv+adj_close_v1",
      "finex:AAPL:1d:oops", "finex:AAPL:1h:1704153600:1704153600:yahoo:usd:empty_v1"};
  std::vector<std::string> bad;
  EXPECT_EQ(reg.AddKeys(keys, 77, &bad), 3u);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0], "finex:AAPL:1d:oops");
  EXPECT_EQ(reg.Snapshot("AAPL", Interval::k1d).fragments->size(), 2u);
  EXPECT_EQ(reg.Snapshot("AAPL", Interval::k1h).fragments->size(), 1u);
  // Known keys are not re-added.
  EXPECT_EQ(reg.AddKeys(keys, 77), 0u);
  EXPECT_FALSE(reg.loaded("AAPL", Interval::k1d));
  reg.MarkLoaded("AAPL", Interval::k1d);
  EXPECT_TRUE(reg.loaded("AAPL", Interval::k1d));
}

TEST(Registry, ConcurrentReadersAndWriters) {
  FragmentRegistry reg;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        reg.Add(Frag("S" + std::to_string(t), 86400 * i, 86400 * i));
        auto s = reg.Snapshot("S" + std::to_string((t + 1) % 4), Interval::k1d);
        for (size_t k = 1; k < s.fragments->size(); ++k)
          ASSERT_LE((*s.fragments)[k - 1]->vouched.start, (*s.fragments)[k]->vouched.start);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(reg.fragment_count(), 1200u);
}

}  // namespace
}  // namespace finex::fragment
