#include "finex/sim/detail/csv_history.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "finex/core/symbol.h"
#include "finex/core/time.h"
#include "finex/sim/detail/hash.h"

namespace finex::sim::detail {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::string out;
  if (path.ends_with(".gz")) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (f == nullptr) return NotFoundError("cannot open " + path);
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    const bool bad = n < 0;
    gzclose(f);
    if (bad) return DataLossError("corrupt gzip in " + path);
    return out;
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return NotFoundError("cannot open " + path);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

std::vector<std::string_view> SplitFields(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = line.find(sep, pos);
    std::string_view f =
        line.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    while (!f.empty() && (f.front() == ' ' || f.front() == '"')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '"' || f.back() == '\r'))
      f.remove_suffix(1);
    out.push_back(f);
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return out;
}

// "2021-01-01", "2021-01-01 00:00:00", "2023-03-01 00:00:00+00:00", "2021-01-01T00:00:00Z", epoch.
bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Timestamp> ParseCsvTime(std::string_view s) {
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2)))
      return std::nullopt;
    if (s.size() > 10 && s.size() < 19) return std::nullopt;
    if (s.size() >= 19 && (!AllDigits(s.substr(11, 2)) || !AllDigits(s.substr(14, 2)) ||
                           !AllDigits(s.substr(17, 2)))) {
      return std::nullopt;
    }
    CivilDate d{std::atoi(std::string(s.substr(0, 4)).c_str()),
                std::atoi(std::string(s.substr(5, 2)).c_str()),
                std::atoi(std::string(s.substr(8, 2)).c_str())};
    if (!IsValidCivil(d)) return std::nullopt;
    Timestamp t = DaysFromCivil(d) * kSecondsPerDay;
    if (s.size() >= 19 && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':') {
      t += std::atoi(std::string(s.substr(11, 2)).c_str()) * 3600 +
           std::atoi(std::string(s.substr(14, 2)).c_str()) * 60 +
           std::atoi(std::string(s.substr(17, 2)).c_str());
      std::string_view rest = s.substr(19);
      if (!rest.empty() && (rest[0] == '+' || rest[0] == '-') && rest.size() >= 6) {
        const int sign = rest[0] == '-' ? -1 : 1;
        t -= sign * (std::atoi(std::string(rest.substr(1, 2)).c_str()) * 3600 +
                     std::atoi(std::string(rest.substr(4, 2)).c_str()) * 60);
      }
    }
    return t;
  }
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = std::stoll(std::string(s));
    if (v > 100000000000ll) v /= 1000;  // ms
    return v;
  }
  return std::nullopt;
}

