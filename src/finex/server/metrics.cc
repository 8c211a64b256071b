#include "finex/server/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "finex/core/status.h"

namespace finex::server {

void Gauge::Add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  FINEX_CHECK(std::is_sorted(bounds_.begin(), bounds_.end()));
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0 && std::isfinite(v)) {
    sum_nano_.fetch_add(static_cast<uint64_t>(v * 1e9), std::memory_order_relaxed);
  }
}

std::vector<double> LatencyBuckets() {
  return {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
          0.025,   0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};
}

template <typename T>
T& Family<T>::With(std::initializer_list<std::string_view> values) {
  FINEX_CHECK(values.size() == labels_.size());
  {
    ReaderLock lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::vector<std::string> v;
  v.reserve(values.size());
  for (std::string_view s : values) v.emplace_back(s);
  return With(v);
}

template <typename T>
T& Family<T>::With(const std::vector<std::string>& values) {
  FINEX_CHECK(values.size() == labels_.size());
  {
    ReaderLock lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  WriterLock lock(mu_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  if (series_.size() >= max_series_) {
    std::vector<std::string> other(labels_.size(), "other");
    auto& slot = series_[other];
    if (!slot) slot = make_();
    return *slot;
  }
  auto& slot = series_[values];
  slot = make_();
  return *slot;
}

template <typename T>
void Family<T>::ForEach(
    const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  ReaderLock lock(mu_);
  for (const auto& [k, v] : series_) fn(k, *v);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> labels, size_t max_series) {
  MutexLock lock(mu_);
  counters_.push_back(
      std::make_unique<Family<Counter>>(std::move(name), std::move(help), std::move(labels),
                                        max_series, [] { return std::make_unique<Counter>(); }));
  return *counters_.back();
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> labels, size_t max_series) {
  MutexLock lock(mu_);
  gauges_.push_back(std::make_unique<Family<Gauge>>(std::move(name), std::move(help),
                                                    std::move(labels), max_series,
                                                    [] { return std::make_unique<Gauge>(); }));
  return *gauges_.back();
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> labels,
                                          std::vector<double> bounds, size_t max_series) {
  MutexLock lock(mu_);
  histograms_.push_back(std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), std::move(labels), max_series,
      [bounds] { return std::make_unique<Histogram>(bounds); }));
  return *histograms_.back();
}

void Registry::AddCollector(std::function<void(std::string& out)> fn) {
  MutexLock lock(mu_);
  collectors_.push_back(std::move(fn));
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help) {
  out += "# HELP ";
  out += name;
  out.push_back(' ');
  out += help;
  out += "\n# TYPE ";
  out += name;
  out.push_back(' ');
  out += type;
  out.push_back('\n');
}

namespace {

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, p);
  }
}

void AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra_name = {},
                  std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out.push_back(',');
    first = false;
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
}

}  // namespace

void AppendSample(std::string& out, std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& labels, double value) {
  out += name;
  if (!labels.empty()) {
    out.push_back('{');
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out.push_back(',');
      out += labels[i].first;
      out += "=\"";
      out += EscapeLabelValue(labels[i].second);
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  AppendNumber(out, value);
  out.push_back('\n');
}

std::string Registry::Render() const {
  std::vector<const Family<Counter>*> counters;
  std::vector<const Family<Gauge>*> gauges;
  std::vector<const Family<Histogram>*> histograms;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    MutexLock lock(mu_);
    for (const auto& f : counters_) counters.push_back(f.get());
    for (const auto& f : gauges_) gauges.push_back(f.get());
    for (const auto& f : histograms_) histograms.push_back(f.get());
    collectors = collectors_;
  }
  std::string out;
  out.reserve(8192);
  for (const auto* f : counters) {
    AppendMetricHeader(out, f->name(), "counter", f->help());
    f->ForEach([&](const std::vector<std::string>& labels, const Counter& c) {
      out += f->name();
      AppendLabels(out, f->label_names(), labels);
      out.push_back(' ');
      AppendNumber(out, static_cast<double>(c.value()));
      out.push_back('\n');
    });
  }
  for (const auto* f : gauges) {
    AppendMetricHeader(out, f->name(), "gauge", f->help());
    f->ForEach([&](const std::vector<std::string>& labels, const Gauge& g) {
      out += f->name();
      AppendLabels(out, f->label_names(), labels);
      out.push_back(' ');
      AppendNumber(out, g.value());
      out.push_back('\n');
    });
  }
  for (const auto* f : histograms) {
    AppendMetricHeader(out, f->name(), "histogram", f->help());
    f->ForEach([&](const std::vector<std::string>& labels, const Histogram& h) {
      uint64_t cum = 0;
      const auto& b = h.bounds();
      for (size_t i = 0; i <= b.size(); ++i) {
        cum += h.bucket(i);
        std::string le;
        if (i == b.size()) {
          le = "+Inf";
        } else {
          char buf[32];
          auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), b[i], std::chars_format::general);
          le.assign(buf, p);
        }
        out += f->name();
        out += "_bucket";
        AppendLabels(out, f->label_names(), labels, "le", le);
        out.push_back(' ');
        AppendNumber(out, static_cast<double>(cum));
        out.push_back('\n');
      }
      out += f->name();
      out += "_sum";
      AppendLabels(out, f->label_names(), labels);
      out.push_back(' ');
      AppendNumber(out, h.sum());
      out.push_back('\n');
      out += f->name();
      out += "_count";
      AppendLabels(out, f->label_names(), labels);
      out.push_back(' ');
      AppendNumber(out, static_cast<double>(cum));
      out.push_back('\n');
    });
  }
  for (const auto& c : collectors) c(out);
  return out;
}

double HistogramQuantile(const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                         double q) {
  uint64_t total = 0;
  for (uint64_t c : counts) total += c;
  if (total == 0) return 0;
  const double rank = q * static_cast<double>(total);
  uint64_t cum = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const uint64_t prev = cum;
    cum += counts[i];
    if (static_cast<double>(cum) >= rank && counts[i] > 0) {
      if (i >= bounds.size()) return bounds.empty() ? 0 : bounds.back();
      const double lo = i == 0 ? 0 : bounds[i - 1];
      const double hi = bounds[i];
      const double frac = (rank - static_cast<double>(prev)) / static_cast<double>(counts[i]);
      return lo + (hi - lo) * std::clamp(frac, 0.0, 1.0);
    }
  }
  return bounds.empty() ? 0 : bounds.back();
}

}  // namespace finex::server
