// What the load benchmarks (server_bench, serve_load) report besides rates:
// CPU seconds, which unlike requests per second do not depend on what else the
// machine is running, and latency percentiles.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <vector>

namespace fixgate::bench {

// CPU used by the calling thread so far (to set a load generator's share apart).
inline double thread_cpu_seconds() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// CPU used by the whole process so far, user and system.
inline double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The p-quantile (0..1) of already sorted samples; 0 when there are none.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace fixgate::bench
