#include "finex/cli/output.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "finex/core/time.h"

namespace finex::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Cell(const Json& v, std::string_view column) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    if (column == "timestamp") {
      return x % kSecondsPerDay == 0 ? FormatDate(x) : FormatIsoUtc(x);
    }
    return std::to_string(x);
  }
  if (v.is_number()) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", v.get<double>());
    const double d = v.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 1e15) {
      std::snprintf(buf, sizeof(buf), "%.2f", d);
    } else if (std::abs(d) >= 1 && std::abs(d) < 1e9) {
      std::snprintf(buf, sizeof(buf), "%.4f", d);
      std::string s(buf);
      while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
      return s;
    }
    return buf;
  }
  return v.dump();
}

bool Numeric(const Json& col) {
  for (const auto& v : col) {
    if (!v.is_null()) return v.is_number();
  }
  return false;
}

std::string Table(const std::vector<std::string>& names,
                  const std::vector<std::vector<std::string>>& cols, const std::vector<bool>& right,
                  bool color) {
  std::vector<size_t> w(names.size());
  size_t rows = 0;
  for (size_t c = 0; c < names.size(); ++c) {
    w[c] = names[c].size();
    for (const auto& s : cols[c]) w[c] = std::max(w[c], s.size());
    rows = std::max(rows, cols[c].size());
  }
  auto pad = [](const std::string& s, size_t width, bool r) {
    const std::string fill(width > s.size() ? width - s.size() : 0, ' ');
    return r ? fill + s : s + fill;
  };
  std::string out;
  if (color) out += "\x1b[1m";
  for (size_t c = 0; c < names.size(); ++c) out += (c ? "  " : "") + pad(names[c], w[c], right[c]);
  if (color) out += "\x1b[0m";
  out += "\n";
  for (size_t r = 0; r < rows; ++r) {
    std::string line;
    for (size_t c = 0; c < names.size(); ++c) {
      line += (c ? "  " : "") + pad(r < cols[c].size() ? cols[c][r] : "", w[c], right[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

int ExitCodeForHttpStatus(int s) {
  if (s >= 200 && s < 300) return kExitOk;
  if (s == 429 || s == 502 || s == 503 || s == 504) return kExitUpstream;
  if (s == 401 || s == 403) return kExitError;
  if (s >= 400 && s < 500) return kExitBadInput;
  return kExitError;
}

std::string RenderTable(std::string_view body, bool color) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("data") || !j["data"].is_object()) return "";
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cols;
  std::vector<bool> right;
  for (auto it = j["data"].begin(); it != j["data"].end(); ++it) {
    if (!it.value().is_array()) continue;
    names.push_back(it.key());
    std::vector<std::string> col;
    col.reserve(it.value().size());
    for (const auto& v : it.value()) col.push_back(Cell(v, it.key()));
    cols.push_back(std::move(col));
    right.push_back(Numeric(it.value()) && it.key() != "timestamp");
  }
  std::string out = Table(names, cols, right, color);
  if (j.contains("cache_info") && j["cache_info"].is_object()) {
    const Json& ci = j["cache_info"];
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "(%zu rows · hit rate %.0f%% · %d provider calls · %.2f ms · data %s)\n",
                  cols.empty() ? size_t{0} : cols[0].size(), 100 * ci.value("hit_rate", 0.0),
                  ci.value("api_calls_made", 0), ci.value("response_time_ms", 0.0),
                  ci.value("data_freshness", std::string("?")).c_str());
    out += buf;
  }
  return out;
}

std::string RenderStatsTable(std::string_view body, bool color) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::string(body);
  std::vector<std::string> k, v;
  auto add = [&](std::string name, std::string value) {
    k.push_back(std::move(name));
    v.push_back(std::move(value));
  };
  char buf[64];
  for (const char* n : {"hits", "misses", "api_calls", "api_calls_saved", "fragments", "bytes",
                        "evictions", "rows_served", "memory_bytes"}) {
    if (j.contains(n)) add(n, std::to_string(j[n].get<int64_t>()));
  }
  for (const char* n : {"hit_rate", "reduction"}) {
    if (j.contains(n)) {
      std::snprintf(buf, sizeof(buf), "%.1f%%", 100 * j[n].get<double>());
      add(n, buf);
    }
  }
  std::string out = Table({"metric", "value"}, {k, v}, {false, true}, color);
  for (const char* section : {"by_provider", "by_symbol"}) {
    if (!j.contains(section) || !j[section].is_object() || j[section].empty()) continue;
    std::vector<std::string> names, hits, misses, calls;
    for (auto it = j[section].begin(); it != j[section].end(); ++it) {
      names.push_back(it.key());
      hits.push_back(std::to_string(it.value().value("hits", 0)));
      misses.push_back(std::to_string(it.value().value("misses", 0)));
      calls.push_back(std::to_string(it.value().value("api_calls", 0)));
    }
    out += "\n" + Table({std::string(section) == "by_provider" ? "provider" : "symbol", "hits",
                         "misses", "api_calls"},
                        {names, hits, misses, calls}, {false, true, true, true}, color);
  }
  // Fragment utilization and fetch coverage per provider and interval.
  if (j.contains("utilization") && j["utilization"].is_array() && !j["utilization"].empty()) {
    std::vector<std::string> series, stored, served, bonus, coverage;
    for (const Json& u : j["utilization"]) {
      if (!u.is_object()) continue;
      series.push_back(u.value("provider", std::string()) + " " +
                       u.value("interval", std::string()));
      stored.push_back(std::to_string(u.value("rows_stored", int64_t{0})));
      std::snprintf(buf, sizeof(buf), "%.1f%%", 100 * u.value("utilization", 0.0));
      served.push_back(buf);
      bonus.push_back(std::to_string(u.value("bonus_rows_reused", int64_t{0})) + "/" +
                      std::to_string(u.value("bonus_rows_stored", int64_t{0})));
      std::snprintf(buf, sizeof(buf), "%.1f%%", 100 * u.value("coverage", 0.0));
      coverage.push_back(buf);
    }
    out += "\n" + Table({"fragments", "rows_stored", "ever_served", "bonus_reused", "coverage"},
                        {series, stored, served, bonus, coverage}, {false, true, true, true, true},
                        color);
  }
  return out;
}

std::string ProblemLine(std::string_view body, int status) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("detail")) {
    std::string b(body.substr(0, 300));
    return "HTTP " + std::to_string(status) + (b.empty() ? "" : ": " + b);
  }
  std::string out = j.value("detail", std::string());
  std::string code = j.value("code", std::string());
  std::string param = j.value("param", std::string());
  out += " (" + code;
  if (!param.empty()) out += ", param " + param;
  out += ", HTTP " + std::to_string(status) + ")";
  return out;
}

}  // namespace finex::cli
