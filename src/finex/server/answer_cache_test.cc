#include "finex/server/answer_cache.h"

#include <gtest/gtest.h>

#include "finex/server/answer_memo.h"

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

TEST(AnswerCache, AnEntrysLivenessEndsWhenItLeaves) {
  AnswerCache c(4000, /*ttl_us=*/1000);
  c.Put("k", Answer(10), 0, 0);
  AnswerCache::Hit h = c.Lookup("k", 1);
  ASSERT_NE(h.answer, nullptr);
  EXPECT_TRUE(h.live->load());
  EXPECT_EQ(h.expires_us, 1000);
  c.Put("k", Answer(10), 0, 2);  // replaced
  EXPECT_FALSE(h.live->load());
  h = c.Lookup("k", 3);
  c.Lookup("k", 5000);  // expiry noticed
  EXPECT_FALSE(h.live->load());
  c.Put("k", Answer(10), 0, 0);
  h = c.Lookup("k", 1);
  for (const char* k : {"a", "b", "c", "d", "e"}) c.Put(k, Answer(800), 0, 0);  // evicted
  EXPECT_FALSE(h.live->load());
  h = c.Lookup("e", 1);
  c.Clear();
  EXPECT_FALSE(h.live->load());
}

AnswerMemo::Entry MemoEntry(const AnswerCache::Hit& h, Timestamp now_s) {
  AnswerMemo::Entry e;
  e.answer = h.answer;
  e.head = std::make_shared<const std::string>(http::PrepareHead(*h.answer));
  e.live = h.live;
  e.expires_us = h.expires_us;
  e.now_s = now_s;
  return e;
}

TEST(AnswerMemo, ServesOnlyWhileTheEntryIsLiveUnexpiredAndInTheSameSecond) {
  AnswerCache c(1 << 20, /*ttl_us=*/1000);
  c.Put("k", Answer(10), 0, 0);
  AnswerMemo m(16);
  m.Record("/t", MemoEntry(c.Lookup("k", 1), /*now_s=*/7));
  AnswerMemo::Entry e;
  EXPECT_TRUE(m.Find("/t", 999, 7, &e));
  EXPECT_EQ(*e.head, "Content-Type: application/json\r\nContent-Length: 10\r\n");
  EXPECT_FALSE(m.Find("/other", 999, 7, &e));
  EXPECT_FALSE(m.Find("/t", 999, 8, &e)) << "another second";
  m.Record("/t", MemoEntry(c.Lookup("k", 1), 7));
  EXPECT_FALSE(m.Find("/t", 1000, 7, &e)) << "expired";
  m.Record("/t", MemoEntry(c.Lookup("k", 1), 7));
  EXPECT_TRUE(m.Find("/t", 1, 7, &e));
  c.Clear();
  EXPECT_FALSE(m.Find("/t", 1, 7, &e)) << "the answer left the cache";
  EXPECT_EQ(m.entries(), 0u) << "dead entries are dropped when found";
}

TEST(AnswerMemo, StaysWithinItsBounds) {
  AnswerCache c(1 << 20, 1'000'000);
  c.Put("k", Answer(10), 0, 0);
  AnswerMemo m(4, /*max_target_bytes=*/32);
  for (int i = 0; i < 10; ++i) m.Record("/t" + std::to_string(i), MemoEntry(c.Lookup("k", 1), 0));
  EXPECT_LE(m.entries(), 4u);
  m.Record("/" + std::string(40, 'x'), MemoEntry(c.Lookup("k", 1), 0));
  AnswerMemo::Entry e;
  EXPECT_FALSE(m.Find("/" + std::string(40, 'x'), 1, 0, &e)) << "too long to remember";
  AnswerMemo off(0);
  off.Record("/t", MemoEntry(c.Lookup("k", 1), 0));
  EXPECT_FALSE(off.Find("/t", 1, 0, &e));
}

}  // namespace
}  // namespace finex::server
