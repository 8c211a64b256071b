// Helper for the DuckDB interop test (tests/interop/interop.mjs):
//   parquet_interop_tool write <dir>   writes finex Parquet files <dir>/finex_*.parquet
//                                      and, beside each, the expected values (.json)
//   parquet_interop_tool dump <file>   decodes a Parquet file with finex and prints
//                                      it in the same JSON form (exit 3 + status
//                                      on stderr when finex refuses the file)
// JSON form: {"fields": "...", "rows": N, "metadata": [[k, v]...], "data": [[symbol,
// ts_seconds, open, high, low, close, volume, adj_close, market_cap, provider,
// currency, timezone], ...]} with doubles as 16 hex digits of their bit pattern
// and volume as a decimal string (so nothing is lost in JavaScript), nulls as null.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "finex/codec/parquet/parquet_codec.h"

namespace {

using finex::Bar;
using finex::DoubleField;
using finex::FieldSet;
using finex::Frame;
using finex::FrameBuilder;
using finex::FramePtr;
using finex::codec::KeyValueMetadata;
using finex::codec::ParquetCompression;
using finex::codec::ParquetOptions;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Bits(std::optional<double> d) {
  if (!d) return "null";
  uint64_t b;
  std::memcpy(&b, &*d, 8);
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016" PRIx64 "\"", b);
  return buf;
}

std::string ToJson(const Frame& f, const KeyValueMetadata& md) {
  std::ostringstream o;
  o << "{\"fields\": " << Quote(f.fields().Name()) << ", \"rows\": " << f.rows()
    << ", \"metadata\": [";
  for (size_t i = 0; i < md.size(); ++i)
    o << (i ? ", " : "") << "[" << Quote(md[i].first) << ", " << Quote(md[i].second) << "]";
  o << "], \"data\": [";
  for (size_t i = 0; i < f.rows(); ++i) {
    const Bar b = f.row(i);
    o << (i ? ",\n" : "\n") << "[" << Quote(b.symbol) << ", \"" << b.timestamp << "\", "
      << Bits(b.open) << ", " << Bits(b.high) << ", " << Bits(b.low) << ", " << Bits(b.close)
      << ", " << (b.volume ? "\"" + std::to_string(*b.volume) + "\"" : std::string("null")) << ", "
      << Bits(b.adj_close) << ", " << Bits(b.market_cap) << ", " << Quote(b.provider) << ", "
      << Quote(b.currency) << ", " << Quote(b.timezone) << "]";
  }
  o << "]}\n";
  return o.str();
}

FramePtr MakeFrame(uint64_t seed, size_t rows, FieldSet fields, double null_rate, bool special) {
  std::mt19937_64 rng(seed);
  FrameBuilder b(fields);
  const char* syms[] = {"AAPL", "BRK-B", "BTCUSDT", "^GSPC"};
  const size_t nsym = rows < 4 ? 1 : 4;
  for (size_t s = 0; s < nsym; ++s) {
    int64_t ts = 1704067200 + static_cast<int64_t>(rng() % 100000) * 60;
    for (size_t i = 0; i < rows / nsym + (s < rows % nsym ? 1 : 0); ++i) {
      Bar bar;
      bar.symbol = syms[s];
      ts += (rng() % 4 == 0) ? 120 : 60;
      bar.timestamp = ts;
      auto val = [&]() -> std::optional<double> {
        if (std::uniform_real_distribution<double>(0, 1)(rng) < null_rate) return std::nullopt;
        if (special) {
          switch (rng() % 8) {
            case 0:
              return std::numeric_limits<double>::quiet_NaN();
            case 1:
              return -0.0;
            case 2:
              return std::numeric_limits<double>::infinity();
            case 3:
              return -std::numeric_limits<double>::infinity();
            case 4:
              return std::numeric_limits<double>::max();
            case 5:
              return std::numeric_limits<double>::denorm_min();
          }
        }
        return static_cast<double>(rng() % 10000000) / 100.0;
      };
      bar.open = val();
      bar.high = val();
      bar.low = val();
      bar.close = val();
      bar.adj_close = val();
      bar.market_cap = val();
      if (std::uniform_real_distribution<double>(0, 1)(rng) >= null_rate) {
        bar.volume = special && rng() % 3 == 0
                         ? std::numeric_limits<int64_t>::min() + static_cast<int64_t>(rng() % 5)
                         : static_cast<int64_t>(rng() % 100000000);
      }
      bar.provider = (i % 5 == 0) ? "binance" : "yahoo";
      bar.currency = "usd";
      bar.timezone = s == 2 ? "UTC" : "America/New_York";
      b.Add(bar);
    }
  }
  return std::move(b).Finish().value();
}

int Write(const std::string& dir) {
  struct Case {
    const char* name;
    FramePtr frame;
    ParquetOptions opt;
  };
  std::vector<Case> cases;
  auto opts = [](ParquetCompression c, int v, bool dict, size_t rg) {
    ParquetOptions o;
    o.compression = c;
    o.data_page_version = v;
    o.dictionary = dict;
    o.row_group_rows = rg;
    return o;
  };
  cases.push_back({"finex_zstd", MakeFrame(1, 500, FieldSet::All(), 0.1, false), {}});
  cases.push_back({"finex_snappy_v2", MakeFrame(2, 500, FieldSet::All(), 0.2, false),
                   opts(ParquetCompression::kSnappy, 2, true, 1 << 17)});
  cases.push_back({"finex_gzip_plain", MakeFrame(3, 300, FieldSet::Ohlcv(), 0.1, false),
                   opts(ParquetCompression::kGzip, 1, false, 1 << 17)});
  cases.push_back(
      {"finex_none_groups",
       MakeFrame(4, 1000, FieldSet(FieldSet::kOhlcv | FieldSet::kAdjClose), 0.05, false),
       opts(ParquetCompression::kNone, 1, true, 128)});
  cases.push_back({"finex_special", MakeFrame(5, 200, FieldSet::All(), 0.1, true), {}});
  cases.push_back({"finex_one_row", MakeFrame(6, 1, FieldSet::Ohlcv(), 0, false), {}});
  cases.push_back({"finex_empty", Frame::Empty(FieldSet::Ohlcv()), {}});
  cases.push_back({"finex_big", MakeFrame(7, 200000, FieldSet::Ohlcv(), 0.01, false), {}});
  const KeyValueMetadata md = {{"finex.fragment", "AAPL:1m"},
                               {"finex.requested", "1704067200-1704153600"}};
  for (const Case& c : cases) {
    auto bytes = finex::codec::EncodeParquet(*c.frame, md, c.opt);
    if (!bytes.ok()) {
      std::cerr << c.name << ": " << bytes.status() << "\n";
      return 1;
    }
    std::ofstream(dir + "/" + c.name + ".parquet", std::ios::binary) << *bytes;
    std::ofstream(dir + "/" + c.name + ".json") << ToJson(*c.frame, md);
  }
  std::cout << cases.size() << "\n";
  return 0;
}

int Dump(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  auto d = finex::codec::DecodeParquet(bytes);
  if (!d.ok()) {
    std::cerr << d.status() << "\n";
    return 3;
  }
  std::cout << ToJson(*d->frame, d->metadata);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "write") return Write(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "dump") return Dump(argv[2]);
  std::cerr << "usage: parquet_interop_tool write <dir> | dump <file.parquet>\n";
  return 2;
}
