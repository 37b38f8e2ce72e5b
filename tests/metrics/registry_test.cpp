#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace fixgate::metrics {
namespace {

TEST(MetricsRegistry, CounterWithLabelsExposesExactText) {
  Registry registry;
  auto requests = registry.counter("http_requests_total", "Requests by route and status.", {"route", "status"});
  ASSERT_TRUE(requests.ok());
  (*requests)->with({"/v1/wiz", "202"}).inc();
  (*requests)->with({"/v1/wiz", "202"}).inc(2);
  (*requests)->with({"/v1/sns", "401"}).inc();
  EXPECT_EQ(registry.expose(),
            "# HELP http_requests_total Requests by route and status.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/v1/sns\",status=\"401\"} 1\n"
            "http_requests_total{route=\"/v1/wiz\",status=\"202\"} 3\n");
}

TEST(MetricsRegistry, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  auto family = registry.counter("odd_total", "Help with \\ and\nnewline.", {"v"});
  ASSERT_TRUE(family.ok());
  (*family)->with({"a\"b\\c\nd"}).inc();
  EXPECT_EQ(registry.expose(),
            "# HELP odd_total Help with \\\\ and\\nnewline.\n"
            "# TYPE odd_total counter\n"
            "odd_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, GaugeAndUnlabelledFamiliesSortByName) {
  Registry registry;
  auto ready = registry.gauge("z_ready", "1 when ready.");
  auto bytes = registry.counter("a_bytes_total", "Bytes.");
  ASSERT_TRUE(ready.ok());
  ASSERT_TRUE(bytes.ok());
  (*ready)->with({}).set(1);
  (*ready)->with({}).dec(0.5);
  (*bytes)->with({}).inc(1536);
  EXPECT_EQ(registry.expose(),
            "# HELP a_bytes_total Bytes.\n"
            "# TYPE a_bytes_total counter\n"
            "a_bytes_total 1536\n"
            "# HELP z_ready 1 when ready.\n"
            "# TYPE z_ready gauge\n"
            "z_ready 0.5\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInf) {
  Registry registry;
  auto latency = registry.histogram("enqueue_seconds", "Enqueue latency.", {0.005, 0.1, 1}, {"route"});
  ASSERT_TRUE(latency.ok());
  Histogram& h = (*latency)->with({"wiz"});
  h.observe(0.001);
  h.observe(0.005);  // on the bound: counted in le="0.005"
  h.observe(0.05);
  h.observe(7);
  EXPECT_EQ(registry.expose(),
            "# HELP enqueue_seconds Enqueue latency.\n"
            "# TYPE enqueue_seconds histogram\n"
            "enqueue_seconds_bucket{route=\"wiz\",le=\"0.005\"} 2\n"
            "enqueue_seconds_bucket{route=\"wiz\",le=\"0.1\"} 3\n"
            "enqueue_seconds_bucket{route=\"wiz\",le=\"1\"} 3\n"
            "enqueue_seconds_bucket{route=\"wiz\",le=\"+Inf\"} 4\n"
            "enqueue_seconds_sum{route=\"wiz\"} 7.056\n"
            "enqueue_seconds_count{route=\"wiz\"} 4\n");
}

TEST(MetricsRegistry, CounterIgnoresNegativeAndNaN) {
  Counter c;
  c.inc(2);
  c.inc(-1);
  c.inc(std::nan(""));
  EXPECT_EQ(c.value(), 2);
}

TEST(MetricsRegistry, RejectsBadRegistrations) {
  Registry registry;
  EXPECT_EQ(registry.counter("1bad", "x").error().code, "metrics.invalid_name");
  EXPECT_EQ(registry.counter("bad-name", "x").error().code, "metrics.invalid_name");
  EXPECT_EQ(registry.counter("ok_total", "x", {"__reserved"}).error().code, "metrics.invalid_label");
  EXPECT_EQ(registry.counter("ok_total", "x", {"a", "a"}).error().code, "metrics.invalid_label");
  EXPECT_EQ(registry.histogram("h", "x", {1}, {"le"}).error().code, "metrics.invalid_label");
  EXPECT_EQ(registry.histogram("h", "x", {}).error().code, "metrics.invalid_buckets");
  EXPECT_EQ(registry.histogram("h", "x", {1, 1}).error().code, "metrics.invalid_buckets");
  EXPECT_EQ(registry.histogram("h", "x", {1, std::numeric_limits<double>::infinity()}).error().code,
            "metrics.invalid_buckets");
  ASSERT_TRUE(registry.counter("taken_total", "x").ok());
  EXPECT_EQ(registry.gauge("taken_total", "x").error().code, "metrics.duplicate");
}

TEST(MetricsRegistry, FormatValue) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  auto family = registry.counter("c_total", "x", {"t"});
  auto hist = registry.histogram("h_seconds", "x", {1});
  ASSERT_TRUE(family.ok());
  ASSERT_TRUE(hist.ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        (*family)->with({"same"}).inc();
        (*hist)->with({}).observe(0.5);
        if (i % 1000 == 0) (void)registry.expose();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ((*family)->with({"same"}).value(), 40000);
  EXPECT_EQ((*hist)->with({}).snapshot().count, 40000u);
}

TEST(MetricsRegistryDeathTest, WrongLabelCountAborts) {
  Registry registry;
  auto family = registry.counter("c_total", "x", {"a", "b"});
  ASSERT_TRUE(family.ok());
  EXPECT_DEATH((*family)->with({"only-one"}), "c_total takes 2 label values");
}

}  // namespace
}  // namespace fixgate::metrics
