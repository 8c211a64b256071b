// Parquet codec benchmarks on REAL prices from ../shared/data/ohlcv:
//   MonthDaily: AAPL daily bars for January 2017 from the S&P 500 5-year set
//               (one cache fragment of a daily series: ~1 month).
//   Day1m:      BTCUSDT 1m bars of 2023-03-01 (binance.us): 1440 rows.
//   Year1m:     1 year of 1m bars (525600 rows) synthesized from the 20-day
//               BTCUSDT 1m file by repetition: copy k is shifted 20 days later
//               and its prices are scaled by (1 + 0.01 k), rounded to cents, so
//               no copy repeats another byte for byte. No larger real 1m file is
//               available.
// Counters: rows/s (items_per_second), bytes_per_row, file_bytes.
// Skipped (with a message) when ../shared/data is absent.
// FINEX_PARQUET_BENCH_OUT=<dir> also writes the three encoded files there, so
// tests/interop/duckdb_sizes.mjs can compare them with DuckDB's zstd files.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/time.h"

namespace finex::codec {
namespace {

std::string DataDir() { return std::string(FINEX_SHARED_DATA) + "/ohlcv"; }

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool ReadGz(const std::string& path, std::string* out) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out->append(buf, n);
  gzclose(f);
  return n == 0;
}

std::vector<std::string_view> Split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == sep) {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

int64_t ParseDay(std::string_view s) {  // "2017-01-03"
  CivilDate d{std::stoi(std::string(s.substr(0, 4))), std::stoi(std::string(s.substr(5, 2))),
              std::stoi(std::string(s.substr(8, 2)))};
  return DaysFromCivil(d) * kSecondsPerDay;
}

FramePtr MonthDaily() {
  std::string text;
  if (!ReadGz(DataDir() + "/sp500_all_stocks_5yr_daily_2013-02-08_2018-02-07.csv.gz", &text))
    return nullptr;
  FrameBuilder b(FieldSet::Ohlcv());
  std::string_view all(text);
  size_t pos = all.find('\n') + 1;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    // date,open,high,low,close,volume,Name
    if (line.size() < 10 || line.substr(0, 7) != "2017-01" ||
        line.substr(line.rfind(',') + 1) != "AAPL")
      continue;
    auto f = Split(line, ',');
    if (f.size() != 7) continue;
    Bar bar;
    bar.symbol = "AAPL";
    bar.timestamp = ParseDay(f[0]);
    bar.open = std::stod(std::string(f[1]));
    bar.high = std::stod(std::string(f[2]));
    bar.low = std::stod(std::string(f[3]));
    bar.close = std::stod(std::string(f[4]));
    bar.volume = std::stoll(std::string(f[5]));
    bar.provider = "yahoo";
    bar.currency = "usd";
    bar.timezone = "America/New_York";
    b.Add(bar);
  }
  auto r = std::move(b).Finish();
  return r.ok() && (*r)->rows() > 0 ? *r : nullptr;
}

// All rows of the BTCUSDT 1m file (2023-03-01 .. 2023-03-20).
std::vector<Bar> BtcBars() {
  std::string text;
  std::vector<Bar> bars;
  if (!ReadFile(DataDir() + "/binanceus_BTCUSDT_1m_2023-03-01_2023-03-21.csv", &text)) return bars;
  std::string_view all(text);
  size_t pos = all.find('\n') + 1;
  while (pos < all.size()) {
    size_t end = all.find('\n', pos);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    auto f = Split(line, ',');  // open_time,open,high,low,close,volume
    if (f.size() != 6 || f[0].size() < 19) continue;
    Bar bar;
    bar.symbol = "BTCUSDT";
    bar.timestamp = ParseDay(f[0]) + std::stoi(std::string(f[0].substr(11, 2))) * 3600 +
                    std::stoi(std::string(f[0].substr(14, 2))) * 60 +
                    std::stoi(std::string(f[0].substr(17, 2)));
    bar.open = std::stod(std::string(f[1]));
    bar.high = std::stod(std::string(f[2]));
    bar.low = std::stod(std::string(f[3]));
    bar.close = std::stod(std::string(f[4]));
    bar.volume = std::llround(std::stod(std::string(f[5])));  // as the binance adapter stores it
    bar.provider = "binance";
    bar.currency = "usdt";
    bar.timezone = "UTC";
    bars.push_back(std::move(bar));
  }
  return bars;
}

