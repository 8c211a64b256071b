#include "finex/backend/parquet_dir/parquet_dir_backend.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/conformance/backend_conformance.h"
#include "tests/testutil/random.h"
#include "tests/testutil/status_matchers.h"

namespace finex::backend {
namespace {

using ::finex::testing::StatusIs;
namespace fs = std::filesystem;

}  // namespace

std::string TempRoot() {
  char tmpl[] = "/tmp/finex-pqdir-XXXXXX";
  FINEX_CHECK(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

namespace {

class ParquetDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = TempRoot();
    ASSERT_OK_AND_ASSIGN(b_, OpenParquetDirBackend({.root = root_}));
  }
  void TearDown() override { fs::remove_all(root_); }
  ParquetDirBackend& pd() { return static_cast<ParquetDirBackend&>(*b_); }
  std::string root_;
  std::unique_ptr<Backend> b_;
};

TEST(ParquetDirNamesTest, EscapingIsReversibleAndPathSafe) {
  for (std::string s : {"AAPL", "BTC/USDT", ".hidden", "..", "a%b", "finex:X:1d:1:2:p:c:ohlcv_v1",
                        "^GSPC", "BRK.B", "~!@#$^&*()"}) {
    const std::string e = ParquetDirBackend::EscapeName(s);
    EXPECT_EQ(e.find('/'), std::string::npos) << s;
    EXPECT_NE(e[0], '.') << s;
    std::string back;
    ASSERT_TRUE(ParquetDirBackend::UnescapeName(e, &back)) << e;
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(ParquetDirBackend::EscapeName("BTC/USDT"), "BTC%2FUSDT");
  std::string out;
  EXPECT_FALSE(ParquetDirBackend::UnescapeName("bad%2", &out));
  EXPECT_FALSE(ParquetDirBackend::UnescapeName("bad%zz", &out));
}

TEST_F(ParquetDirTest, LayoutIsSymbolIntervalFilesDuckDbCanGlob) {
  const std::string key = "finex:BTC/USDT:1h:1704067200:1704150000:binance:usdt:ohlcv_v1";
  ASSERT_OK(b_->Put(key, "PAR1...fake parquet...PAR1"));
  const std::string path = pd().PathFor(key);
  EXPECT_EQ(path.rfind(root_ + "/BTC%2FUSDT/1h/", 0), 0u) << path;
  EXPECT_TRUE(fs::exists(path));
  EXPECT_TRUE(fs::exists(path + ".fxm"));
  // The data file holds exactly the bytes given (plain Parquet stays plain).
  std::ifstream in(path, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(body, "PAR1...fake parquet...PAR1");
  // Only .parquet and .fxm files; no temp files left behind.
  for (auto& e : fs::directory_iterator(fs::path(path).parent_path())) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n.ends_with(".parquet") || n.ends_with(".parquet.fxm") || n == ".lock") << n;
  }
  // Keys not shaped like cache keys go to %other.
  ASSERT_OK(b_->Put("plain-key", "v"));
  EXPECT_EQ(pd().PathFor("plain-key"), root_ + "/%other/plain-key.parquet");
}

TEST_F(ParquetDirTest, LongKeysAreHashedAndStillScannable) {
  std::string key = "finex:LONG:1d:";
  while (key.size() < 900) key += "x/y:";
  ASSERT_OK(b_->Put(key, "v"));
  EXPECT_NE(pd().PathFor(key).find("%%"), std::string::npos);
  EXPECT_LT(fs::path(pd().PathFor(key)).filename().string().size(), 240u);
  ASSERT_OK_AND_ASSIGN(auto keys, b_->ScanPrefix("finex:LONG:"));
  EXPECT_EQ(keys, std::vector<std::string>{key});
  ASSERT_OK_AND_ASSIGN(auto v, b_->Get(key));
  EXPECT_EQ(v, std::optional<Bytes>("v"));
}

TEST_F(ParquetDirTest, SurvivesReopen) {
  ASSERT_OK(b_->Put("finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1", "bars"));
  b_.reset();
  ASSERT_OK_AND_ASSIGN(auto again, OpenParquetDirBackend({.root = root_}));
  EXPECT_TRUE(again->durable());
  ASSERT_OK_AND_ASSIGN(auto v, again->Get("finex:AAPL:1d:1:2:yahoo:usd:ohlcv_v1"));
  EXPECT_EQ(v, std::optional<Bytes>("bars"));
}

TEST_F(ParquetDirTest, CorruptFilesAreDetectedCountedDeletedNeverServed) {
  const uint64_t seed = ::finex::testing::TestSeed();
  std::mt19937_64 rng(seed);
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) {
    keys.push_back("finex:AAPL:1d:" + std::to_string(1000 + i) + ":2000:yahoo:usd:ohlcv_v1");
    std::string v(500, 0);
    for (auto& c : v) c = static_cast<char>(rng());
    ASSERT_OK(b_->Put(keys.back(), v));
  }
  // Even keys: flip a byte in the .parquet, truncate it, or damage the sidecar.
  for (int i = 0; i < 12; i += 2) {
    const std::string path = pd().PathFor(keys[i]);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    if (i % 6 == 0) {
      const auto off = static_cast<std::streamoff>(rng() % 500);
      f.seekg(off);
      char c;
      f.get(c);
      f.seekp(off);
      f.put(static_cast<char>(c ^ 0x5a));
    } else if (i % 6 == 2) {
      f.close();
      fs::resize_file(path, 100);
    } else {
      f.close();
      std::ofstream(path + ".fxm", std::ios::trunc) << "garbage";
    }
  }
  for (int i = 0; i < 12; ++i) {
    ASSERT_OK_AND_ASSIGN(auto v, b_->Get(keys[i]));
    EXPECT_EQ(v.has_value(), i % 2 == 1) << keys[i];
    if (i % 2 == 0) {
      EXPECT_FALSE(fs::exists(pd().PathFor(keys[i]))) << "damaged file deleted";
    }
  }
  EXPECT_EQ(b_->stats().corrupt, 6u);
  ASSERT_OK_AND_ASSIGN(auto left, b_->ScanPrefix("finex:AAPL:"));
  EXPECT_EQ(left.size(), 6u);
}

TEST_F(ParquetDirTest, ExpiryFromSidecar) {
  ASSERT_OK(b_->Put("finex:T:1d:1", "v", {.ttl_ms = 400}));
  ASSERT_OK_AND_ASSIGN(auto k1, b_->ScanPrefix("finex:T:"));
  EXPECT_EQ(k1.size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_OK_AND_ASSIGN(auto k2, b_->ScanPrefix("finex:T:"));
  EXPECT_TRUE(k2.empty());
  ASSERT_OK_AND_ASSIGN(auto v, b_->Get("finex:T:1d:1"));
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(b_->stats().expired, 1u);
  EXPECT_FALSE(fs::exists(pd().PathFor("finex:T:1d:1")));
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void Spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A pid that no process has: a child that has exited and been reaped.
pid_t DeadPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  int st = 0;
  waitpid(pid, &st, 0);
  return pid;
}

// The states a writer SIGKILLed between its renames, or a delete killed
// between its unlinks, leaves on disk, built by hand: each reads whole (old
// or new value, never damage) and the next open settles it.
TEST_F(ParquetDirTest, KilledWriterLeftoversReadWholeAndOpenSettlesThem) {
  const std::string k_before = "finex:KW:1d:1:2:yahoo:usd:ohlcv_v1";   // killed before data rename
  const std::string k_after = "finex:KW:1d:3:4:yahoo:usd:ohlcv_v1";    // killed after it
  const std::string k_first = "finex:KW:1d:5:6:yahoo:usd:ohlcv_v1";    // first write, killed after
  const std::string k_deleted = "finex:KW:1d:7:8:yahoo:usd:ohlcv_v1";  // delete killed midway
  // The new values' sidecars, as a writer would have made them (another root).
  const std::string other = TempRoot();
  ASSERT_OK_AND_ASSIGN(auto scratch, OpenParquetDirBackend({.root = other}));
  auto& sp = static_cast<ParquetDirBackend&>(*scratch);
  for (const auto& k : {k_before, k_after, k_first}) ASSERT_OK(scratch->Put(k, "new:" + k));
  for (const auto& k : {k_before, k_after, k_deleted}) ASSERT_OK(b_->Put(k, "old:" + k));
  // k_before: the pending sidecar is in place, the data rename never happened.
  Spit(pd().PathFor(k_before) + ".fxn", Slurp(sp.PathFor(k_before) + ".fxm"));
  // k_after / k_first: new data in place, its sidecar still pending.
  for (const auto& k : {k_after, k_first}) {
    Spit(pd().PathFor(k), "new:" + k);
    Spit(pd().PathFor(k) + ".fxn", Slurp(sp.PathFor(k) + ".fxm"));
  }
  // k_deleted: the data was unlinked, the sidecar was not.
  fs::remove(pd().PathFor(k_deleted));
  // Temp files: a dead process's (removed) and a live one's, ours (kept).
  const std::string dir = pd().PathFor(k_before).substr(0, pd().PathFor(k_before).rfind('/'));
  const std::string dead_tmp = dir + "/.tmp-" + std::to_string(DeadPid()) + "-00000000deadbeef";
  const std::string live_tmp = dir + "/.tmp-" + std::to_string(getpid()) + "-00000000000a11fe";
  Spit(dead_tmp, "PAR1 half a file");
  Spit(live_tmp, "PAR1 being written");

  // Before any recovery: every key reads whole, old or new, nothing corrupt.
  ASSERT_OK_AND_ASSIGN(auto v1, b_->Get(k_before));
  EXPECT_EQ(v1, std::optional<Bytes>("old:" + k_before));
  ASSERT_OK_AND_ASSIGN(auto v2, b_->Get(k_after));
  EXPECT_EQ(v2, std::optional<Bytes>("new:" + k_after));
  ASSERT_OK_AND_ASSIGN(auto v3, b_->Get(k_first));
  EXPECT_EQ(v3, std::optional<Bytes>("new:" + k_first));
  ASSERT_OK_AND_ASSIGN(auto v4, b_->Get(k_deleted));
  EXPECT_FALSE(v4.has_value());
  EXPECT_EQ(b_->stats().corrupt, 0u);
  ASSERT_OK_AND_ASSIGN(auto listed, b_->ScanPrefix("finex:KW:"));
  EXPECT_EQ(listed, (std::vector<std::string>{k_before, k_after, k_first}));

  // Reopen: recovery settles every leftover.
  b_.reset();
  ASSERT_OK_AND_ASSIGN(b_, OpenParquetDirBackend({.root = root_}));
  const ParquetDirRecovery& r = pd().recovery();
  EXPECT_EQ(r.temp_files_removed, 1u);
  EXPECT_EQ(r.pending_committed, 2u);
  EXPECT_EQ(r.pending_dropped, 1u);
  EXPECT_EQ(r.orphan_sidecars_removed, 1u);
  EXPECT_FALSE(fs::exists(dead_tmp));
  EXPECT_TRUE(fs::exists(live_tmp)) << "a live process's temp file is left alone";
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_FALSE(e.path().string().ends_with(".fxn")) << e.path();
  EXPECT_FALSE(fs::exists(pd().PathFor(k_deleted) + ".fxm"));
  // The committed sidecars are now the real ones: byte-equal to a clean write.
  for (const auto& k : {k_after, k_first})
    EXPECT_EQ(Slurp(pd().PathFor(k) + ".fxm"), Slurp(sp.PathFor(k) + ".fxm")) << k;
  ASSERT_OK_AND_ASSIGN(v1, b_->Get(k_before));
  EXPECT_EQ(v1, std::optional<Bytes>("old:" + k_before));
  ASSERT_OK_AND_ASSIGN(v2, b_->Get(k_after));
  EXPECT_EQ(v2, std::optional<Bytes>("new:" + k_after));
  EXPECT_EQ(b_->stats().corrupt, 0u);
  // A second open finds nothing left to do.
  ASSERT_OK_AND_ASSIGN(auto again, OpenParquetDirBackend({.root = root_}));
  const ParquetDirRecovery& r2 = static_cast<ParquetDirBackend&>(*again).recovery();
  EXPECT_EQ(r2.temp_files_removed + r2.pending_committed + r2.pending_dropped +
                r2.orphan_sidecars_removed,
            0u);
  EXPECT_GE(r2.dirs_scanned, 1u);
  fs::remove_all(other);
}

// Damage is still damage: data that neither sidecar describes is not served.
TEST_F(ParquetDirTest, PendingSidecarNeverVouchesForOtherBytes) {
  const std::string k = "finex:PV:1d:1:2:yahoo:usd:ohlcv_v1";
  ASSERT_OK(b_->Put(k, "value one"));
  Spit(pd().PathFor(k) + ".fxn", Slurp(pd().PathFor(k) + ".fxm"));
  Spit(pd().PathFor(k), "value two");  // neither the .fxm nor the .fxn describes it
  ASSERT_OK_AND_ASSIGN(auto v, b_->Get(k));
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(b_->stats().corrupt, 1u);
  EXPECT_FALSE(fs::exists(pd().PathFor(k) + ".fxn"));
  EXPECT_FALSE(fs::exists(pd().PathFor(k)));
}

TEST(ParquetDirOpenTest, ValidatesRoot) {
  EXPECT_THAT(OpenParquetDirBackend({.root = ""}), StatusIs(StatusCode::kInvalidArgument));
  const std::string f = "/tmp/finex-pqdir-file-" + std::to_string(getpid());
  std::ofstream(f) << "x";
  EXPECT_THAT(OpenParquetDirBackend({.root = f}),
              StatusIs(StatusCode::kInvalidArgument, "not a directory"));
  fs::remove(f);
}

// Several processes hammer the same keys in one directory: every read returns
// one of the values some writer wrote, whole, and nothing is ever judged
// corrupt (so the two-rename window is never mistaken for damage).
TEST(ParquetDirMultiProcessTest, ConcurrentWritersAndReadersAcrossProcesses) {
  const std::string root = TempRoot();
  constexpr int kProcs = 4, kKeys = 8, kRounds = 150;
  auto value_for = [](int proc, int round) {
    std::string v = "P" + std::to_string(proc) + "R" + std::to_string(round) + ":";
    v.resize(4096 + proc * 97 + round % 13, static_cast<char>('a' + proc));
    return v;
  };
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto b = OpenParquetDirBackend({.root = root, .fsync = false});
      if (!b.ok()) _exit(10);
      for (int r = 0; r < kRounds; ++r) {
        const std::string key = "finex:MP:1d:" + std::to_string(r % kKeys);
        if (!(*b)->Put(key, value_for(p, r)).ok()) _exit(11);
        auto got = (*b)->Get("finex:MP:1d:" + std::to_string((r + 3) % kKeys));
        if (!got.ok()) _exit(12);
        if (got->has_value()) {
          const std::string& v = **got;
          // Must be a complete value of some writer: header names it.
          int wp = -1, wr = -1;
          if (sscanf(v.c_str(), "P%dR%d:", &wp, &wr) != 2 || v != value_for(wp, wr)) _exit(13);
        }
      }
      if ((*b)->stats().corrupt != 0) _exit(14);
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t k : kids) {
    int st = 0;
    waitpid(k, &st, 0);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "child exit " << WEXITSTATUS(st);
  }
  ASSERT_OK_AND_ASSIGN(auto b, OpenParquetDirBackend({.root = root}));
  ASSERT_OK_AND_ASSIGN(auto keys, b->ScanPrefix("finex:MP:"));
  EXPECT_EQ(keys.size(), static_cast<size_t>(kKeys));
  for (auto& e : fs::recursive_directory_iterator(root))
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos)
        << "temp file left";
  fs::remove_all(root);
}

}  // namespace

// Conformance: a fresh root per backend instance, removed at exit.
std::unique_ptr<Backend> MakeParquetDir() {
  struct Roots {
    std::vector<std::string> dirs;
    ~Roots() {
      for (const auto& d : dirs) std::filesystem::remove_all(d);
    }
  };
  static Roots roots;
  roots.dirs.push_back(TempRoot());
  auto b = OpenParquetDirBackend({.root = roots.dirs.back(), .fsync = false});
  return b.ok() ? std::move(b).value() : nullptr;
}

}  // namespace finex::backend

namespace finex::testing {
namespace {
INSTANTIATE_TEST_SUITE_P(ParquetDir, BackendConformanceTest,
                         ::testing::Values(BackendFactory{"parquet_dir", backend::MakeParquetDir,
                                                          true, ""}),
                         BackendFactoryName);
}  // namespace
}  // namespace finex::testing
