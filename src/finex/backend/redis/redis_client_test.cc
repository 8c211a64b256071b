#include "finex/backend/redis/redis_client.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include "finex/backend/redis/redis_test_support.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {
namespace {

using ::finex::testing::StatusIs;

TEST(ParseRedisUrlTest, Defaults) {
  ASSERT_OK_AND_ASSIGN(RedisEndpoint ep, ParseRedisUrl("redis://localhost"));
  EXPECT_EQ(ep.host, "localhost");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0);
  EXPECT_TRUE(ep.password.empty());
}

TEST(ParseRedisUrlTest, FullForm) {
  ASSERT_OK_AND_ASSIGN(RedisEndpoint ep, ParseRedisUrl("redis://alice:s%40cret@10.0.0.5:6380/3"));
  EXPECT_EQ(ep.host, "10.0.0.5");
  EXPECT_EQ(ep.port, 6380);
  EXPECT_EQ(ep.db, 3);
  EXPECT_EQ(ep.user, "alice");
  EXPECT_EQ(ep.password, "s@cret");
  ASSERT_OK_AND_ASSIGN(RedisEndpoint legacy, ParseRedisUrl("redis://:pw@h:1/"));
  EXPECT_EQ(legacy.user, "");
  EXPECT_EQ(legacy.password, "pw");
  ASSERT_OK_AND_ASSIGN(RedisEndpoint v6, ParseRedisUrl("redis://[::1]:7000/2"));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 7000);
}

TEST(ParseRedisUrlTest, RejectsWithClearErrors) {
  EXPECT_THAT(ParseRedisUrl(""), StatusIs(StatusCode::kInvalidArgument, "empty"));
  EXPECT_THAT(ParseRedisUrl("http://x"),
              StatusIs(StatusCode::kInvalidArgument, "must start with redis://"));
  EXPECT_THAT(ParseRedisUrl("rediss://x"), StatusIs(StatusCode::kInvalidArgument, "TLS"));
  EXPECT_THAT(ParseRedisUrl("redis://h:0"), StatusIs(StatusCode::kInvalidArgument, "port"));
  EXPECT_THAT(ParseRedisUrl("redis://h:70000"), StatusIs(StatusCode::kInvalidArgument, "port"));
  EXPECT_THAT(ParseRedisUrl("redis://h:"), StatusIs(StatusCode::kInvalidArgument, "empty port"));
  EXPECT_THAT(ParseRedisUrl("redis://h/x"), StatusIs(StatusCode::kInvalidArgument, "database"));
  EXPECT_THAT(ParseRedisUrl("redis:///0"), StatusIs(StatusCode::kInvalidArgument, "no host"));
  EXPECT_THAT(ParseRedisUrl("redis://h?timeout=1"),
              StatusIs(StatusCode::kInvalidArgument, "query"));
  EXPECT_THAT(ParseRedisUrl("redis://bob@h"),
              StatusIs(StatusCode::kInvalidArgument, "without password"));
  EXPECT_THAT(ParseRedisUrl("redis://a b"), StatusIs(StatusCode::kInvalidArgument, "whitespace"));
  // The password never shows up in the message.
  auto r = ParseRedisUrl("redis://u:topsecret@h:99999");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status();
  EXPECT_EQ(r.status().details().param, "url");
}

TEST(RedisClientTest, OpenFailsFastWhenNothingListens) {
  RedisOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(::finex::testing::PickFreeLoopbackPort());
  EXPECT_THAT(RedisClient::Open(o), StatusIs(StatusCode::kUnavailable));
  o.lazy_connect = true;
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(o));
  EXPECT_THAT(c->Command({"PING"}), StatusIs(StatusCode::kUnavailable));
  // Within the backoff window the next call fails without trying to connect.
  EXPECT_THAT(c->Command({"PING"}), StatusIs(StatusCode::kUnavailable, "next reconnect"));
}

TEST(RedisClientTest, AuthAndDatabaseSelection) {
  auto s = ::finex::testing::RedisServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch redis-server: " << s.status();
  auto& server = **s;
  ASSERT_OK_AND_ASSIGN(auto admin, RedisClient::Open(testing::TestRedisOptions(server.url())));
  ASSERT_OK(admin->Command({"CONFIG", "SET", "requirepass", "hunter2"}).status());

  RedisOptions o =
      testing::TestRedisOptions("redis://:wrong@127.0.0.1:" + std::to_string(server.port()) + "/0");
  EXPECT_THAT(RedisClient::Open(o), StatusIs(StatusCode::kUnauthenticated, "AUTH"));

  o.url = "redis://:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/5";
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(o));
  ASSERT_OK_AND_ASSIGN(auto r, c->Command({"SET", "where", "db5"}));
  ASSERT_OK(ReplyError(r.get(), "SET"));
  // Seen in db 5, not in db 0.
  o.url = "redis://:hunter2@127.0.0.1:" + std::to_string(server.port()) + "/0";
  ASSERT_OK_AND_ASSIGN(auto c0, RedisClient::Open(o));
  ASSERT_OK_AND_ASSIGN(auto g0, c0->Command({"EXISTS", "where"}));
  EXPECT_EQ(g0->integer, 0);
  ASSERT_OK_AND_ASSIGN(auto g5, c->Command({"GET", "where"}));
  EXPECT_EQ(std::string(g5->str, g5->len), "db5");
}

TEST(RedisClientTest, ReconnectsAfterServerRestart) {
  auto s = ::finex::testing::RedisServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch redis-server: " << s.status();
  auto& server = **s;
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(testing::TestRedisOptions(server.url())));
  ASSERT_OK(c->Command({"PING"}).status());
  server.Kill();
  EXPECT_THAT(c->Command({"PING"}), StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(c->healthy());
  ASSERT_OK(server.Restart());
  // Within the backoff cap (250 ms) plus slack, calls succeed again.
  EXPECT_TRUE(::finex::testing::WaitFor([&] { return c->Command({"PING"}).ok(); },
                                        std::chrono::seconds(3)));
  EXPECT_TRUE(c->healthy());
}

TEST(RedisClientTest, HungServerTimesOut) {
  auto s = ::finex::testing::RedisServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch redis-server: " << s.status();
  RedisOptions o = testing::TestRedisOptions((*s)->url());
  o.command_timeout_ms = 100;
  ASSERT_OK_AND_ASSIGN(auto c, RedisClient::Open(o));
  (*s)->Pause();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THAT(c->Command({"PING"}), StatusIs(StatusCode::kUnavailable));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  // One timed-out attempt plus one fresh connection attempt (connect succeeds
  // at the kernel level, the command then times out).
  EXPECT_LT(ms, 1000);
  (*s)->Resume();
}

}  // namespace
}  // namespace finex::backend
