// Crash consistency of `finex serve` under load (issue 16): a real `finex
// serve` on parquet_dir or on a real PostgreSQL, in front of `finex sim`,
// is SIGKILLed at a random moment while concurrent clients ask misses and
// hits across many symbols and ranges; then restarted on the same store.
// Again and again (--rounds=N or FINEX_CRASH_ROUNDS, default 15). After each
// kill and restart:
//   - no lock is left held (every parquet_dir .lock can be taken at once;
//     PostgreSQL shows no advisory lock and no transaction left open), and
//     the server starts on the store the kill left (temp files and all);
//   - every fragment present is whole and verifies: read through finex's own
//     backend (checksum against the sidecar / the checksum column), nothing
//     judged corrupt, and each decodes as a finex Parquet fragment; after
//     the restart no dead writer's temp file or pending sidecar remains;
//   - every answer served, before or after a kill, equals the answer of a
//     second `finex serve` on a fresh memory cache in front of its own
//     `finex sim` (same seed, so the same data);
//   - every request answered before a kill is answered again after the
//     restart with zero upstream calls (the simulator's counter), so only
//     what was missing is ever refetched.
// Finally every request of the run is asked once more (all equal to the
// reference) and then again at zero upstream calls.
//
// The random moments come from FINEX_TEST_SEED (printed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/file.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "finex/backend/backend.h"
#include "finex/backend/parquet_dir/parquet_dir_backend.h"
#include "finex/backend/postgres/postgres_backend.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/mutex.h"
#include "tests/integration/cli_process.h"
#include "tests/integration/server_socket.h"
#include "tests/testutil/pg_server.h"
#include "tests/testutil/random.h"
#include "tests/testutil/wait.h"

namespace finex::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// --rounds=N on the command line, else FINEX_CRASH_ROUNDS, else 15.
int Rounds() {
  for (const std::string& a : ::testing::internal::GetArgvs())
    if (a.rfind("--rounds=", 0) == 0) return std::max(1, std::atoi(a.c_str() + 9));
  if (const char* e = std::getenv("FINEX_CRASH_ROUNDS")) return std::max(1, std::atoi(e));
  return 15;
}

uint16_t PortOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// One history request of the run: a symbol, an interval and a range.
struct Req {
  std::string sym, iv, start, end;
  std::string Target() const {
    return "/v1/history?symbols=" + sym + "&interval=" + iv + "&provider=yahoo&start=" + start +
           "&end=" + end;
  }
  bool operator<(const Req& o) const { return Target() < o.Target(); }
};

// Overlapping ranges, so requests are misses, partial hits and hits.
const std::vector<std::array<const char*, 3>> kRanges = {
    {"1d", "2021-06-01", "2022-03-31"}, {"1d", "2022-01-01", "2022-12-31"},
    {"1d", "2022-07-01", "2023-06-30"}, {"1d", "2023-01-01", "2024-06-30"},
    {"1h", "2025-10-01", "2025-10-31"}, {"1h", "2025-10-15", "2025-11-30"},
    {"1h", "2025-11-01", "2025-12-15"}};

struct Answer {
  int status = 0;
  Json body;
  int calls() const {
    return body.contains("cache_info") ? body["cache_info"].value("api_calls_made", -1) : -1;
  }
};

Answer Ask(uint16_t port, const std::string& target, int timeout_ms = 30000) {
  Answer a;
  RawAnswer raw = Exchange(
      port, "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", timeout_ms);
  a.status = raw.status;
  a.body = Json::parse(raw.body, nullptr, false);
  if (a.body.is_discarded()) {  // cut short by the kill: not an answer
    a.status = 0;
    a.body = Json::object();
  }
  return a;
}

int64_t SimTotal(const Background& sim) {
  Answer a = Ask(PortOf(sim.url), "/_sim/stats");
  return a.status == 200 ? a.body.value("total", int64_t{-1}) : -1;
}

