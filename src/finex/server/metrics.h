// A small Prometheus metrics registry: counters, gauges and histograms with
// bounded label sets, rendered in the text exposition format (version 0.0.4).
// Naming follows API.md "Metrics": finex_ prefix, base units, counters end in
// _total, histograms (not summaries) with sub-millisecond buckets.
//
// Cardinality is bounded twice: label names are fixed per family, and a family
// holds at most `max_series` label combinations; further combinations are
// folded into one series whose label values are all "other". Per-symbol
// figures never go here (they live in /v1/cache/stats).
//
// Thread-safety: every method is thread-safe. Recording is lock-free once a
// series exists (atomics); looking up a series takes a shared lock, creating
// one an exclusive lock. Ownership: the Registry owns its families; Family&
// and series references stay valid for the Registry's lifetime. Collectors
// are called under no lock of the registry and must be thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/mutex.h"

namespace finex::server {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Gauge {
 public:
  void Set(double v) { v_.store(v, std::memory_order_relaxed); }
  void Add(double d);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  // REQUIRES: bounds sorted ascending (upper bounds, seconds or bytes).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is +Inf).
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const {
    return static_cast<double>(sum_nano_.load(std::memory_order_relaxed)) * 1e-9;
  }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_nano_{0};  // sum in units of 1e-9
};

// Default latency buckets in seconds: 50µs .. 10s.
std::vector<double> LatencyBuckets();

// Orders label-value tuples; transparent so a lookup by string_views does not
// allocate.
struct LabelLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels, size_t max_series,
         std::function<std::unique_ptr<T>()> make)
      : name_(std::move(name)),
        help_(std::move(help)),
        labels_(std::move(labels)),
        max_series_(max_series),
        make_(std::move(make)) {}

  // The series for these label values (same count and order as the label
  // names). Creates it on first use.
  T& With(std::initializer_list<std::string_view> values);
  T& With(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return labels_; }
  // Calls fn(label_values, series) for every series, in label order.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  size_t max_series_;
  std::function<std::unique_ptr<T>()> make_;
  mutable SharedMutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>, LabelLess> series_ FINEX_GUARDED_BY(mu_);
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // REQUIRES: a valid, unused metric name ([a-zA-Z_:][a-zA-Z0-9_:]*).
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> labels = {}, size_t max_series = 500);
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {},
                          size_t max_series = 500);
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> labels, std::vector<double> bounds,
                                  size_t max_series = 500);

  // A collector appends complete exposition text (HELP/TYPE lines included)
  // at render time, for figures owned elsewhere (engine stats).
  void AddCollector(std::function<void(std::string& out)> fn);

  // The text exposition of every family and collector.
  std::string Render() const;

 private:
  mutable Mutex mu_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_ FINEX_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_ FINEX_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_ FINEX_GUARDED_BY(mu_);
  std::vector<std::function<void(std::string&)>> collectors_ FINEX_GUARDED_BY(mu_);
};

// Exposition helpers for collectors.
// Escapes a label value (backslash, quote, newline).
std::string EscapeLabelValue(std::string_view v);
// "# HELP name help\n# TYPE name type\n"
void AppendMetricHeader(std::string& out, std::string_view name, std::string_view type,
                        std::string_view help);
// name{l1="v1",...} value\n
void AppendSample(std::string& out, std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& labels, double value);

// Estimates the q-quantile (0..1) from cumulative histogram buckets by linear
// interpolation inside the bucket, like PromQL histogram_quantile. Returns 0
// for an empty histogram.
double HistogramQuantile(const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                         double q);

}  // namespace finex::server
