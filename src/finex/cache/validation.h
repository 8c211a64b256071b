// Data-quality validation of provider answers before they are stored
// (issue 7). Checks each bar and the series as a whole:
//   per bar:    finite values; high >= max(open, close) >= min(open, close) >= low;
//               prices > 0 and below a sanity ceiling; volume >= 0; timestamp
//               aligned to the interval; strictly increasing; not in the future.
//   per series: unit jumps (a run of bars ~100x off its neighbours: the
//               pence/pounds error Yahoo makes on .L listings) and unreported
//               splits (a close-to-close jump by a split-like factor with no
//               split reported by the provider for that date).
// Bar-level problems can be dropped (kReject) or kept and counted (kFlag);
// series-level problems mark the whole answer suspect: the cache must not
// store a suspect answer as good data (it is served once with a note, or
// refused, per policy) — never silently cached.
//
// Thread-safety: pure functions over immutable frames.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "finex/core/frame.h"
#include "finex/core/interval.h"
#include "finex/core/status.h"

namespace finex::cache {

enum class BarIssueKind : uint8_t {
  kNonFinite,         // NaN or infinity in a price
  kNonPositivePrice,  // price <= 0
  kPriceTooLarge,     // price above ValidationOptions::max_price
  kHighBelowBody,     // high < max(open, close) (or high < low)
  kLowAboveBody,      // low > min(open, close)
  kNegativeVolume,
  kMisaligned,       // timestamp not on a bar boundary of the interval
  kInFuture,         // bar opens after "now"
  kUnitJump,         // ~100x off its neighbours (series-level)
  kUnreportedSplit,  // split-like jump without a reported split (series-level)
};
std::string_view BarIssueName(BarIssueKind kind);
// Series-level issues make the whole answer suspect.
bool IsSeriesIssue(BarIssueKind kind);

struct BarIssue {
  size_t row = 0;
  Timestamp timestamp = 0;
  BarIssueKind kind = BarIssueKind::kNonFinite;
  std::string detail;  // human readable, names the values
};

enum class ValidationPolicy : uint8_t {
  kReject,  // drop bad bars; a suspect series is not stored (default)
  kFlag,    // keep everything, report and count
};

struct ValidationOptions {
  ValidationPolicy policy = ValidationPolicy::kReject;
  double max_price = 1e9;  // sanity ceiling; BRK-A trades near 1e6
  // A close more than this factor away from both neighbours' closes (or a run
  // of bars that is) counts as a unit jump. Default: 30 (catches 100x).
  double unit_jump_factor = 30.0;
  // Detect split-like jumps (factor within split_tolerance of 2, 3, 4, 5, 8,
  // 10, 20 or their inverses) between consecutive daily closes.
  bool detect_unreported_splits = true;
  double split_tolerance = 0.08;
  // Bars may open at most this many seconds after "now" (clock skew). Default 0.
  Timestamp future_slack_s = 0;
};

struct ValidationReport {
  size_t rows_checked = 0;
  std::vector<BarIssue> issues;
  bool suspect_series = false;  // any series-level issue
  // Rows (indices into the validated frame) with a bar-level issue.
  std::vector<size_t> bad_rows;
  bool clean() const { return issues.empty(); }
  std::string Summary(size_t max_items = 5) const;
};

// Validates one series (a frame holding one symbol). `reported_splits` are the
// split ex-dates (00:00 UTC of the trading date) the provider reported; jumps
// on those dates are expected. `now` bounds timestamps.
ValidationReport ValidateBars(const Frame& frame, Interval interval, Timestamp now,
                              std::span<const Timestamp> reported_splits = {},
                              const ValidationOptions& opts = {});

// Applies the policy: kReject returns the frame without bad_rows; kFlag returns
// it unchanged. Zero-copy when nothing is dropped.
FramePtr ApplyValidation(const FramePtr& frame, const ValidationReport& report,
                         const ValidationOptions& opts = {});

}  // namespace finex::cache
