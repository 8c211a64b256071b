#include "finex/backend/postgres/postgres_backend.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <random>
#include <thread>

#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/pg_server.h"
#include "tests/testutil/random.h"
#include "tests/testutil/redis_server.h"  // PickFreeLoopbackPort
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/wait.h"

namespace finex::backend {

::finex::testing::TestPgTarget& SharedPg() {
  static ::finex::testing::TestPgTarget t = ::finex::testing::TestPg();
  return t;
}

std::unique_ptr<Backend> MakePostgresOrNull() {
  auto& t = SharedPg();
  if (!t.skip_reason.empty()) return nullptr;
  auto b = OpenPostgresBackend({.dsn = t.dsn, .table = "finex_conformance"});
  if (!b.ok()) {
    ADD_FAILURE() << "OpenPostgresBackend: " << b.status();
    return nullptr;
  }
  return std::move(b).value();
}

namespace {

using ::finex::testing::StatusIs;

#define FINEX_REQUIRE_PG() \
  if (!SharedPg().skip_reason.empty()) GTEST_SKIP() << SharedPg().skip_reason

// Runs SQL directly (outside the backend), as an operator or an attacker would.
std::string Sql(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) == PGRES_TUPLES_OK)
    for (int i = 0; i < PQntuples(r); ++i)
      out += (i ? "\n" : "") + std::string(PQgetvalue(r, i, 0));
  if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  return out;
}

class PostgresBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FINEX_REQUIRE_PG();
    table_ = "t" + std::to_string(::finex::testing::TestSeed() % 1000000000);
    ASSERT_OK_AND_ASSIGN(b_, OpenPostgresBackend({.dsn = SharedPg().dsn, .table = table_}));
  }
  void TearDown() override {
    if (b_) {
      b_.reset();
      Sql(SharedPg().dsn, "DROP TABLE IF EXISTS " + table_);
      Sql(SharedPg().dsn, "DELETE FROM finex_schema_version WHERE component = '" + table_ + "'");
    }
  }
  std::string table_;
  std::unique_ptr<Backend> b_;
};

TEST(PostgresOpenTest, ValidatesOptions) {
  EXPECT_THAT(OpenPostgresBackend({.dsn = ""}), StatusIs(StatusCode::kInvalidArgument, "dsn"));
  EXPECT_THAT(OpenPostgresBackend({.dsn = "host=x", .table = "Robert'); DROP"}),
              StatusIs(StatusCode::kInvalidArgument, "table"));
  EXPECT_THAT(OpenPostgresBackend({.dsn = "host= = ="}),
              StatusIs(StatusCode::kInvalidArgument, "dsn"));
  EXPECT_THAT(
      OpenPostgresBackend({.dsn = "host=127.0.0.1 port=" +
                                  std::to_string(::finex::testing::PickFreeLoopbackPort())}),
      StatusIs(StatusCode::kUnavailable));
}

TEST_F(PostgresBackendTest, SchemaIsCreatedVersionedAndNewerIsRefused) {
  EXPECT_EQ(Sql(SharedPg().dsn,
                "SELECT version FROM finex_schema_version WHERE component = '" + table_ + "'"),
            "1");
  // Reopening an existing schema is fine.
  ASSERT_OK(OpenPostgresBackend({.dsn = SharedPg().dsn, .table = table_}).status());
  Sql(SharedPg().dsn,
      "UPDATE finex_schema_version SET version = 99 WHERE component = '" + table_ + "'");
  EXPECT_THAT(OpenPostgresBackend({.dsn = SharedPg().dsn, .table = table_}),
              StatusIs(StatusCode::kFailedPrecondition, "newer"));
  Sql(SharedPg().dsn,
      "UPDATE finex_schema_version SET version = 1 WHERE component = '" + table_ + "'");
}

TEST_F(PostgresBackendTest, PrefixScanUsesTheKeyIndex) {
  for (int i = 0; i < 200; ++i) ASSERT_OK(b_->Put("finex:S" + std::to_string(i) + ":1d:1", "v"));
  Sql(SharedPg().dsn, "ANALYZE " + table_);
  // With sequential scans priced out, the range must be answerable from the
  // primary key's btree (possible only because key is COLLATE "C").
  const std::string plan =
      Sql(SharedPg().dsn, "SET enable_seqscan = off; EXPLAIN SELECT key FROM " + table_ +
                              " WHERE key >= 'finex:S1:' AND key < 'finex:S1;' ORDER BY key");
  EXPECT_NE(plan.find("Index"), std::string::npos) << plan;
  EXPECT_NE(plan.find(table_ + "_pkey"), std::string::npos) << plan;
  ASSERT_OK_AND_ASSIGN(auto keys, b_->ScanPrefix("finex:S1:"));
  EXPECT_EQ(keys, std::vector<std::string>{"finex:S1:1d:1"});
  EXPECT_EQ(Sql(SharedPg().dsn, "SELECT series FROM " + table_ + " WHERE key = 'finex:S1:1d:1'"),
            "finex:S1:1d");
}

