#include "finex/cache/fragment_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "finex/backend/backend_wrapper.h"
#include "finex/backend/memory/memory_backend.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "tests/testutil/cache_pieces.h"
#include "tests/testutil/fake_calendar.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/fake_provider.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using finex::testing::FakeCalendar;
using finex::testing::FakeClock;

Timestamp T(int y, int m, int d) { return DaysFromCivil({y, m, d}) * kSecondsPerDay; }

// Counts prefix scans (the cost of loading a series).
class CountingBackend final : public backend::BackendWrapper {
 public:
  using BackendWrapper::BackendWrapper;
  std::atomic<int> scans{0};

 protected:
  Result<std::vector<std::string>> DoScanPrefix(std::string_view prefix, size_t limit) override {
    scans.fetch_add(1);
    return BackendWrapper::DoScanPrefix(prefix, limit);
  }
};

struct StoreRig {
  StoreRig() {
    mem = finex::testing::NewTestMemoryBackend(clock);
    counting = std::make_unique<CountingBackend>(*mem);
    codec = codec::NewParquetCodec();
    store = std::make_unique<FragmentStore>(*counting, *codec, FragmentStoreOptions{});
  }
  // Writes and publishes one month of daily bars of `symbol`.
  fragment::FragmentPtr PutMonth(const std::string& symbol, int y, int m) {
    const TimeRange r{T(y, m, 1), T(y, m + 1, 1)};
    return finex::testing::PutDailyPiece(*store, cal, clock.Now(), symbol, r, kSecondsPerDay, true,
                                         clock.Now());
  }
  FakeClock clock{T(2024, 6, 15)};
  FakeCalendar cal;
  std::unique_ptr<backend::Backend> mem;
  std::unique_ptr<CountingBackend> counting;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<FragmentStore> store;
};

TEST(FragmentStore, WrittenPiecesAreReadableAndVisible) {
  StoreRig rig;
  auto f = rig.PutMonth("AAPL", 2024, 3);
  EXPECT_EQ(rig.store->Snapshot("AAPL", Interval::k1d).fragments->size(), 1u);
  ASSERT_OK_AND_ASSIGN(FramePtr fr, rig.store->FrameOf(*f));
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->rows(), f->rows);
  EXPECT_GT(rig.store->stored_bytes(), 0u);
  EXPECT_GT(rig.store->memory_bytes(), 0u);  // hot tier + the in-process memory backend
}

TEST(FragmentStore, AVanishedPieceReadsAsNull) {
  StoreRig rig;
  auto f = rig.PutMonth("AAPL", 2024, 3);
  rig.store->Publish({}, std::vector<std::string>{f->key});  // bytes and decoded frame go too
  ASSERT_OK_AND_ASSIGN(FramePtr fr, rig.store->FrameOf(*f));
  EXPECT_EQ(fr, nullptr);
  EXPECT_TRUE(rig.store->Snapshot("AAPL", Interval::k1d).fragments->empty());
}

TEST(FragmentStore, ASecondStoreRebuildsTheSeriesFromTheBackendOnce) {
  StoreRig rig;
  rig.PutMonth("AAPL", 2024, 3);
  rig.PutMonth("AAPL", 2024, 4);
  FragmentStore other(*rig.counting, *rig.codec, {});
  const int before = rig.counting->scans.load();
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] { EXPECT_OK(other.EnsureLoaded("AAPL", Interval::k1d)); });
  for (auto& t : ts) t.join();
  EXPECT_EQ(rig.counting->scans.load() - before, 1) << "concurrent loads share one scan";
  auto snap = other.Snapshot("AAPL", Interval::k1d);
  ASSERT_EQ(snap.fragments->size(), 2u);
  EXPECT_TRUE((*snap.fragments)[0]->details_loaded) << "details come from the stored metadata";
  EXPECT_OK(other.EnsureLoaded("AAPL", Interval::k1d));
  EXPECT_EQ(rig.counting->scans.load() - before, 1) << "loaded once";
}

TEST(FragmentStore, LoadNewFindsPiecesOthersWrote) {
  StoreRig rig;
  FragmentStore other(*rig.counting, *rig.codec, {});
  EXPECT_OK(other.EnsureLoaded("AAPL", Interval::k1d));
  rig.PutMonth("AAPL", 2024, 5);
  EXPECT_TRUE(other.Snapshot("AAPL", Interval::k1d).fragments->empty());
  EXPECT_OK(other.LoadNew("AAPL", Interval::k1d));
  EXPECT_EQ(other.Snapshot("AAPL", Interval::k1d).fragments->size(), 1u);
}

TEST(FragmentStore, InvalidateRemovesMatchingPiecesEverywhere) {
  StoreRig rig;
  rig.PutMonth("AAPL", 2024, 3);
  rig.PutMonth("MSFT", 2024, 3);
  ASSERT_OK_AND_ASSIGN(size_t n, rig.store->Invalidate("finex:AAPL:*"));
  EXPECT_EQ(n, 1u);
  EXPECT_TRUE(rig.store->Snapshot("AAPL", Interval::k1d).fragments->empty());
  EXPECT_EQ(rig.store->Snapshot("MSFT", Interval::k1d).fragments->size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto keys, rig.mem->ScanPrefix("finex:AAPL:"));
  EXPECT_TRUE(keys.empty());
  EXPECT_FALSE(rig.store->Invalidate("finex:AAPL:[").ok());
}

}  // namespace
}  // namespace finex::cache
