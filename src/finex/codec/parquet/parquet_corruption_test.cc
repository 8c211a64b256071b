// Damaged input: every single-byte flip and every truncation of small files
// yields an error status or (where the flip hits bytes that carry nothing)
// the identical frame and metadata; never different data returned as OK.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "finex/codec/parquet/parquet_codec.h"
#include "finex/codec/parquet/parquet_test_frames.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::codec {
namespace {

using testing::RandomFrame;
using testing::RandomFrameSpec;

struct Counts {
  size_t errors = 0, identical = 0;
};

void CheckDamaged(const Bytes& damaged, const Frame& want, const KeyValueMetadata& md,
                  const ParquetOptions& o, bool compare_metadata, const std::string& what,
                  Counts* counts) {
  Result<DecodedFrame> r = DecodeParquet(damaged, o);
  if (!r.ok()) {
    const StatusCode c = r.status().code();
    EXPECT_TRUE(c == StatusCode::kDataLoss || c == StatusCode::kInvalidArgument ||
                c == StatusCode::kUnimplemented)
        << what << ": " << r.status();
    ++counts->errors;
    return;
  }
  ASSERT_TRUE(r->frame->Equals(want)) << what << " returned different data as OK";
  if (compare_metadata) {
    ASSERT_EQ(r->metadata, md) << what << " returned different metadata as OK";
  }
  ++counts->identical;
}

class Corruption : public ::testing::TestWithParam<int> {};

TEST_P(Corruption, FlipEveryByteAndTruncateEveryLength) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  RandomFrameSpec spec;
  spec.rows = 30;
  spec.symbols = 2;
  spec.null_rate = 0.2;
  FramePtr f = RandomFrame(rng, spec);
  const KeyValueMetadata md = {{"finex.requested", "1704067200-1706918400"}, {"finex.final", "1"}};
  ParquetOptions o;
  switch (GetParam()) {
    case 0:
      break;  // defaults: zstd, v1, dictionary
    case 1:
      o.compression = ParquetCompression::kNone;
      break;
    case 2:
      o.compression = ParquetCompression::kSnappy, o.data_page_version = 2;
      break;
    case 3:
      o.compression = ParquetCompression::kGzip, o.dictionary = false;
      break;
  }
  ASSERT_OK_AND_ASSIGN(Bytes good, EncodeParquet(*f, md, o));
  Counts counts;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      Bytes bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      CheckDamaged(bad, *f, md, o, /*compare_metadata=*/true,
                   "flip byte " + std::to_string(i) + " mask " + std::to_string(mask), &counts);
      if (HasFatalFailure()) return;
    }
  }
  for (size_t len = 0; len < good.size(); ++len) {
    CheckDamaged(good.substr(0, len), *f, md, o, true, "truncate to " + std::to_string(len),
                 &counts);
    if (HasFatalFailure()) return;
  }
  std::cout << "file " << good.size() << " bytes: " << counts.errors << " errors, "
            << counts.identical << " identical\n";
}

// Without the envelope checksum, page CRCs alone still catch every flip in
// the data region (everything before the footer).
TEST_P(Corruption, PageCrcsGuardTheDataRegionWithoutTheEnvelope) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  RandomFrameSpec spec;
  spec.rows = 30;
  FramePtr f = RandomFrame(rng, spec);
  ParquetOptions o;
  o.envelope_checksum = false;
  if (GetParam() == 1) o.compression = ParquetCompression::kNone;
  if (GetParam() == 2) o.data_page_version = 2;
  if (GetParam() == 3) o.dictionary = false;
  ASSERT_OK_AND_ASSIGN(Bytes good, EncodeParquet(*f, {}, o));
  uint32_t footer_len;
  std::memcpy(&footer_len, good.data() + good.size() - 8, 4);
  const size_t data_end = good.size() - 8 - footer_len;
  Counts counts;
  for (size_t i = 4; i < data_end; ++i) {
    for (uint8_t mask : {0x01, 0x10, 0xFF}) {
      Bytes bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      CheckDamaged(bad, *f, {}, o, false, "flip data byte " + std::to_string(i), &counts);
      if (HasFatalFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Options, Corruption, ::testing::Values(0, 1, 2, 3));

TEST(Corruption, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  for (int iter = 0; iter < 5000; ++iter) {
    Bytes b(12 + rng() % 200, '\0');
    for (char& c : b) c = static_cast<char>(rng());
    b.replace(0, 4, "PAR1");
    b.replace(b.size() - 4, 4, "PAR1");
    const uint32_t len = static_cast<uint32_t>(rng() % (b.size() - 11));
    std::memcpy(b.data() + b.size() - 8, &len, 4);
    Result<DecodedFrame> r = DecodeParquet(b);
    if (r.ok()) {
      EXPECT_NE(r->frame, nullptr);
    }
  }
}

}  // namespace
}  // namespace finex::codec
