#include "finex/codec/parquet/parquet_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "finex/codec/parquet/detail/format.h"
#include "finex/codec/parquet/parquet_test_frames.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::codec {
namespace {

using ::finex::testing::StatusIs;
using testing::RandomFrame;
using testing::RandomFrameSpec;

void ExpectRoundTrip(const Frame& f, const KeyValueMetadata& md, const ParquetOptions& o) {
  ASSERT_OK_AND_ASSIGN(Bytes bytes, EncodeParquet(f, md, o));
  ASSERT_OK_AND_ASSIGN(DecodedFrame d, DecodeParquet(bytes, o));
  ASSERT_TRUE(d.frame->Equals(f)) << "want:\n"
                                  << f.DebugString(5) << "got:\n"
                                  << d.frame->DebugString(5);
  EXPECT_EQ(d.metadata, md);
  // Encoding is deterministic.
  ASSERT_OK_AND_ASSIGN(Bytes again, EncodeParquet(f, md, o));
  EXPECT_EQ(again, bytes);
}

std::vector<ParquetOptions> OptionMatrix() {
  std::vector<ParquetOptions> out;
  for (ParquetCompression c : {ParquetCompression::kNone, ParquetCompression::kSnappy,
                               ParquetCompression::kZstd, ParquetCompression::kGzip}) {
    for (int v : {1, 2}) {
      for (bool dict : {true, false}) {
        ParquetOptions o;
        o.compression = c;
        o.data_page_version = v;
        o.dictionary = dict;
        o.row_group_rows = dict ? 1 << 17 : 37;  // several row groups too
        out.push_back(o);
      }
    }
  }
  return out;
}

TEST(ParquetCodec, RandomFramesRoundTripBitForBit) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  const auto matrix = OptionMatrix();
  for (int iter = 0; iter < 200; ++iter) {
    RandomFrameSpec spec;
    spec.rows = rng() % 400;
    spec.symbols = 1 + static_cast<int>(rng() % 3);
    spec.null_rate = (rng() % 3) * 0.3;
    FramePtr f = RandomFrame(rng, spec);
    KeyValueMetadata md;
    for (int k = 0; k < static_cast<int>(rng() % 4); ++k) {
      md.emplace_back("finex.k" + std::to_string(k),
                      std::string(rng() % 300, static_cast<char>(rng())));
    }
    const ParquetOptions& o = matrix[iter % matrix.size()];
    SCOPED_TRACE("iter " + std::to_string(iter) + " compression " +
                 std::string(ParquetCompressionName(o.compression)) + " v" +
                 std::to_string(o.data_page_version));
    ExpectRoundTrip(*f, md, o);
  }
}

TEST(ParquetCodec, EmptyFramesKeepTheirFields) {
  for (uint8_t bits = 0; bits < 8; ++bits) {
    FramePtr f = Frame::Empty(FieldSet(bits));
    for (const ParquetOptions& o : OptionMatrix()) ExpectRoundTrip(*f, {{"requested", "x"}}, o);
  }
}

TEST(ParquetCodec, OneRow) {
  FrameBuilder b(FieldSet::All());
  Bar bar;
  bar.symbol = "AAPL";
  bar.timestamp = 1704153600;
  bar.open = 187.15;
  bar.high = 188.44;
  bar.low = 183.885;
  bar.close = 185.64;
  bar.volume = 82488700;
  bar.adj_close = 185.4;
  bar.provider = "yahoo";
  bar.currency = "usd";
  bar.timezone = "America/New_York";
  b.Add(bar);
  FramePtr f = std::move(b).Finish().value();
  for (const ParquetOptions& o : OptionMatrix()) ExpectRoundTrip(*f, {}, o);
}

TEST(ParquetCodec, OneMillionRows) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  RandomFrameSpec spec;
  spec.rows = 1000000;
  spec.symbols = 3;
  spec.null_rate = 0.05;
  FramePtr f = RandomFrame(rng, spec);
  ASSERT_EQ(f->rows(), 1000000u);
  ParquetOptions o;  // defaults: zstd, 131072-row groups
  ExpectRoundTrip(*f, {{"k", "v"}}, o);
  o.data_page_version = 2;
  o.compression = ParquetCompression::kSnappy;
  ExpectRoundTrip(*f, {}, o);
}

