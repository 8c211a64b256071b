#include "finex/cache/coalescer.h"

#include <gtest/gtest.h>

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

class CoalescerTest : public ::testing::Test {
 protected:
  CoalescerTest() {
    mem = finex::testing::NewTestMemoryBackend(clock);
    codec = codec::NewParquetCodec();
    store = std::make_unique<FragmentStore>(*mem, *codec, FragmentStoreOptions{});
  }
  // Stores the bars of [a, b) as one piece, fetched at `fetched`.
  fragment::FragmentPtr Put(Timestamp a, Timestamp b, bool final = true, Timestamp fetched = 0) {
    return finex::testing::PutDailyPiece(*store, cal, clock.Now(), "AAPL", {a, b},
                                         30 * kSecondsPerDay, final,
                                         fetched ? fetched : clock.Now());
  }
  std::vector<fragment::FragmentPtr> Pieces() {
    return *store->Snapshot("AAPL", Interval::k1d).fragments;
  }
  void Coalesce(const std::vector<fragment::FragmentPtr>& added) {
    SupersedeAndCoalesce(*store, cal, unit, "AAPL", Interval::k1d, added, clock.Now());
  }

  FakeClock clock{T(2024, 6, 15)};
  FakeCalendar cal;
  const fragment::BucketUnit unit =
      fragment::FragmentBucketUnit(Interval::k1d, fragment::FragmentSize::kOptimized);
  std::unique_ptr<backend::Backend> mem;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<FragmentStore> store;
};

TEST_F(CoalescerTest, TouchingPiecesOfOneBucketMergeKeepingEveryBar) {
  auto a = Put(T(2024, 3, 1), T(2024, 3, 9));    // Fri 1 .. Fri 8
  auto b = Put(T(2024, 3, 11), T(2024, 3, 16));  // Mon 11 .. Fri 15: a weekend apart
  const uint64_t rows = a->rows + b->rows;
  Coalesce({b});
  auto pieces = Pieces();
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0]->vouched, (TimeRange{T(2024, 3, 1), T(2024, 3, 16)}));
  EXPECT_EQ(pieces[0]->rows, rows);
  ASSERT_OK_AND_ASSIGN(FramePtr fr, store->FrameOf(*pieces[0]));
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->rows(), rows);
  ASSERT_OK_AND_ASSIGN(auto keys, mem->ScanPrefix("finex:AAPL:"));
  EXPECT_EQ(keys.size(), 1u) << "the merged pieces' bytes are gone";
}

TEST_F(CoalescerTest, PiecesWithTradingTimeBetweenStayApart) {
  Put(T(2024, 3, 1), T(2024, 3, 5));
  auto b = Put(T(2024, 3, 12), T(2024, 3, 16));
  Coalesce({b});
  EXPECT_EQ(Pieces().size(), 2u);
}

TEST_F(CoalescerTest, AWiderFreshPieceSupersedesTheOldOne) {
  auto old = Put(T(2024, 3, 4), T(2024, 3, 9), true, T(2024, 6, 1));
  auto wide = Put(T(2024, 3, 1), T(2024, 4, 1));
  Coalesce({wide});
  auto pieces = Pieces();
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0]->key, wide->key);
  ASSERT_OK_AND_ASSIGN(FramePtr gone, store->FrameOf(*old));
  EXPECT_EQ(gone, nullptr);
}

TEST_F(CoalescerTest, LivePiecesStayApartFromFinalOnes) {
  Put(T(2024, 3, 1), T(2024, 3, 9));
  auto live = Put(T(2024, 3, 11), T(2024, 3, 12), /*final=*/false);
  Coalesce({live});
  EXPECT_EQ(Pieces().size(), 2u);
}

}  // namespace
}  // namespace finex::cache
