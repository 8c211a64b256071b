// Writes the seed corpus for parquet_reader_fuzzer: small finex Parquet files
// covering every writer option (compressions, page v1/v2, dictionary on/off,
// several row groups, nulls, empty and one-row frames).
//   parquet_seed_corpus <dir>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "finex/codec/parquet/parquet_codec.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: parquet_seed_corpus <dir>\n";
    return 2;
  }
  using namespace finex;
  using namespace finex::codec;
  std::mt19937_64 rng(42);
  int written = 0;
  for (size_t rows : {size_t{0}, size_t{1}, size_t{9}, size_t{40}}) {
    for (auto c : {ParquetCompression::kNone, ParquetCompression::kSnappy,
                   ParquetCompression::kZstd, ParquetCompression::kGzip}) {
      for (int v : {1, 2}) {
        for (bool dict : {true, false}) {
          FrameBuilder b(FieldSet(static_cast<uint8_t>(1 + rng() % 7)));
          int64_t ts = 1704067200;
          for (size_t i = 0; i < rows; ++i) {
            Bar bar;
            bar.symbol = i < rows / 2 ? "AAPL" : "MSFT";
            ts += (i == rows / 2) ? -86400 * 3 : 60 * (1 + rng() % 3);
            bar.timestamp = ts;
            auto val = [&]() -> std::optional<double> {
              if (rng() % 6 == 0) return std::nullopt;
              return (rng() % 2) ? 100.0 + (rng() % 100) / 100.0
                                 : static_cast<double>(rng() % 1000000) / 7.0;
            };
            bar.open = val(), bar.high = val(), bar.low = val(), bar.close = val(),
            bar.adj_close = val(), bar.market_cap = val();
            if (rng() % 5) bar.volume = static_cast<int64_t>(rng() % 100000);
            bar.provider = "yahoo";
            bar.currency = "usd";
            bar.timezone = "America/New_York";
            b.Add(bar);
          }
          auto frame = std::move(b).Finish();
          if (!frame.ok()) continue;
          ParquetOptions o;
          o.compression = c;
          o.data_page_version = v;
          o.dictionary = dict;
          o.row_group_rows = rows > 20 ? 16 : 1 << 17;
          auto bytes = EncodeParquet(**frame, {{"finex.k", "v"}}, o);
          if (!bytes.ok()) return 1;
          std::ofstream(std::string(argv[1]) + "/seed_" + std::to_string(written++) + ".parquet",
                        std::ios::binary)
              << *bytes;
        }
      }
    }
  }
  std::cout << written << " seeds written to " << argv[1] << "\n";
  return 0;
}
