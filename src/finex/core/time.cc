#include "finex/core/time.h"

#include <charconv>
#include <cstdio>

namespace finex {

int64_t DaysFromCivil(CivilDate d) {
  int64_t y = d.year;
  const int m = d.month;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

int WeekdayFromDays(int64_t z) { return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool IsValidCivil(CivilDate d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

namespace {

bool ParseFixedInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

Status BadTime(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return InvalidArgumentError(
      "time '" + shown + "' " + std::string(why) +
      " (expected YYYY-MM-DD, an ISO datetime with zone, or epoch seconds)");
}

}  // namespace

Result<Timestamp> ParseTime(std::string_view text, TimeBound bound) {
  if (text.empty()) return BadTime(text, "is empty");
  if (text.size() > 40) return BadTime(text, "is too long");
  // Epoch seconds: all digits (optionally negative).
  bool all_digits = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] >= '0' && text[i] <= '9') && !(i == 0 && text[i] == '-' && text.size() > 1)) {
      all_digits = false;
      break;
    }
  }
  if (all_digits && text.size() != 8) {  // 8 digits could be YYYYMMDD; not accepted
    int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
      return BadTime(text, "is out of range");
    // Reject milliseconds silently mistaken for seconds: year > 9999.
    if (v > 253402300799LL || v < -62135596800LL) return BadTime(text, "is out of range");
    return v;
  }
  CivilDate d;
  if (text.size() < 10 || !ParseFixedInt(text, 0, 4, &d.year) || text[4] != '-' ||
      !ParseFixedInt(text, 5, 2, &d.month) || text[7] != '-' ||
      !ParseFixedInt(text, 8, 2, &d.day)) {
    return BadTime(text, "is not a date");
  }
  if (!IsValidCivil(d)) return BadTime(text, "is not a valid calendar date");
  // Same span as epoch input (years 0001..9999).
  if (d.year < 1) return BadTime(text, "is out of range");
  const int64_t day_start = DaysFromCivil(d) * kSecondsPerDay;
  if (text.size() == 10) {
    return bound == TimeBound::kStart ? day_start : day_start + kSecondsPerDay - 1;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
    return BadTime(text, "has junk after the date");
  int hh = 0, mm = 0, ss = 0;
  if (!ParseFixedInt(text, 11, 2, &hh) || text.size() < 16 || text[13] != ':' ||
      !ParseFixedInt(text, 14, 2, &mm)) {
    return BadTime(text, "has a malformed time of day");
  }
  size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!ParseFixedInt(text, pos + 1, 2, &ss)) return BadTime(text, "has malformed seconds");
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const size_t frac_start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
      if (pos == frac_start) return BadTime(text, "has malformed fractional seconds");
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return BadTime(text, "has an invalid time of day");
  if (ss == 60) ss = 59;  // leap second: clamp into the same minute
  int64_t offset = 0;
  if (pos >= text.size()) return BadTime(text, "has no time zone (add Z or +HH:MM)");
  const char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    int oh = 0, om = 0;
    if (!ParseFixedInt(text, pos + 1, 2, &oh)) return BadTime(text, "has a malformed zone offset");
    size_t after = pos + 3;
    if (after < text.size() && text[after] == ':') ++after;
    if (!ParseFixedInt(text, after, 2, &om)) return BadTime(text, "has a malformed zone offset");
    if (oh > 14 || om > 59) return BadTime(text, "has an invalid zone offset");
    offset = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
    pos = after + 2;
  } else {
    return BadTime(text, "has a malformed zone");
  }
  if (pos != text.size()) return BadTime(text, "has trailing characters");
  return day_start + hh * 3600 + mm * 60 + ss - offset;
}

Result<Timestamp> ResolvePeriodStart(std::string_view period, Timestamp now) {
  const CivilDate today = CivilFromDays(DayOf(now));
  if (period == "max") return static_cast<Timestamp>(0);
  if (period == "ytd") return DaysFromCivil(CivilDate{today.year, 1, 1}) * kSecondsPerDay;
  size_t i = 0;
  int n = 0;
  while (i < period.size() && period[i] >= '0' && period[i] <= '9' && i < 4)
    n = n * 10 + (period[i++] - '0');
  const std::string_view unit = period.substr(i);
  if (i == 0 || n <= 0) {
    return InvalidArgumentError("period '" + std::string(period.substr(0, 32)) +
                                "' is not one of Nd, Nwk, Nmo, Ny, ytd, max")
        .WithParam("period");
  }
  auto months_back = [&](int months) -> Timestamp {
    int y = today.year, m = today.month - months;
    while (m <= 0) {
      m += 12;
      --y;
    }
    CivilDate d{y, m, std::min(today.day, DaysInMonth(y, m))};
    return DaysFromCivil(d) * kSecondsPerDay + (now - DayOf(now) * kSecondsPerDay);
  };
  if (unit == "d") return now - static_cast<Timestamp>(n) * kSecondsPerDay;
  if (unit == "wk" || unit == "w") return now - static_cast<Timestamp>(n) * 7 * kSecondsPerDay;
  if (unit == "mo") return months_back(n);
  if (unit == "y") return months_back(12 * n);
  return InvalidArgumentError("period '" + std::string(period.substr(0, 32)) +
                              "' is not one of Nd, Nwk, Nmo, Ny, ytd, max")
      .WithParam("period");
}

std::string FormatIsoUtc(Timestamp ts) {
  const int64_t day = DayOf(ts);
  const int64_t sod = ts - day * kSecondsPerDay;
  const CivilDate d = CivilFromDays(day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60));
  return buf;
}

std::string FormatDate(Timestamp ts) {
  const CivilDate d = CivilFromDays(DayOf(ts));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

}  // namespace finex
