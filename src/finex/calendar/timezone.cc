#include "finex/calendar/timezone.h"

#include <date/tz.h>

#include <charconv>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "finex/calendar/detail/zone.h"
#include "finex/core/mutex.h"

namespace finex::calendar {
namespace detail {
namespace {

// The system tzdata files (Debian ships the "fat" TZif form) carry explicit
// transitions only up to 2037; date/tz in USE_OS_TZDB mode does not apply
// the POSIX footer rule beyond that, so it would report standard time all
// year. Instants at or after kTableEnd are shifted back by whole 28-year
// Gregorian cycles (10227 days: weekdays and leap years repeat inside
// 1901..2099), which reproduces the last rules in force. Valid to 2099.
constexpr Timestamp kTableEnd = 2114380800;  // 2037-01-01T00:00:00Z
constexpr Timestamp kCycle = 10227 * kSecondsPerDay;

Timestamp CycleShift(Timestamp t) {
  if (t < kTableEnd) return 0;
  return ((t - kTableEnd) / kCycle + 1) * kCycle;
}

}  // namespace

Zone::Zone(const date::time_zone* tz) : tz_(tz) {}

int Zone::OffsetAt(Timestamp utc) const {
  if (tz_ == nullptr) return 0;
  Timestamp shift = CycleShift(utc);
  date::sys_info info = tz_->get_info(date::sys_seconds{std::chrono::seconds{utc - shift}});
  return static_cast<int>(info.offset.count());
}

Timestamp Zone::FromLocalSeconds(Timestamp local) const {
  if (tz_ == nullptr) return local;
  Timestamp shift = CycleShift(local);
  date::local_info li = tz_->get_info(date::local_seconds{std::chrono::seconds{local - shift}});
  Timestamp out;
  switch (li.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the earlier instant uses the first offset
      out = local - shift - li.first.offset.count();
      break;
    case date::local_info::nonexistent:  // the first instant after the gap
    default:
      out = li.first.end.time_since_epoch().count();
      break;
  }
  return out + shift;
}

namespace {

// Heterogeneous lookup: no std::string is built on the (hot) hit path.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

Result<const Zone*> FindZone(std::string_view name) {
  // Zones are never removed, so pointers handed out stay valid for the
  // program's lifetime; the map is intentionally leaked.
  static SharedMutex mu;
  static auto* zones =
      new std::unordered_map<std::string, std::unique_ptr<Zone>, NameHash, std::equal_to<>>();
  {
    ReaderLock lock(mu);
    auto it = zones->find(name);
    if (it != zones->end()) return static_cast<const Zone*>(it->second.get());
  }
  std::unique_ptr<Zone> zone;
  if (name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Z") {
    zone = std::make_unique<Zone>(nullptr);
  } else {
    try {
      zone = std::make_unique<Zone>(date::locate_zone(name));
    } catch (const std::exception& e) {
      return NotFoundError("unknown time zone '" + std::string(name) + "'");
    }
  }
  WriterLock lock(mu);
  auto [it, inserted] = zones->emplace(std::string(name), std::move(zone));
  return static_cast<const Zone*>(it->second.get());
}

}  // namespace detail

Result<LocalTime> ToLocal(std::string_view tz, Timestamp utc) {
  FINEX_ASSIGN_OR_RETURN(const detail::Zone* zone, detail::FindZone(tz));
  LocalTime out;
  out.utc_offset_s = zone->OffsetAt(utc);
  Timestamp local = utc + out.utc_offset_s;
  out.date = CivilFromDays(DayOf(local));
  out.seconds_of_day = static_cast<int>(local - DayOf(local) * kSecondsPerDay);
  return out;
}

Result<Timestamp> FromLocal(std::string_view tz, CivilDate date, int seconds_of_day) {
  FINEX_ASSIGN_OR_RETURN(const detail::Zone* zone, detail::FindZone(tz));
  if (!IsValidCivil(date)) {
    return InvalidArgumentError("invalid civil date " + std::to_string(date.year) + "-" +
                                std::to_string(date.month) + "-" + std::to_string(date.day));
  }
  if (seconds_of_day < 0 || seconds_of_day > kSecondsPerDay) {
    return InvalidArgumentError("seconds_of_day " + std::to_string(seconds_of_day) +
                                " is outside 0..86400");
  }
  return zone->FromLocalSeconds(DaysFromCivil(date) * kSecondsPerDay + seconds_of_day);
}

namespace {

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<Timestamp> ParseLocal(std::string_view tz, std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("cannot parse local time '" + std::string(text) +
                                "': " + std::string(why) +
                                " (expected 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM[:SS]')");
  };
  std::string_view t = text;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\n'))
    t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') return bad("malformed date");
  CivilDate d;
  if (!ParseInt(t.substr(0, 4), &d.year) || !ParseInt(t.substr(5, 2), &d.month) ||
      !ParseInt(t.substr(8, 2), &d.day)) {
    return bad("malformed date");
  }
  if (!IsValidCivil(d)) return bad("no such date");
  int secs = 0;
  if (t.size() > 10) {
    if (t[10] != ' ' && t[10] != 'T') return bad("expected a space or 'T' after the date");
    std::string_view hms = t.substr(11);
    int h = 0, m = 0, s = 0;
    if (hms.size() != 5 && hms.size() != 8) return bad("malformed time of day");
    if (hms[2] != ':' || !ParseInt(hms.substr(0, 2), &h) || !ParseInt(hms.substr(3, 2), &m)) {
      return bad("malformed time of day");
    }
    if (hms.size() == 8 && (hms[5] != ':' || !ParseInt(hms.substr(6, 2), &s))) {
      return bad("malformed seconds");
    }
    if (h > 23 || m > 59 || s > 59) return bad("time of day out of range");
    secs = h * 3600 + m * 60 + s;
  }
  return FromLocal(tz, d, secs);
}

}  // namespace finex::calendar