class CrashServe : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(FinexBinary())) << FinexBinary();
    dir_ = fs::temp_directory_path() /
           ("finex_crash_serve_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "config");
    env_["XDG_CACHE_HOME"] = (dir_ / "xdg_cache").string();
    env_["XDG_CONFIG_HOME"] = (dir_ / "config").string();
    seed_ = TestSeed();
    {
      MutexLock l(mu_);
      rng_.seed(seed_);
    }
    kill_rng_.seed(seed_ + 1);
    rounds_ = Rounds();
    ASSERT_TRUE(
        StartBackground(sim_, {"sim", "--listen", "127.0.0.1:0"}, env_, dir_.string(), "listening"))
        << ReadFileText(sim_.err_path);
    ASSERT_TRUE(StartBackground(ref_sim_, {"sim", "--listen", "127.0.0.1:0"}, env_, dir_.string(),
                                "listening"))
        << ReadFileText(ref_sim_.err_path);
    ASSERT_TRUE(StartBackground(ref_, ServeArgs(ref_sim_.url, {"cache.backend=memory"}), env_,
                                dir_.string(), "listening"))
        << ReadFileText(ref_.err_path);
  }
  void TearDown() override {
    serve_.Stop(SIGKILL);
    ref_.Stop(SIGTERM);
    sim_.Stop(SIGTERM);
    ref_sim_.Stop(SIGTERM);
    fs::remove_all(dir_);
  }

  // Counting is made deterministic: no prefetch (calls of its own), no
  // answer cache (answers not from the store), no client-side rate limit.
  static std::vector<std::string> ServeArgs(const std::string& sim_url,
                                            const std::vector<std::string>& sets) {
    std::vector<std::string> a = {"serve",
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--sim",
                                  sim_url,
                                  "--set",
                                  "cache.prefetch_enabled=false",
                                  "--set",
                                  "server.answer_cache_mb=0",
                                  "--set",
                                  "providers.yahoo.rate_limit_per_min=100000"};
    for (const std::string& s : sets) {
      a.push_back("--set");
      a.push_back(s);
    }
    return a;
  }

  // The reference answer's data for r (fetched once from the fresh cache).
  Json Reference(const Req& r) {
    {
      MutexLock l(mu_);
      auto it = ref_data_.find(r);
      if (it != ref_data_.end()) return it->second;
    }
    Answer a = Ask(PortOf(ref_.url), r.Target());
    EXPECT_EQ(a.status, 200) << "reference " << r.Target() << ": " << a.body.dump().substr(0, 300);
    EXPECT_GT(a.body["data"]["timestamp"].size(), 0u) << r.Target();
    MutexLock l(mu_);
    return ref_data_.emplace(r, a.body["data"]).first->second;
  }

  // Checks a served answer against the reference; false (and a failure) if
  // it differs.
  bool Same(const Req& r, const Answer& a, const std::string& when) {
    const Json want = Reference(r);
    const Json got = a.body.value("data", Json());
    if (got == want) return true;
    ADD_FAILURE() << when << ": " << r.Target() << " differs from a fresh cache's answer: got "
                  << got.dump().substr(0, 300) << " want " << want.dump().substr(0, 300);
    return false;
  }

  Req RandomReq(int round) {
    // New symbols join every round, so each round has misses to write.
    const int nsym = 6 + 3 * round;
    std::uniform_int_distribution<int> sym(0, nsym - 1),
        rg(0, static_cast<int>(kRanges.size()) - 1);
    MutexLock l(mu_);
    const auto& g = kRanges[rg(rng_)];
    return {"CK" + std::to_string(sym(rng_)), g[0], g[1], g[2]};
  }

  struct LoadResult {
    std::set<Req> answered;
    int requests = 0, failed = 0;
  };
  // Clients threads ask random requests until `stop`; answers are checked.
  LoadResult Load(uint16_t port, int round, std::atomic<bool>& stop) {
    LoadResult res;
    Mutex rmu;
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        while (!stop.load()) {
          const Req r = RandomReq(round);
          Answer a = Ask(port, r.Target());
          MutexLock l(rmu);
          ++res.requests;
          if (a.status != 200) {
            ++res.failed;  // the kill, or an answer it cut short
            if (a.status != 0 && !stop.load())
              ADD_FAILURE() << r.Target() << " answered " << a.status << ": "
                            << a.body.dump().substr(0, 300);
            continue;
          }
          if (Same(r, a, "round " + std::to_string(round) + " under load")) res.answered.insert(r);
        }
      });
    }
    for (auto& t : clients) t.join();
    return res;
  }

  // Starts `finex serve` on the store; the time it took to listen.
  double Restart(const std::vector<std::string>& sets) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool up =
        StartBackground(serve_, ServeArgs(sim_.url, sets), env_, dir_.string(), "listening");
    EXPECT_TRUE(up) << "finex serve did not start on the store the kill left: "
                    << ReadFileText(serve_.err_path);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }

  // Re-asks `reqs` one by one: each equals the reference at zero upstream
  // calls (per answer and by the simulator's counter).
  void ExpectAllCached(const std::set<Req>& reqs, const std::string& when) {
    const int64_t before = SimTotal(sim_);
    for (const Req& r : reqs) {
      Answer a = Ask(PortOf(serve_.url), r.Target());
      ASSERT_EQ(a.status, 200) << when << ": " << r.Target() << " " << a.body.dump().substr(0, 300);
      Same(r, a, when);
      EXPECT_EQ(a.calls(), 0) << when << ": " << r.Target()
                              << " was answered before, yet cost upstream calls";
    }
    EXPECT_EQ(SimTotal(sim_), before) << when << ": upstream calls for stored data";
  }

  // The crash loop; `verify` checks the store after each restart and
  // `after_kill` the store right after each kill (before the restart).
  // `kill_moment(round, ms)` (optional; default: sleep ms) returns at the
  // moment to kill, and whether a write was seen in progress then.
  void Run(const std::vector<std::string>& sets, const std::function<bool(int, int)>& kill_moment,
           const std::function<void()>& after_kill, const std::function<void()>& verify) {
    std::cout << "[ crash    ] FINEX_TEST_SEED=" << seed_ << " rounds=" << rounds_ << "\n";
    std::set<Req> ever;
    double max_start_ms = 0;
    int requests = 0, answered = 0, calls = 0, cut = 0;
    for (int round = 0; round < rounds_; ++round) {
      max_start_ms = std::max(max_start_ms, Restart(sets));
      if (HasFatalFailure() || serve_.pid <= 0) return;
      if (round > 0) {
        verify();
        // Everything answered before a kill is stored: asked again, it costs
        // nothing upstream. (All of the last round, a sample of the earlier.)
        std::set<Req> again = last_round_;
        std::vector<Req> older(ever.begin(), ever.end());
        std::shuffle(older.begin(), older.end(), kill_rng_);
        for (size_t i = 0; i < older.size() && i < 40; ++i) again.insert(older[i]);
        ExpectAllCached(again, "after restart " + std::to_string(round));
        if (HasFailure()) return;
      }
      const int64_t calls0 = SimTotal(sim_);
      std::atomic<bool> stop{false};
      LoadResult res;
      std::thread load([&] { res = Load(PortOf(serve_.url), round, stop); });
      const int kill_ms = std::uniform_int_distribution<int>(kMinKillMs, kMaxKillMs)(kill_rng_);
      if (kill_moment) {
        mid_write_kills_ += kill_moment(round, kill_ms);
      } else {
        // The random moment of the kill IS the test (not a wait for a state).
        std::this_thread::sleep_for(std::chrono::milliseconds(kill_ms));
      }
      killed_pid_ = serve_.pid;
      stop = true;  // the clients end with the request the kill cuts
      serve_.Stop(SIGKILL);
      load.join();
      calls += static_cast<int>(SimTotal(sim_) - calls0);
      requests += res.requests;
      cut += res.failed;
      answered += static_cast<int>(res.answered.size());
      last_round_ = res.answered;
      ever.insert(res.answered.begin(), res.answered.end());
      after_kill();
      if (HasFailure()) return;
    }
    // Last restart: the whole run's requests, then all of them at no cost.
    max_start_ms = std::max(max_start_ms, Restart(sets));
    if (serve_.pid <= 0) return;
    verify();
    std::set<Req> all;
    for (int s = 0; s < 6 + 3 * (rounds_ - 1); ++s)
      for (const auto& g : kRanges) all.insert({"CK" + std::to_string(s), g[0], g[1], g[2]});
    const int64_t before = SimTotal(sim_);
    {
      // Concurrently, as the clients would.
      const std::vector<Req> todo(all.begin(), all.end());
      std::atomic<size_t> next{0};
      std::vector<std::thread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
          for (size_t i = next++; i < todo.size(); i = next++) {
            Answer a = Ask(PortOf(serve_.url), todo[i].Target());
            EXPECT_EQ(a.status, 200) << todo[i].Target() << " " << a.body.dump().substr(0, 300);
            if (a.status == 200) Same(todo[i], a, "final");
          }
        });
      }
      for (auto& t : clients) t.join();
    }
    const int64_t final_calls = SimTotal(sim_) - before;
    ExpectAllCached(all, "final re-read");
    verify();
    std::cout << "[ crash    ] " << rounds_ << " kills; " << requests << " requests under load ("
              << cut << " cut by a kill), " << answered << " distinct answered before their kill, "
              << calls << " upstream calls under load; " << mid_write_kills_
              << " kills landed while a fragment was being written; max restart " << max_start_ms
              << " ms; final: " << all.size() << " requests, " << final_calls
              << " upstream calls for what was missing, then 0\n";
  }

  static constexpr int kClients = 6;
  static constexpr int kMinKillMs = 100, kMaxKillMs = 3000;

  fs::path dir_;
  std::map<std::string, std::string> env_;
  Background sim_, ref_sim_, ref_, serve_;
  uint64_t seed_ = 0;
  int rounds_ = 0;
  Mutex mu_;
  std::mt19937_64 rng_ FINEX_GUARDED_BY(mu_);  // the clients' requests
  std::mt19937_64 kill_rng_;                   // the test thread's choices
  std::map<Req, Json> ref_data_ FINEX_GUARDED_BY(mu_);
  std::set<Req> last_round_;
  pid_t killed_pid_ = -1;
  int mid_write_kills_ = 0;
};

