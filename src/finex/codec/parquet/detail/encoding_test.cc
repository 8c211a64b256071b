#include "finex/codec/parquet/detail/encoding.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::codec::pq {
namespace {

using ::finex::testing::StatusIs;

TEST(Rle, KnownBytes) {
  // 10 x 1 at bit width 1 -> one RLE run: header (10 << 1) = 20, value 1.
  std::vector<uint8_t> v(10, 1);
  std::string out;
  RleEncode(std::span<const uint8_t>(v), 1, &out);
  EXPECT_EQ(out, std::string("\x14\x01", 2));
  // 8 literals 0..7 at width 3: header (1 << 1) | 1 = 3, then 3 packed bytes.
  std::vector<uint32_t> lit = {0, 1, 2, 3, 4, 5, 6, 7};
  out.clear();
  RleEncode(std::span<const uint32_t>(lit), 3, &out);
  EXPECT_EQ(out, std::string("\x03\x88\xc6\xfa", 4));  // the spec's example
}

TEST(Rle, RandomRoundTrip) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int iter = 0; iter < 500; ++iter) {
    const int bw = static_cast<int>(rng() % 33);
    const size_t n = rng() % 2000;
    std::vector<uint32_t> v(n);
    const uint64_t mask = bw == 32 ? 0xFFFFFFFFull : (1ull << bw) - 1;
    for (size_t i = 0; i < n;) {
      const size_t run = 1 + rng() % 20;
      const uint32_t x = static_cast<uint32_t>(rng() & mask);
      for (size_t k = 0; k < run && i < n; ++k, ++i)
        v[i] = (rng() % 3 == 0) ? static_cast<uint32_t>(rng() & mask) : x;
    }
    std::string enc;
    RleEncode(std::span<const uint32_t>(v), bw, &enc);
    std::vector<uint32_t> got(n);
    ASSERT_OK(RleDecode(enc, bw, n, got.data()));
    ASSERT_EQ(got, v) << "bw=" << bw << " n=" << n;
  }
}

TEST(Rle, TruncatedAndHostile) {
  std::vector<uint32_t> out(100);
  EXPECT_THAT(RleDecode(std::string_view(), 3, 5, out.data()), StatusIs(StatusCode::kDataLoss));
  // Bit-packed header claiming 2^60 groups.
  std::string h = "\x81\x80\x80\x80\x80\x80\x80\x80\x20";
  EXPECT_THAT(RleDecode(h, 8, 100, out.data()), StatusIs(StatusCode::kDataLoss));
  // RLE value above the bit width.
  EXPECT_THAT(RleDecode(std::string_view("\x08\x05", 2), 2, 4, out.data()),
              StatusIs(StatusCode::kDataLoss));
}

TEST(Delta, RandomRoundTripIncludingExtremes) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int iter = 0; iter < 300; ++iter) {
    const size_t n = rng() % 1000;
    std::vector<int64_t> v(n);
    const int mode = static_cast<int>(rng() % 4);
    int64_t cur = static_cast<int64_t>(rng());
    for (size_t i = 0; i < n; ++i) {
      if (mode == 0) v[i] = static_cast<int64_t>(rng());  // full range: 64-bit deltas
      if (mode == 1) v[i] = cur += 60000;                 // constant stride
      if (mode == 2) v[i] = cur += static_cast<int64_t>(rng() % 1000) - 500;
      if (mode == 3) v[i] = (i % 2) ? INT64_MIN : INT64_MAX;
    }
    std::string enc;
    DeltaEncode(v, &enc);
    std::vector<int64_t> got(n);
    size_t consumed = 0;
    ASSERT_OK(DeltaDecode(enc, n, got.data(), &consumed));
    EXPECT_EQ(got, v);
    EXPECT_EQ(consumed, enc.size());
  }
}

TEST(Delta, RejectsCountMismatchAndTruncation) {
  std::vector<int64_t> v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * i);
  std::string enc;
  DeltaEncode(v, &enc);
  std::vector<int64_t> got(300);
  size_t c;
  EXPECT_THAT(DeltaDecode(enc, 299, got.data(), &c), StatusIs(StatusCode::kDataLoss));
  // Truncation fails, except where it only removes the last miniblock's
  // padding: then the values are still exactly right.
  size_t failed = 0;
  for (size_t len = 0; len < enc.size(); ++len) {
    std::fill(got.begin(), got.end(), -1);
    Status s = DeltaDecode(std::string_view(enc).substr(0, len), 300, got.data(), &c);
    if (s.ok()) {
      EXPECT_EQ(got, v) << len;
    } else {
      ++failed;
    }
  }
  EXPECT_GT(failed, enc.size() / 2);
}

TEST(ByteStreamSplit, RoundTripAndLayout) {
  std::vector<double> v = {1.5, -2.25, 3e300};
  std::string enc;
  ByteStreamSplitEncode(v.data(), v.size(), &enc);
  ASSERT_EQ(enc.size(), 24u);
  uint64_t b0;
  std::memcpy(&b0, &v[0], 8);
  EXPECT_EQ(static_cast<uint8_t>(enc[0]), b0 & 0xFF);
  EXPECT_EQ(static_cast<uint8_t>(enc[7 * 3]), b0 >> 56);
  std::vector<double> got(3);
  ASSERT_OK(ByteStreamSplitDecode(enc, 3, got.data()));
  EXPECT_EQ(std::memcmp(got.data(), v.data(), 24), 0);
  EXPECT_THAT(ByteStreamSplitDecode(std::string_view(enc).substr(1), 3, got.data()),
              StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace finex::codec::pq
