#include "finex/server/answer_cache.h"

#include <gtest/gtest.h>

namespace finex::server {
namespace {

std::shared_ptr<const http::Response> Answer(size_t bytes) {
  return std::make_shared<const http::Response>(
      http::Response::Text(200, "application/json", std::string(bytes, 'x')));
}

TEST(AnswerCache, HitsUntilTheTtlExpires) {
  AnswerCache c(1 << 20, /*ttl_us=*/1000);
  auto a = Answer(10);
  c.Put("k", a, c.generation(), 0);
  EXPECT_EQ(c.Get("k", 999).get(), a.get());
  EXPECT_EQ(c.Get("k", 1000), nullptr);
  EXPECT_EQ(c.entries(), 0u);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
}

TEST(AnswerCache, EvictsLeastRecentlyUsedWithinTheBudget) {
  AnswerCache c(4000, 1'000'000);  // each entry below accounts ~865 bytes
  for (const char* k : {"a", "b", "c", "d"}) c.Put(k, Answer(800), 0, 0);
  EXPECT_EQ(c.entries(), 4u);
  ASSERT_NE(c.Get("a", 1), nullptr);  // a is now most recent
  c.Put("e", Answer(800), 0, 0);      // over budget: b (least recent) goes
  EXPECT_EQ(c.Get("b", 1), nullptr);
  EXPECT_NE(c.Get("a", 1), nullptr);
  EXPECT_NE(c.Get("e", 1), nullptr);
  EXPECT_LE(c.bytes(), 4000u);
  c.Put("huge", Answer(1500), 0, 0);  // more than a quarter of the budget: refused
  EXPECT_EQ(c.Get("huge", 1), nullptr);
}

TEST(AnswerCache, PutsFromBeforeAClearAreRefused) {
  AnswerCache c(1 << 20, 1'000'000);
  const uint64_t gen = c.generation();
  c.Clear();
  c.Put("k", Answer(10), gen, 0);
  EXPECT_EQ(c.Get("k", 1), nullptr);
  c.Put("k", Answer(10), c.generation(), 0);
  EXPECT_NE(c.Get("k", 1), nullptr);
}

TEST(AnswerCache, ZeroCapacityDisables) {
  AnswerCache c(0, 1'000'000);
  c.Put("k", Answer(1), 0, 0);
  EXPECT_EQ(c.Get("k", 1), nullptr);
}

}  // namespace
}  // namespace finex::server