TEST(ParquetCodec, MetadataRoundTripsInOrderWithDuplicatesAndBinary) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  FramePtr f = RandomFrame(rng, {});
  KeyValueMetadata md = {{"b", "2"},
                         {"a", "1"},
                         {"a", "again"},
                         {"", ""},
                         {"bin", std::string("\0\xff\x01", 3)},
                         {"long", std::string(100000, 'z')}};
  ExpectRoundTrip(*f, md, {});
}

TEST(ParquetCodec, RejectsReservedKeysAndBadOptions) {
  FramePtr f = Frame::Empty();
  EXPECT_THAT(EncodeParquet(*f, {{std::string(kParquetFieldsKey), "x"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeParquet(*f, {{std::string(kParquetChecksumKey), "x"}}),
              StatusIs(StatusCode::kInvalidArgument));
  ParquetOptions o;
  o.zstd_level = 0;
  EXPECT_THAT(EncodeParquet(*f, {}, o), StatusIs(StatusCode::kInvalidArgument, "zstd_level"));
  o = {};
  o.data_page_version = 3;
  EXPECT_THAT(EncodeParquet(*f, {}, o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.row_group_rows = 0;
  EXPECT_THAT(EncodeParquet(*f, {}, o), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParquetCodec, RejectsTimestampsOutsideMillis) {
  FrameBuilder b;
  Bar bar;
  bar.symbol = "X";
  bar.timestamp = INT64_MAX / 10;
  b.Add(bar);
  FramePtr f = std::move(b).Finish().value();
  EXPECT_THAT(EncodeParquet(*f, {}), StatusIs(StatusCode::kInvalidArgument, "TIMESTAMP(MILLIS)"));
}

TEST(ParquetCodec, CodecInterface) {
  auto codec = NewParquetCodec();
  EXPECT_EQ(codec->name(), "parquet");
  std::mt19937_64 rng(::finex::testing::TestSeed());
  FramePtr f = RandomFrame(rng, {});
  ASSERT_OK_AND_ASSIGN(Bytes bytes, codec->Encode(*f, {{"fetched_at", "1704153600"}}));
  ASSERT_OK_AND_ASSIGN(DecodedFrame d, codec->Decode(bytes));
  EXPECT_TRUE(d.frame->Equals(*f));
  EXPECT_EQ(d.Meta("fetched_at"), "1704153600");
  EXPECT_EQ(d.Meta("absent"), "");
}

TEST(ParquetCodec, ParsesCompressionNames) {
  for (auto c : {ParquetCompression::kNone, ParquetCompression::kSnappy, ParquetCompression::kZstd,
                 ParquetCompression::kGzip}) {
    ASSERT_OK_AND_ASSIGN(ParquetCompression got,
                         ParseParquetCompression(ParquetCompressionName(c)));
    EXPECT_EQ(got, c);
  }
  EXPECT_THAT(ParseParquetCompression("lz4"), StatusIs(StatusCode::kInvalidArgument, "lz4"));
}

TEST(ParquetCodec, FileLayoutIsStandard) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  FramePtr f = RandomFrame(rng, {});
  ASSERT_OK_AND_ASSIGN(Bytes bytes, EncodeParquet(*f, {}));
  ASSERT_GE(bytes.size(), 12u);
  EXPECT_EQ(bytes.substr(0, 4), "PAR1");
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "PAR1");
  uint32_t len;
  std::memcpy(&len, bytes.data() + bytes.size() - 8, 4);
  pq::FileMetaData md;
  ASSERT_OK(pq::ParseFileMetaData(std::string_view(bytes).substr(bytes.size() - 8 - len, len), &md,
                                  /*statistics=*/true));
  ASSERT_EQ(md.schema.size(), 13u);
  EXPECT_EQ(md.schema[2].name, "timestamp");
  EXPECT_EQ(md.schema[2].logical, 8);
  EXPECT_TRUE(md.schema[2].ts_adjusted_to_utc);
  EXPECT_EQ(md.schema[2].ts_unit, pq::kMillis);
  EXPECT_EQ(*md.schema[1].type, pq::kByteArray);
  EXPECT_EQ(md.schema[1].logical, 1);  // STRING
  EXPECT_EQ(*md.schema[3].repetition, pq::kOptional);
  EXPECT_EQ(md.num_rows, static_cast<int64_t>(f->rows()));
  ASSERT_EQ(md.row_groups.size(), 1u);
  // Statistics: timestamp min/max in ms.
  ASSERT_EQ(md.stats.size(), md.row_groups[0].columns.size());
  const auto& ts = md.stats[1];
  ASSERT_TRUE(ts.min_value && ts.max_value);
  int64_t mn, mx;
  std::memcpy(&mn, ts.min_value->data(), 8);
  std::memcpy(&mx, ts.max_value->data(), 8);
  int64_t want_min = INT64_MAX, want_max = INT64_MIN;
  for (size_t i = 0; i < f->rows(); ++i) {
    want_min = std::min(want_min, f->timestamps()[i] * 1000);
    want_max = std::max(want_max, f->timestamps()[i] * 1000);
  }
  EXPECT_EQ(mn, want_min);
  EXPECT_EQ(mx, want_max);
}

TEST(ParquetCodec, RejectsDeclaredRowCountsBeyondTheInput) {
  ParquetOptions o;
  o.max_rows = 10;
  std::mt19937_64 rng(::finex::testing::TestSeed());
  RandomFrameSpec spec;
  spec.rows = 20;
  FramePtr f = RandomFrame(rng, spec);
  ASSERT_OK_AND_ASSIGN(Bytes bytes, EncodeParquet(*f, {}));
  EXPECT_THAT(DecodeParquet(bytes, o), StatusIs(StatusCode::kInvalidArgument, "rows"));
}

TEST(ParquetCodec, ChecksumsNameWhatFailed) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  RandomFrameSpec spec;
  spec.symbols = 1;
  FramePtr f = RandomFrame(rng, spec);
  ParquetOptions o;
  o.compression = ParquetCompression::kNone;
  ASSERT_OK_AND_ASSIGN(Bytes with_envelope, EncodeParquet(*f, {}, o));
  Bytes bad = with_envelope;
  bad[40] ^= 0x04;
  EXPECT_THAT(DecodeParquet(bad, o), StatusIs(StatusCode::kDataLoss, "envelope checksum mismatch"));

  o.envelope_checksum = false;
  ASSERT_OK_AND_ASSIGN(Bytes crc_only, EncodeParquet(*f, {}, o));
  ASSERT_OK_AND_ASSIGN(DecodedFrame ok, DecodeParquet(crc_only, o));
  EXPECT_TRUE(ok.frame->Equals(*f));
  // Damage the symbol dictionary page (the first page of the file).
  uint32_t footer_len;
  std::memcpy(&footer_len, crc_only.data() + crc_only.size() - 8, 4);
  pq::FileMetaData md;
  ASSERT_OK(pq::ParseFileMetaData(
      std::string_view(crc_only).substr(crc_only.size() - 8 - footer_len, footer_len), &md));
  const auto& m = md.row_groups[0].columns[0].meta;
  ASSERT_TRUE(m.dictionary_page_offset.has_value());
  Bytes bad2 = crc_only;
  const size_t at =
      static_cast<size_t>(m.data_page_offset) - 1;  // last byte of the dictionary page body
  bad2[at] ^= 0x20;
  EXPECT_THAT(DecodeParquet(bad2, o), StatusIs(StatusCode::kDataLoss, "page CRC mismatch"));
  // Verification off: the damaged dictionary entry comes back as written.
  ParquetOptions lax = o;
  lax.verify_checksums = false;
  ASSERT_OK_AND_ASSIGN(DecodedFrame damaged, DecodeParquet(bad2, lax));
  EXPECT_FALSE(damaged.frame->Equals(*f));
}

TEST(ParquetCodec, ReservedKeysNeverLeakIntoMetadata) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  FramePtr f = RandomFrame(rng, {});
  ASSERT_OK_AND_ASSIGN(Bytes b, EncodeParquet(*f, {{"x", "y"}}));
  ASSERT_OK_AND_ASSIGN(DecodedFrame d, DecodeParquet(b));
  EXPECT_EQ(d.Meta(kParquetFieldsKey), "");
  EXPECT_EQ(d.Meta(kParquetChecksumKey), "");
  EXPECT_EQ(d.metadata.size(), 1u);
}

}  // namespace
}  // namespace finex::codec
