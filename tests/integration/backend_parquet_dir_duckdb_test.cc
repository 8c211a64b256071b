// parquet_dir files are plain Parquet that DuckDB reads directly (issue 6):
// frames encoded by the real codec are stored through ParquetDirBackend, then
// DuckDB (node + @duckdb/node-api from tests/interop) globs
// '<root>/AAPL/1d/*.parquet' and '<root>/BTC%2FUSDT/1h/*.parquet'. Skips when
// node or the DuckDB module is absent.
#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "finex/backend/parquet_dir/parquet_dir_backend.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/frame.h"
#include "tests/testutil/status_matchers.h"

namespace finex::backend {
namespace {

namespace fs = std::filesystem;

FramePtr Bars(const std::string& symbol, Timestamp start, int64_t step, int n) {
  FrameBuilder b;
  for (int i = 0; i < n; ++i) {
    Bar bar;
    bar.symbol = symbol;
    bar.timestamp = start + i * step;
    bar.open = bar.high = bar.low = bar.close = 100.0 + i;
    bar.volume = 1000 + i;
    bar.provider = "yahoo";
    bar.currency = "usd";
    bar.timezone = "America/New_York";
    b.Add(bar);
  }
  return std::move(b).Finish().value();
}

std::string RunDuckDb(const std::string& sql, const std::string& dir) {
  const std::string script = dir + "/q.mjs";
  std::ofstream(script) << R"js(
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const req = createRequire(process.argv[2] + '/');
const duckdb = await import(pathToFileURL(req.resolve('@duckdb/node-api')).href);
const con = await (await duckdb.DuckDBInstance.create(':memory:')).connect();
const rows = (await con.runAndReadAll(process.argv[3])).getRows();
console.log(rows.map(r => r.map(v => String(v)).join('|')).join('\n'));
)js";
  const std::string cmd =
      "node " + script + " '" FINEX_SOURCE_DIR "/tests/interop' \"" + sql + "\" 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) pclose(p);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(ParquetDirDuckDbTest, DuckDbGlobsTheSeriesDirectories) {
  if (system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
  if (!fs::exists(FINEX_SOURCE_DIR "/tests/interop/node_modules/@duckdb/node-api/package.json"))
    GTEST_SKIP() << "@duckdb/node-api not installed (cd tests/interop && npm ci)";
  char tmpl[] = "/tmp/finex-pqduck-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  ASSERT_OK_AND_ASSIGN(auto b, OpenParquetDirBackend({.root = root}));
  auto codec = codec::NewParquetCodec();
  // Three AAPL daily fragments (20 bars each) and one BTC/USDT hourly one.
  for (int f = 0; f < 3; ++f) {
    const Timestamp start = 1704153600 + f * 20 * 86400;
    ASSERT_OK_AND_ASSIGN(Bytes bytes, codec->Encode(*Bars("AAPL", start, 86400, 20), {}));
    const std::string key = "finex:AAPL:1d:" + std::to_string(start) + ":" +
                            std::to_string(start + 19 * 86400) + ":yahoo:usd:ohlcv_v1";
    ASSERT_OK(b->Put(key, bytes));
  }
  ASSERT_OK_AND_ASSIGN(Bytes btc, codec->Encode(*Bars("BTC/USDT", 1704067200, 3600, 24), {}));
  ASSERT_OK(b->Put("finex:BTC/USDT:1h:1704067200:1704150000:binance:usdt:ohlcv_v1", btc));

  EXPECT_EQ(
      RunDuckDb("SELECT count(*), min(symbol), max(symbol) FROM '" + root + "/AAPL/1d/*.parquet'",
                root),
      "60|AAPL|AAPL");
  EXPECT_EQ(
      RunDuckDb("SELECT count(*), min(symbol) FROM '" + root + "/BTC%2FUSDT/1h/*.parquet'", root),
      "24|BTC/USDT");
  fs::remove_all(root);
}

}  // namespace
}  // namespace finex::backend
