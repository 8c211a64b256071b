#include "finex/cache/validation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace finex::cache {

std::string_view BarIssueName(BarIssueKind kind) {
  switch (kind) {
    case BarIssueKind::kNonFinite:
      return "non_finite";
    case BarIssueKind::kNonPositivePrice:
      return "non_positive_price";
    case BarIssueKind::kPriceTooLarge:
      return "price_too_large";
    case BarIssueKind::kHighBelowBody:
      return "high_below_body";
    case BarIssueKind::kLowAboveBody:
      return "low_above_body";
    case BarIssueKind::kNegativeVolume:
      return "negative_volume";
    case BarIssueKind::kMisaligned:
      return "misaligned";
    case BarIssueKind::kInFuture:
      return "in_future";
    case BarIssueKind::kUnitJump:
      return "unit_jump";
    case BarIssueKind::kUnreportedSplit:
      return "unreported_split";
  }
  return "unknown";
}

bool IsSeriesIssue(BarIssueKind kind) {
  return kind == BarIssueKind::kUnitJump || kind == BarIssueKind::kUnreportedSplit;
}

std::string ValidationReport::Summary(size_t max_items) const {
  std::string out =
      std::to_string(issues.size()) + " issue(s) in " + std::to_string(rows_checked) + " bars";
  for (size_t i = 0; i < issues.size() && i < max_items; ++i) {
    out += i == 0 ? ": " : "; ";
    out += std::string(BarIssueName(issues[i].kind)) + " at " + FormatIsoUtc(issues[i].timestamp) +
           " (" + issues[i].detail + ")";
  }
  if (issues.size() > max_items) out += "; ...";
  return out;
}

namespace {

std::string Fmt(const char* fmt, double a, double b = 0, double c = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b, c);
  return buf;
}

// Intraday bars are anchored at session opens, which sit on half-hour
// boundaries on every exchange finex knows (09:30 New York, 08:00 London...),
// so a 1h bar may start at :30. Daily and longer bars are stamped 00:00 UTC.
bool Aligned(Timestamp ts, Interval iv) {
  if (!IsIntraday(iv)) return IsBarAligned(ts, iv);
  const Timestamp step = std::min<Timestamp>(NominalSeconds(iv), 1800);
  return FloorDiv(ts, step) * step == ts;
}

// Whether `ratio` is within tolerance of a typical split factor or its inverse.
bool SplitLike(double ratio, double tol, double* factor) {
  static constexpr double kFactors[] = {2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 50};
  const double r = ratio >= 1 ? ratio : 1.0 / ratio;
  for (double f : kFactors) {
    if (std::fabs(r - f) / f <= tol) {
      *factor = ratio >= 1 ? f : 1.0 / f;
      return true;
    }
  }
  return false;
}

}  // namespace

