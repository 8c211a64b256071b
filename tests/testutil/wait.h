// WaitFor: wait on a condition, not on a guess of how long it takes.
//
//   ASSERT_TRUE(finex::testing::WaitFor([&] { return bus->subscribed(); }));
//   ASSERT_TRUE(WaitFor([&] { return t.degraded(); }, std::chrono::seconds(2)));
//
// Polls pred() (every ~1 ms, backing off to 10 ms) until it returns true or
// the timeout passes; returns pred()'s last value. The timeout is a ceiling
// for a broken build, not a tuning knob: a passing test returns as soon as the
// condition holds, so pick it generously (default 10 s; under a sanitizer or
// a loaded CI machine things are slow).
//
// A sleep that IS the thing tested (a TTL expiring on the real clock, a slow
// upstream for a timeout test) stays a sleep, with a comment saying so, and
// its test is labelled "timing" in CTest (finex_add_test(... LABELS timing)).
//
// Thread-safety: pred runs on the calling thread only.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

namespace finex::testing {

inline constexpr std::chrono::milliseconds kWaitForDefaultTimeout{10'000};

template <typename Pred>
bool WaitFor(Pred&& pred, std::chrono::milliseconds timeout = kWaitForDefaultTimeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto step = std::chrono::microseconds(1000);
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(step);
    step = std::min<std::chrono::microseconds>(step * 2, std::chrono::milliseconds(10));
  }
}

}  // namespace finex::testing