// Every listed key verifies through the backend (its stored checksum holds)
// and decodes as a finex Parquet fragment, and the backend counted nothing
// corrupt: what a kill must never leave behind.
void ExpectEveryKeyVerifies(backend::Backend& b, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    auto v = b.Get(k);
    ASSERT_TRUE(v.ok()) << k << ": " << v.status().ToString();
    ASSERT_TRUE(v->has_value()) << k << " is listed but does not verify";
    auto d = codec::DecodeParquet(**v);
    EXPECT_TRUE(d.ok()) << k << ": " << d.status().ToString();
  }
  EXPECT_EQ(b.stats().corrupt, 0u) << "fragments damaged by a kill";
}

TEST_F(CrashServe, ParquetDirUnderLoad) {
  const fs::path store = dir_ / "store";
  const std::vector<std::string> sets = {"cache.backend=parquet_dir",
                                         "backends.parquet_dir.path=" + store.string()};
  auto leaf_files = [&] {
    std::vector<fs::path> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(store, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec)) out.push_back(it->path());
    return out;
  };
  auto is_leftover = [](const fs::path& p) {
    const std::string n = p.filename().string();
    return n.rfind(".tmp-", 0) == 0 || n.ends_with(".fxn");
  };
  auto after_kill = [&] {
    // No lock outlives its holder: every .lock can be taken exclusively now.
    int leftovers = 0;
    fs::path some_dir;
    for (const fs::path& p : leaf_files()) {
      const std::string n = p.filename().string();
      if (is_leftover(p) && n.rfind(".tmp-" + std::to_string(getpid()) + "-", 0) != 0) ++leftovers;
      if (n != ".lock") continue;
      some_dir = p.parent_path();
      const int fd = open(p.c_str(), O_RDWR | O_CLOEXEC);
      ASSERT_GE(fd, 0) << p;
      EXPECT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0) << p << " is still locked after the kill";
      close(fd);
    }
    // A temp file or a pending sidecar of the killed process: the kill
    // landed while it was writing a fragment.
    mid_write_kills_ += leftovers > 0;
    // And a write in progress that did not get far: half a file under a
    // temp name of the killed process. Never served; removed at restart.
    if (!some_dir.empty()) {
      std::ofstream(some_dir / (".tmp-" + std::to_string(killed_pid_) + "-00000000c0ffee00"))
          << "PAR1 half a fragment";
    }
  };
  auto verify = [&] {
    size_t data_files = 0;
    for (const fs::path& p : leaf_files()) {
      EXPECT_FALSE(is_leftover(p)) << p << ": a dead writer's leftover survived the restart";
      if (p.filename().string().ends_with(".parquet")) ++data_files;
    }
    // finex's own check: every key read through the backend verifies against
    // its sidecar (recover_on_open off: judge what the server left).
    auto b = backend::OpenParquetDirBackend({.root = store.string(), .recover_on_open = false});
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    auto keys = (*b)->ScanPrefix("");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(keys->size(), data_files) << "every data file has its key and sidecar";
    ExpectEveryKeyVerifies(**b, *keys);
  };
  // Random moments only: a kill lands inside a write in about half the
  // rounds (judged after it from what it left, in after_kill); polling the
  // tree for temp files to aim the kill cost the server more CPU than it
  // gained on a 2-core machine.
  Run(sets, nullptr, after_kill, verify);
}