FramePtr Day1m() {
  const std::vector<Bar> bars = BtcBars();
  if (bars.empty()) return nullptr;
  FrameBuilder b(FieldSet::Ohlcv());
  const int64_t day = DayOf(bars.front().timestamp);
  for (const Bar& bar : bars)
    if (DayOf(bar.timestamp) == day) b.Add(bar);
  auto r = std::move(b).Finish();
  return r.ok() ? *r : nullptr;
}

FramePtr Year1m() {
  const std::vector<Bar> bars = BtcBars();
  if (bars.empty()) return nullptr;
  const int64_t span = bars.back().timestamp - bars.front().timestamp + 60;
  FrameBuilder b(FieldSet::Ohlcv());
  b.Reserve(525600);
  const int64_t start = bars.front().timestamp;
  for (int k = 0; b.rows() < 525600; ++k) {
    const double scale = 1.0 + 0.01 * k;
    auto scaled = [&](std::optional<double> p) -> std::optional<double> {
      if (!p) return p;
      return std::round(*p * scale * 100.0) / 100.0;
    };
    for (const Bar& src : bars) {
      if (b.rows() >= 525600) break;
      Bar bar = src;
      bar.timestamp = src.timestamp + k * span;
      if (bar.timestamp >= start + 365 * kSecondsPerDay) break;
      bar.open = scaled(src.open), bar.high = scaled(src.high), bar.low = scaled(src.low),
      bar.close = scaled(src.close);
      b.Add(bar);
    }
    if (start + (k + 1) * span >= start + 365 * kSecondsPerDay) break;
  }
  auto r = std::move(b).Finish();
  return r.ok() ? *r : nullptr;
}

struct Fixture {
  FramePtr frame;
  Bytes bytes;
};

const Fixture& Get(int which) {
  static Fixture fixtures[3];
  static std::once_flag once;
  std::call_once(once, [] {
    fixtures[0].frame = MonthDaily();
    fixtures[1].frame = Day1m();
    fixtures[2].frame = Year1m();
    const char* out = std::getenv("FINEX_PARQUET_BENCH_OUT");
    const char* names[] = {"month_daily", "day_1m", "year_1m"};
    for (int i = 0; i < 3; ++i) {
      if (!fixtures[i].frame) continue;
      auto b = EncodeParquet(*fixtures[i].frame, {});
      if (b.ok()) fixtures[i].bytes = *b;
      if (out)
        std::ofstream(std::string(out) + "/" + names[i] + ".parquet", std::ios::binary)
            << fixtures[i].bytes;
    }
  });
  return fixtures[which];
}

void Encode(benchmark::State& state, int which) {
  const Fixture& f = Get(which);
  if (!f.frame) {
    state.SkipWithError("needs ../shared/data/ohlcv (real prices); it is absent here");
    return;
  }
  size_t size = 0;
  for (auto _ : state) {
    auto b = EncodeParquet(*f.frame, {});
    size = b->size();
    benchmark::DoNotOptimize(b);
  }
  state.SetItemsProcessed(state.iterations() * f.frame->rows());
  state.counters["rows"] = static_cast<double>(f.frame->rows());
  state.counters["file_bytes"] = static_cast<double>(size);
  state.counters["bytes_per_row"] = static_cast<double>(size) / f.frame->rows();
}

void Decode(benchmark::State& state, int which) {
  const Fixture& f = Get(which);
  if (!f.frame) {
    state.SkipWithError("needs ../shared/data/ohlcv (real prices); it is absent here");
    return;
  }
  for (auto _ : state) {
    auto d = DecodeParquet(f.bytes);
    if (!d.ok()) {
      state.SkipWithError(d.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * f.frame->rows());
  state.counters["rows"] = static_cast<double>(f.frame->rows());
  state.counters["file_bytes"] = static_cast<double>(f.bytes.size());
  state.counters["bytes_per_row"] = static_cast<double>(f.bytes.size()) / f.frame->rows();
}

BENCHMARK_CAPTURE(Encode, MonthDaily, 0)->Name("Parquet/Encode/MonthDaily");
BENCHMARK_CAPTURE(Decode, MonthDaily, 0)->Name("Parquet/Decode/MonthDaily");
BENCHMARK_CAPTURE(Encode, Day1m, 1)->Name("Parquet/Encode/Day1m");
BENCHMARK_CAPTURE(Decode, Day1m, 1)->Name("Parquet/Decode/Day1m");
BENCHMARK_CAPTURE(Encode, Year1m, 2)->Name("Parquet/Encode/Year1m")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(Decode, Year1m, 2)->Name("Parquet/Decode/Year1m")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finex::codec