ValidationReport ValidateBars(const Frame& frame, Interval interval, Timestamp now,
                              std::span<const Timestamp> reported_splits,
                              const ValidationOptions& opts) {
  ValidationReport rep;
  rep.rows_checked = frame.rows();
  const bool has_ohlcv = frame.fields().Has(FieldSet::kOhlcv);
  auto add = [&](size_t row, BarIssueKind kind, std::string detail) {
    rep.issues.push_back({row, frame.timestamps()[row], kind, std::move(detail)});
    if (IsSeriesIssue(kind)) {
      rep.suspect_series = true;
    } else if (rep.bad_rows.empty() || rep.bad_rows.back() != row) {
      rep.bad_rows.push_back(row);
    }
  };
  for (size_t i = 0; i < frame.rows(); ++i) {
    const Timestamp ts = frame.timestamps()[i];
    if (!Aligned(ts, interval)) {
      add(i, BarIssueKind::kMisaligned,
          "timestamp " + FormatIsoUtc(ts) + " is not a " + std::string(IntervalName(interval)) +
              " boundary");
    }
    if (ts > now + opts.future_slack_s)
      add(i, BarIssueKind::kInFuture, "opens after now " + FormatIsoUtc(now));
    bool prices_ok = true;
    for (DoubleField f : {DoubleField::kOpen, DoubleField::kHigh, DoubleField::kLow,
                          DoubleField::kClose, DoubleField::kAdjClose}) {
      const auto v = frame.column(f).Get(i);
      if (!v) continue;
      const std::string name(DoubleFieldName(f));
      if (!std::isfinite(*v)) {
        add(i, BarIssueKind::kNonFinite, name + " is not finite");
        prices_ok = false;
      } else if (*v <= 0) {
        add(i, BarIssueKind::kNonPositivePrice, name + Fmt(" = %g", *v));
        prices_ok = false;
      } else if (*v > opts.max_price) {
        add(i, BarIssueKind::kPriceTooLarge, name + Fmt(" = %g above %g", *v, opts.max_price));
        prices_ok = false;
      }
    }
    if (has_ohlcv && prices_ok) {
      const auto o = frame.open().Get(i), h = frame.high().Get(i), l = frame.low().Get(i),
                 c = frame.close().Get(i);
      if (o && h && l && c) {
        const double body_hi = std::max(*o, *c), body_lo = std::min(*o, *c);
        // Providers round to float32 or a few decimals; allow 1e-6 relative.
        const double eps = 1e-6 * body_hi;
        if (*h + eps < body_hi || *h + eps < *l) {
          add(i, BarIssueKind::kHighBelowBody,
              Fmt("high %g below max(open, close) %g", *h, body_hi));
        }
        if (*l - eps > body_lo)
          add(i, BarIssueKind::kLowAboveBody, Fmt("low %g above min(open, close) %g", *l, body_lo));
      }
    }
    if (const auto v = frame.volume().Get(i); v && *v < 0) {
      add(i, BarIssueKind::kNegativeVolume, Fmt("volume %g", static_cast<double>(*v)));
    }
  }
  // Series level: consecutive valid closes.
  const DoubleColumn& close = frame.close();
  size_t prev = SIZE_MAX;
  for (size_t i = 0; i < frame.rows(); ++i) {
    const auto c = close.Get(i);
    if (!c || !std::isfinite(*c) || *c <= 0) continue;
    if (prev != SIZE_MAX) {
      const double p = close[prev];
      const double ratio = *c / p;
      double factor = 1;
      if (ratio >= opts.unit_jump_factor || ratio <= 1.0 / opts.unit_jump_factor) {
        add(i, BarIssueKind::kUnitJump, Fmt("close %g after %g (x%.4g)", *c, p, ratio));
      } else if (opts.detect_unreported_splits && SplitLike(ratio, opts.split_tolerance, &factor)) {
        const Timestamp day = FloorToBar(frame.timestamps()[i], Interval::k1d);
        const Timestamp prev_day = FloorToBar(frame.timestamps()[prev], Interval::k1d);
        const bool reported = std::any_of(reported_splits.begin(), reported_splits.end(),
                                          [&](Timestamp s) { return s > prev_day && s <= day; });
        if (!reported) {
          add(i, BarIssueKind::kUnreportedSplit,
              Fmt("close %g after %g looks like a 1:%.4g split nobody reported", *c, p,
                  1.0 / factor));
        }
      }
    }
    prev = i;
  }
  return rep;
}

FramePtr ApplyValidation(const FramePtr& frame, const ValidationReport& report,
                         const ValidationOptions& opts) {
  if (opts.policy == ValidationPolicy::kFlag || report.bad_rows.empty()) return frame;
  std::vector<FramePtr> parts;
  size_t start = 0;
  for (size_t bad : report.bad_rows) {
    if (bad > start) parts.push_back(frame->SliceRows(start, bad - start));
    start = bad + 1;
  }
  if (start < frame->rows()) parts.push_back(frame->SliceRows(start, frame->rows() - start));
  if (parts.empty()) return frame->SliceRows(0, 0);
  if (parts.size() == 1) return parts[0];
  return *Frame::Concat(parts);
}

}  // namespace finex::cache
