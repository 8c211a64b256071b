// Internal: real data for the simulator — reading CSV histories (--data,
// e.g. ../shared/data/ohlcv) into sorted, de-duplicated series per symbol.
// The layouts recognised and the file-name convention are documented on
// Generator::LoadCsvDir; how loaded series are served (and aggregated to
// 1w/1mo) is the generator's.
//
// Thread-safety: ReadCsvHistory touches only its arguments and the file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/interval.h"
#include "finex/core/status.h"

namespace finex::sim::detail {

// One loaded (symbol, interval) history, ascending by stamp, no duplicates.
// Daily stamps are 00:00 UTC of the exchange-local date; intraday UTC starts.
struct CsvSeries {
  std::string symbol;
  Interval iv = Interval::k1d;
  std::vector<int64_t> ts;
  std::vector<double> o, h, l, c, adj;  // adj empty when the file had none
  std::vector<int64_t> v;
};

// Reads one CSV file (optionally .gz) into one series per symbol, appended to
// `out`. `symbol`/`interval` override the ones inferred from the columns or
// file name. A file whose layout is not recognised adds nothing and appends
// "<file>: <why>" to `skipped`. NotFound/DataLoss when the file cannot be
// read; InvalidArgument ("file:line: ...") on a malformed row (then nothing
// of the file is added).
Status ReadCsvHistory(const std::string& path, std::string_view symbol,
                      std::optional<Interval> interval, std::vector<std::string>* skipped,
                      std::vector<std::shared_ptr<const CsvSeries>>* out);

// The *.csv and *.csv.gz regular files directly in `dir`, sorted.
// NotFound when dir does not exist.
Result<std::vector<std::string>> ListCsvFiles(const std::string& dir);

}  // namespace finex::sim::detail