std::optional<double> ParseNum(std::string_view s) {
  if (s.empty() || s == "null" || s == "N/A" || s == "NaN") return std::nullopt;
  char* end = nullptr;
  std::string tmp(s);
  const double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

Result<std::vector<std::string>> ListCsvFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return NotFoundError("data directory '" + dir + "' does not exist");
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.ends_with(".csv") || name.ends_with(".csv.gz")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Status ReadCsvHistory(const std::string& path, std::string_view symbol_override,
                      std::optional<Interval> iv_override, std::vector<std::string>* skipped,
                      std::vector<std::shared_ptr<const CsvSeries>>* out) {
  FINEX_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  const std::string fname = std::filesystem::path(path).filename().string();
  // Header.
  const size_t eol = text.find('\n');
  std::string_view header = std::string_view(text).substr(0, eol);
  const char sep =
      header.find(';') != std::string_view::npos && header.find(',') == std::string_view::npos
          ? ';'
          : ',';
  std::vector<std::string_view> cols = SplitFields(header, sep);
  int c_date = -1, c_time = -1, c_o = -1, c_h = -1, c_l = -1, c_c = -1, c_adj = -1, c_v = -1,
      c_sym = -1;
  for (size_t i = 0; i < cols.size(); ++i) {
    const std::string n = AsciiLower(cols[i]);
    const int ii = static_cast<int>(i);
    if (n == "date" || n == "timestamp" || n == "open_time" || n == "datetime" || n == "%y-%m-%d") {
      c_date = ii;
    } else if (n == "time") {
      if (c_date < 0) {
        c_date = ii;
      } else {
        c_time = ii;
      }
    } else if (n == "open") {
      c_o = ii;
    } else if (n == "high") {
      c_h = ii;
    } else if (n == "low") {
      c_l = ii;
    } else if (n == "close") {
      c_c = ii;
    } else if (n == "adj close" || n == "adj_close" || n == "adjclose") {
      c_adj = ii;
    } else if (n == "volume") {
      c_v = ii;
    } else if (n == "name" || n == "symbol" || n == "ticker") {
      c_sym = ii;
    }
  }
  if (c_date < 0 || c_o < 0 || c_h < 0 || c_l < 0 || c_c < 0) {
    skipped->push_back(fname + ": no date/open/high/low/close header");
    return OkStatus();
  }
  // Symbol and interval from the file name "<source>_<SYMBOL>_<interval>_...".
  std::string file_symbol(symbol_override);
  std::optional<Interval> iv = iv_override;
  {
    // Strip the extension only: symbols such as AET.L contain dots.
    std::string stem = fname;
    for (std::string_view ext : {".gz", ".csv", ".txt"})
      if (stem.size() > ext.size() && stem.compare(stem.size() - ext.size(), ext.size(), ext) == 0)
        stem.resize(stem.size() - ext.size());
    std::vector<std::string_view> parts = SplitFields(stem, '_');
    if (file_symbol.empty() && c_sym < 0) {
      if (parts.size() >= 2) {
        std::string_view cand = parts[1];
        if (cand == "MSFT" || ValidateSymbol(cand).ok()) file_symbol = std::string(cand);
      }
    }
    if (!iv && parts.size() >= 3) {
      auto piv = ParseInterval(parts[2]);
      if (piv.ok()) iv = *piv;
    }
  }
  if (file_symbol.empty() && c_sym < 0) {
    skipped->push_back(fname + ": no symbol in the file name or columns");
    return OkStatus();
  }
  if (!iv) iv = Interval::k1d;
  if (c_time >= 0 && !IsIntraday(*iv)) {
    skipped->push_back(fname +
                       ": separate date/time columns need an intraday interval in the name");
    return OkStatus();
  }
  if (!IsIntraday(*iv) && *iv != Interval::k1d) {
    skipped->push_back(fname + ": only 1d and intraday histories are loaded");
    return OkStatus();
  }
  if (c_time >= 0) {
    // Exchange-local times without a zone (e.g. Eurex futures): their zone is unknown.
    skipped->push_back(fname + ": date/time columns without a time zone");
    return OkStatus();
  }

  std::map<std::string, std::shared_ptr<CsvSeries>> by_symbol;
  size_t pos = eol == std::string::npos ? text.size() : eol + 1;
  size_t line_no = 1;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::string_view line = std::string_view(text).substr(pos, e - pos);
    pos = e + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::vector<std::string_view> f = SplitFields(line, sep);
    auto at = [&](int c) {
      return c >= 0 && static_cast<size_t>(c) < f.size() ? f[c] : std::string_view();
    };
    auto where = [&] { return fname + ":" + std::to_string(line_no) + ": "; };
    auto ts = ParseCsvTime(at(c_date));
    if (!ts) return InvalidArgumentError(where() + "bad date '" + Printable(at(c_date)) + "'");
    // A daily row is the bar of the exchange-local date it names, stamped
    // 00:00 UTC of that date (API.md), whatever time/offset follows it
    // ("2023-03-28 00:00:00+09:00" is the 28th, not the 27th in UTC).
    if (!IsIntraday(*iv) && at(c_date).size() >= 10) {
      if (auto day = ParseCsvTime(at(c_date).substr(0, 10))) ts = day;
    }
    auto o = ParseNum(at(c_o)), h = ParseNum(at(c_h)), l = ParseNum(at(c_l)), c = ParseNum(at(c_c));
    if (!o || !h || !l || !c) continue;  // null rows (e.g. Yahoo "null") carry no bar
    std::optional<double> a = c_adj >= 0 ? ParseNum(at(c_adj)) : std::nullopt;
    std::optional<double> v = c_v >= 0 ? ParseNum(at(c_v)) : std::optional<double>(0.0);
    const std::string sym = c_sym >= 0 ? std::string(at(c_sym)) : file_symbol;
    if (!ValidateSymbol(sym).ok())
      return InvalidArgumentError(where() + "bad symbol '" + Printable(sym) + "'");
    auto& s = by_symbol[sym];
    if (!s) {
      s = std::make_shared<CsvSeries>();
      s->symbol = sym;
      s->iv = *iv;
    }
    const Timestamp stamp = *iv == Interval::k1d ? DayOf(*ts) * kSecondsPerDay : *ts;
    s->ts.push_back(stamp);
    // Keep OHLC consistent even when a source rounds oddly.
    s->o.push_back(*o);
    s->h.push_back(std::max({*h, *o, *c}));
    s->l.push_back(std::min({*l, *o, *c}));
    s->c.push_back(*c);
    if (c_adj >= 0) s->adj.push_back(a.value_or(*c));
    s->v.push_back(static_cast<int64_t>(std::llround(std::max(0.0, v.value_or(0)))));
  }
  if (by_symbol.empty()) {
    skipped->push_back(fname + ": no usable rows");
    return OkStatus();
  }
  for (auto& [sym, s] : by_symbol) {
    // Sort ascending (some sources are newest first) and drop duplicate stamps.
    std::vector<size_t> idx(s->ts.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&s = s](size_t a, size_t b) { return s->ts[a] < s->ts[b]; });
    auto sorted = std::make_shared<CsvSeries>();
    sorted->symbol = s->symbol;
    sorted->iv = s->iv;
    for (size_t i : idx) {
      if (!sorted->ts.empty() && sorted->ts.back() == s->ts[i]) continue;
      sorted->ts.push_back(s->ts[i]);
      sorted->o.push_back(s->o[i]);
      sorted->h.push_back(s->h[i]);
      sorted->l.push_back(s->l[i]);
      sorted->c.push_back(s->c[i]);
      if (!s->adj.empty()) sorted->adj.push_back(s->adj[i]);
      sorted->v.push_back(s->v[i]);
    }
    out->push_back(std::move(sorted));
  }
  return OkStatus();
}

}  // namespace finex::sim::detail