// libpq, for what only the server can tell (locks, open transactions).
int64_t PgCount(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  int64_t n = -1;
  if (PQstatus(c) == CONNECTION_OK) {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
      n = std::atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  PQfinish(c);
  return n;
}

TEST_F(CrashServe, PostgresUnderLoad) {
  // A server of its own even when FINEX_TEST_PG_DSN is set: the checks
  // below count every session and lock on the server.
  auto pg = PgServer::Start();
  if (!pg.ok()) GTEST_SKIP() << "no PostgreSQL: launching one failed: " << pg.status().message();
  const std::string dsn = (*pg)->dsn();
  const std::vector<std::string> sets = {"cache.backend=postgres", "backends.postgres.dsn=" + dsn};
  // Even rounds: the random moment. Odd rounds: the first moment an upsert
  // of a fragment is seen running (else the random moment), so kills land
  // inside writes even though each upsert takes about a millisecond.
  auto kill_moment = [&](int round, int ms) {
    PGconn* c = PQconnectdb(dsn.c_str());
    auto upserting = [&] {
      PGresult* r = PQexec(c,
                           "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                           "AND query LIKE 'INSERT INTO finex_fragments%'");
      const bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
                       std::atoll(PQgetvalue(r, 0, 0)) > 0;
      PQclear(r);
      return yes;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    bool seen = false;
    if (round % 2 == 1) {
      while (!seen && std::chrono::steady_clock::now() < deadline) {
        seen = upserting();
        if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    } else {
      std::this_thread::sleep_until(deadline);  // the random moment IS the test
      seen = upserting();
    }
    PQfinish(c);
    return seen;
  };
  auto after_kill = [&] {
    // The killed node's sessions end with it: no transaction left open, no
    // advisory lock held (the schema lock), nothing waiting on a lock.
    EXPECT_TRUE(WaitFor([&] {
      return PgCount(dsn,
                     "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                     "AND pid <> pg_backend_pid()") == 0;
    })) << "sessions of the killed finex are still open";
    EXPECT_EQ(PgCount(dsn, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"), 0);
    EXPECT_EQ(PgCount(dsn, "SELECT count(*) FROM pg_prepared_xacts"), 0);
  };
  auto verify = [&] {
    EXPECT_EQ(PgCount(dsn,
                      "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in "
                      "transaction%' AND pid <> pg_backend_pid()"),
              0);
    backend::PostgresOptions po;
    po.dsn = dsn;
    po.sweep_interval_ms = 0;
    auto b = backend::OpenPostgresBackend(po);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    auto keys = (*b)->ScanPrefix("finex:");
    ASSERT_TRUE(keys.ok()) << keys.status().ToString();
    EXPECT_EQ(static_cast<int64_t>(keys->size()),
              PgCount(dsn, "SELECT count(*) FROM finex_fragments"));
    ExpectEveryKeyVerifies(**b, *keys);
  };
  Run(sets, kill_moment, after_kill, verify);
}

}  // namespace
}  // namespace finex::testing