TEST_F(PostgresBackendTest, ExpiredRowsAreHiddenAndSwept) {
  ASSERT_OK(b_->Put("finex:E:1d:1", "v", {.ttl_ms = 50}));
  ASSERT_OK(b_->Put("finex:E:1d:2", "v"));
  EXPECT_TRUE(::finex::testing::WaitFor([&] {  // hidden once its 50 ms TTL has passed
    auto v = b_->Get("finex:E:1d:1");
    return v.ok() && !v->has_value();
  }));
  // Still physically present until swept.
  EXPECT_EQ(Sql(SharedPg().dsn, "SELECT count(*) FROM " + table_), "2");
  ASSERT_OK_AND_ASSIGN(size_t swept, static_cast<PostgresBackend&>(*b_).SweepExpired());
  EXPECT_EQ(swept, 1u);
  EXPECT_EQ(Sql(SharedPg().dsn, "SELECT count(*) FROM " + table_), "1");
  EXPECT_EQ(b_->stats().expired, 1u);
}

TEST_F(PostgresBackendTest, BackgroundSweeperRuns) {
  b_.reset();
  ASSERT_OK_AND_ASSIGN(
      b_, OpenPostgresBackend({.dsn = SharedPg().dsn, .table = table_, .sweep_interval_ms = 50}));
  ASSERT_OK(b_->Put("finex:E:1d:1", "v", {.ttl_ms = 20}));
  EXPECT_TRUE(::finex::testing::WaitFor(
      [&] { return Sql(SharedPg().dsn, "SELECT count(*) FROM " + table_) == "0"; }));
}

TEST_F(PostgresBackendTest, CorruptRowsAreDetectedCountedDeletedNeverServed) {
  std::mt19937_64 rng(::finex::testing::TestSeed());
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) {
    keys.push_back("finex:C:1d:" + std::to_string(i));
    std::string v(300, 0);
    for (auto& c : v) c = static_cast<char>(rng());
    ASSERT_OK(b_->Put(keys.back(), v));
  }
  // Flip one byte of the stored value of even keys; truncate key 8.
  for (int i = 0; i < 8; i += 2) {
    const int off = static_cast<int>(rng() % 300);
    Sql(SharedPg().dsn, "UPDATE " + table_ + " SET value = set_byte(value, " + std::to_string(off) +
                            ", get_byte(value, " + std::to_string(off) + ") # 255) WHERE key = '" +
                            keys[i] + "'");
  }
  Sql(SharedPg().dsn, "UPDATE " + table_ +
                          " SET value = substring(value from 1 for 10) WHERE key = '" + keys[8] +
                          "'");
  ASSERT_OK_AND_ASSIGN(auto got, b_->GetMultiple(keys));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(got[i].has_value(), i % 2 == 1) << keys[i];
  EXPECT_EQ(b_->stats().corrupt, 5u);
  EXPECT_EQ(Sql(SharedPg().dsn, "SELECT count(*) FROM " + table_), "5") << "damaged rows deleted";
  ASSERT_OK_AND_ASSIGN(auto one, b_->Get(keys[0]));
  EXPECT_FALSE(one.has_value());
}

TEST(PostgresFaultTest, RecoversAfterServerRestart) {
  auto s = ::finex::testing::PgServer::Start();
  if (!s.ok()) GTEST_SKIP() << "cannot launch PostgreSQL: " << s.status();
  ASSERT_OK_AND_ASSIGN(auto b, OpenPostgresBackend({.dsn = (*s)->dsn()}));
  ASSERT_OK(b->Put("finex:K:1d:1", "v"));
  (*s)->Stop();
  EXPECT_THAT(b->Get("finex:K:1d:1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(b->Ping(), StatusIs(StatusCode::kUnavailable));
  ASSERT_OK((*s)->Restart());
  ASSERT_TRUE(::finex::testing::WaitFor([&] { return b->Ping().ok(); }, std::chrono::seconds(5)));
  ASSERT_OK_AND_ASSIGN(auto v, b->Get("finex:K:1d:1"));
  EXPECT_EQ(v, std::optional<Bytes>("v"));
}

}  // namespace
}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(Postgres, BackendConformanceTest,
                         ::testing::Values(BackendFactory{
                             "postgres", backend::MakePostgresOrNull, true,
                             "no PostgreSQL: set FINEX_TEST_PG_DSN or install "
                             "postgresql-15"}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
