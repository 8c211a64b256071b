#include "finex/server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace finex::server {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersTextExposition) {
  Registry r;
  auto& c = r.AddCounter("finex_test_total", "A test counter.", {"route", "code"});
  c.With({"/v1/quote", "200"}).Inc(3);
  auto& g = r.AddGauge("finex_test_bytes", "A gauge.");
  g.With({}).Set(42.5);
  auto& h = r.AddHistogram("finex_test_seconds", "A histogram.", {"route"}, {0.001, 0.01});
  h.With({"/x"}).Observe(0.0005);
  h.With({"/x"}).Observe(0.005);
  h.With({"/x"}).Observe(1);
  const std::string t = r.Render();
  EXPECT_THAT(
      t, HasSubstr("# HELP finex_test_total A test counter.\n# TYPE finex_test_total counter\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_total{route=\"/v1/quote\",code=\"200\"} 3\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_bytes 42.5\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_seconds_bucket{route=\"/x\",le=\"0.001\"} 1\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_seconds_bucket{route=\"/x\",le=\"0.01\"} 2\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_seconds_count{route=\"/x\"} 3\n"));
  EXPECT_THAT(t, HasSubstr("finex_test_seconds_sum{route=\"/x\"} 1.0055"));
}

TEST(Metrics, LabelValuesAreEscapedAndCardinalityBounded) {
  Registry r;
  auto& c = r.AddCounter("finex_x_total", "x", {"l"}, /*max_series=*/3);
  c.With({"a\"b\\c\nd"}).Inc();
  for (int i = 0; i < 100; ++i) c.With({std::to_string(i)}).Inc();
  const std::string t = r.Render();
  EXPECT_THAT(t, HasSubstr("finex_x_total{l=\"a\\\"b\\\\c\\nd\"} 1"));
  EXPECT_THAT(t, HasSubstr("finex_x_total{l=\"other\"} 98"));
  int lines = 0;
  for (char ch : t) lines += ch == '\n';
  EXPECT_EQ(lines, 2 + 4);
}

TEST(Metrics, ConcurrentRecordingIsExact) {
  Registry r;
  auto& c = r.AddCounter("finex_y_total", "y", {"t"});
  auto& h = r.AddHistogram("finex_y_seconds", "y", {}, LatencyBuckets());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.With({t % 2 ? "a" : "b"}).Inc();
        h.With({}).Observe(0.0002);
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.With({"a"}).value() + c.With({"b"}).value(), 40000u);
  EXPECT_EQ(h.With({}).count(), 40000u);
}

TEST(Metrics, HistogramQuantileInterpolates) {
  const std::vector<double> b = {0.001, 0.002, 0.004};
  EXPECT_DOUBLE_EQ(HistogramQuantile(b, {0, 10, 0, 0}, 0.5), 0.0015);
  EXPECT_DOUBLE_EQ(HistogramQuantile(b, {0, 0, 0, 0}, 0.5), 0);
  EXPECT_DOUBLE_EQ(HistogramQuantile(b, {0, 0, 0, 5}, 0.99), 0.004);
}

}  // namespace
}  // namespace finex::server
