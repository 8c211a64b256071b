#include "finex/core/frame.h"

#include <gtest/gtest.h>

#include "tests/testutil/status_matchers.h"

namespace finex {
namespace {

Bar MakeBar(std::string sym, Timestamp ts, double close) {
  Bar b;
  b.symbol = std::move(sym);
  b.timestamp = ts;
  b.open = b.high = b.low = b.close = close;
  b.volume = 100;
  b.provider = "yahoo";
  b.currency = "usd";
  b.timezone = "America/New_York";
  return b;
}

TEST(FrameTest, BuildSortsAndSlices) {
  FrameBuilder b;
  b.Add(MakeBar("AAPL", 300, 3));
  b.Add(MakeBar("AAPL", 100, 1));
  b.Add(MakeBar("AAPL", 200, 2));
  ASSERT_OK_AND_ASSIGN(FramePtr f, std::move(b).Finish());
  ASSERT_EQ(f->rows(), 3u);
  EXPECT_EQ(f->timestamps()[0], 100);
  EXPECT_EQ(f->close()[2], 3);
  FramePtr s = f->Slice(TimeRange{150, 300});
  ASSERT_EQ(s->rows(), 1u);
  EXPECT_EQ(s->timestamps()[0], 200);
}

}  // namespace
}  // namespace finex
