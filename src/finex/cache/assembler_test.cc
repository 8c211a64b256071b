#include "finex/cache/assembler.h"

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

class AssemblerTest : public ::testing::Test {
 protected:
  AssemblerTest() {
    mem = finex::testing::NewTestMemoryBackend(clock);
    codec = codec::NewParquetCodec();
    store = std::make_unique<FragmentStore>(*mem, *codec, FragmentStoreOptions{});
  }
  fragment::FragmentPtr Put(TimeRange r, Timestamp fetched) {
    return finex::testing::PutDailyPiece(*store, cal, clock.Now(), "AAPL", r, kSecondsPerDay, true,
                                         fetched);
  }
  FramePtr Truth(TimeRange r) {
    return finex::testing::FakeTruth(cal, "AAPL", Interval::k1d, r, clock.Now(), "yahoo");
  }
  fragment::PlanRequest Req(TimeRange r, FieldSet f = FieldSet::Ohlcv()) {
    fragment::PlanRequest pr;
    pr.symbol = "AAPL";
    pr.interval = Interval::k1d;
    pr.range = r;
    pr.fields = f;
    return pr;
  }

  FakeClock clock{T(2024, 6, 15)};
  FakeCalendar cal;
  std::unique_ptr<backend::Backend> mem;
  std::unique_ptr<codec::FrameCodec> codec;
  std::unique_ptr<FragmentStore> store;
};

TEST_F(AssemblerTest, PiecesMergeSliceAndProject) {
  auto a = Put({T(2024, 3, 1), T(2024, 4, 1)}, clock.Now());
  auto b = Put({T(2024, 4, 1), T(2024, 5, 1)}, clock.Now());
  Assembler asm_(*store, 100000);
  const TimeRange want{T(2024, 3, 15), T(2024, 4, 15)};
  ASSERT_OK_AND_ASSIGN(Assembly got,
                       asm_.Assemble({a, b}, Req(want, FieldSet::Ohlcv()), {}, clock.Now(), 1));
  ASSERT_FALSE(got.vanished());
  EXPECT_TRUE(got.frame->Equals(*Truth(want)->Project(FieldSet::Ohlcv())));
}

TEST_F(AssemblerTest, AVanishedPieceIsATypedAnswerNotAnError) {
  auto a = Put({T(2024, 3, 1), T(2024, 4, 1)}, clock.Now());
  store->Publish({}, std::vector<std::string>{a->key});
  Assembler asm_(*store, 100000);
  ASSERT_OK_AND_ASSIGN(Assembly got,
                       asm_.Assemble({a}, Req({T(2024, 3, 1), T(2024, 4, 1)}), {}, clock.Now(), 1));
  EXPECT_TRUE(got.vanished());
  EXPECT_EQ(got.vanished_key, a->key);
}

TEST_F(AssemblerTest, ARepeatedHitOfTheSameGenerationIsServedFromTheMemo) {
  auto a = Put({T(2024, 3, 1), T(2024, 4, 1)}, clock.Now());
  Assembler asm_(*store, 100000);
  const auto pr = Req({T(2024, 3, 1), T(2024, 4, 1)});
  ASSERT_OK(asm_.Assemble({a}, pr, {}, clock.Now(), 7));
  store->Publish({}, std::vector<std::string>{a->key});  // bytes gone: only the memo can answer
  ASSERT_OK_AND_ASSIGN(Assembly memo, asm_.Assemble({a}, pr, {}, clock.Now(), 7));
  EXPECT_FALSE(memo.vanished());
  ASSERT_OK_AND_ASSIGN(Assembly next_gen, asm_.Assemble({a}, pr, {}, clock.Now(), 8));
  EXPECT_TRUE(next_gen.vanished()) << "a new generation re-reads the pieces";
  ASSERT_OK(asm_.Assemble({a}, pr, {}, clock.Now(), 7).status());
  asm_.DropMemos();
  ASSERT_OK_AND_ASSIGN(Assembly dropped, asm_.Assemble({a}, pr, {}, clock.Now(), 7));
  EXPECT_TRUE(dropped.vanished());
}

TEST_F(AssemblerTest, TheNewerFetchWinsASharedBar) {
  auto old = Put({T(2024, 3, 1), T(2024, 4, 1)}, clock.Now() - 100);
  // A newer answer for the same days with different closes, served unstored.
  FrameBuilder b(FieldSet::Ohlcv());
  Bar bar;
  bar.symbol = "AAPL";
  bar.timestamp = T(2024, 3, 5);
  bar.open = bar.high = bar.low = bar.close = 1.0;
  bar.volume = 1;
  b.Add(bar);
  FramePtr newer = *std::move(b).Finish();
  Assembler asm_(*store, 100000);
  ASSERT_OK_AND_ASSIGN(Assembly got, asm_.Assemble({old}, Req({T(2024, 3, 5), T(2024, 3, 6)}),
                                                   {newer}, clock.Now(), 1));
  ASSERT_EQ(got.frame->rows(), 1u);
  EXPECT_EQ(got.frame->column(DoubleField::kClose).Get(0), 1.0);
}

}  // namespace
}  // namespace finex::cache
