#include "finex/codec/parquet/detail/thrift_compact.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::codec::thrift {
namespace {

using ::finex::testing::StatusIs;

TEST(ThriftCompact, FieldHeadersUseDeltasAndLongForm) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 5);       // delta 1: 0x15, zigzag(5)=10
  w.FieldI64(20, -1);     // delta 19: long form 0x06, zigzag(20)=40, zigzag(-1)=1
  w.FieldBool(21, true);  // delta 1, type 1
  w.EndStruct();
  EXPECT_EQ(out, std::string("\x15\x0a\x06\x28\x01\x11\x00", 7));

  CompactReader r(out);
  r.BeginStruct();
  int16_t id;
  CType t;
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(t, CType::kI32);
  EXPECT_EQ(r.I32(), 5);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 20);
  EXPECT_EQ(r.I64(), -1);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_TRUE(r.BoolField(t));
  EXPECT_EQ(id, 21);
  EXPECT_FALSE(r.NextField(&id, &t));  // STOP
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(ThriftCompact, ListsShortAndLong) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldListBegin(1, CType::kI32, 3);
  for (int i = 0; i < 3; ++i) w.ElemI32(i);
  w.FieldListBegin(2, CType::kBinary, 20);
  for (int i = 0; i < 20; ++i) w.ElemBinary("x" + std::to_string(i));
  w.EndStruct();
  CompactReader r(out);
  r.BeginStruct();
  int16_t id;
  CType t, elem;
  ASSERT_TRUE(r.NextField(&id, &t));
  ASSERT_EQ(r.ListHeader(&elem), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(r.I32(), i);
  ASSERT_TRUE(r.NextField(&id, &t));
  ASSERT_EQ(r.ListHeader(&elem), 20u);
  EXPECT_EQ(elem, CType::kBinary);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(r.Binary(), "x" + std::to_string(i));
  EXPECT_TRUE(r.ok());
}

TEST(ThriftCompact, SkipsUnknownNestedValues) {
  std::string out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldStructBegin(3);
  w.FieldListBegin(1, CType::kStruct, 2);
  for (int i = 0; i < 2; ++i) {
    w.ElemStructBegin();
    w.FieldBinary(1, "abc");
    w.EndStruct();
  }
  w.EndStruct();
  w.FieldI32(4, 7);
  w.EndStruct();
  CompactReader r(out);
  r.BeginStruct();
  int16_t id;
  CType t;
  ASSERT_TRUE(r.NextField(&id, &t));
  r.Skip(t);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 4);
  EXPECT_EQ(r.I32(), 7);
  EXPECT_TRUE(r.ok());
}

TEST(ThriftCompact, RejectsHostileInput) {
  // A list claiming 2^31 elements in a 6-byte input.
  {
    std::string in = "\x19\xf5\xff\xff\xff\x07";
    CompactReader r(in);
    r.BeginStruct();
    int16_t id;
    CType t, e;
    ASSERT_TRUE(r.NextField(&id, &t));
    EXPECT_EQ(r.ListHeader(&e), 0u);
    EXPECT_THAT(r.status(), StatusIs(StatusCode::kDataLoss, "list size"));
  }
  // Deep struct nesting.
  {
    std::string in(1000, '\x1c');  // field 1, type struct, repeated
    CompactReader r(in);
    r.BeginStruct();
    int16_t id;
    CType t;
    ASSERT_TRUE(r.NextField(&id, &t));
    r.Skip(t);
    EXPECT_THAT(r.status(), StatusIs(StatusCode::kDataLoss, "nested"));
  }
  // Over-long varint; binary longer than the input; errors are sticky.
  {
    std::string in(12, '\xff');
    CompactReader r(in);
    EXPECT_EQ(r.I64(), 0);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.I32(), 0);
    EXPECT_THAT(r.status(), StatusIs(StatusCode::kDataLoss, "varint"));
    CompactReader r2(std::string_view("\x10", 1));
    EXPECT_EQ(r2.Binary(), "");
    EXPECT_THAT(r2.status(), StatusIs(StatusCode::kDataLoss, "binary length"));
  }
}

TEST(ThriftCompact, RandomBytesNeverCrash) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in(rng() % 64, '\0');
    for (char& c : in) c = static_cast<char>(rng());
    CompactReader r(in);
    r.BeginStruct();
    r.Skip(CType::kStruct);  // treat as a nested struct body
    EXPECT_LE(r.pos(), in.size());
  }
}

TEST(ThriftCompact, RandomI64RoundTrip) {
  std::mt19937_64 rng(testing::TestSeed());
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = static_cast<int64_t>(rng()) >> (rng() % 64);
    std::string out;
    CompactWriter w(&out);
    w.BeginStruct();
    w.FieldI64(static_cast<int16_t>(1 + rng() % 1000), v);
    w.EndStruct();
    CompactReader r(out);
    r.BeginStruct();
    int16_t id;
    CType t;
    ASSERT_TRUE(r.NextField(&id, &t));
    EXPECT_EQ(r.I64(), v);
    EXPECT_TRUE(r.ok());
  }
}

}  // namespace
}  // namespace finex::codec::thrift
