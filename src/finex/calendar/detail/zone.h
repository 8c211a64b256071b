// Internal: a resolved IANA zone with fast UTC<->local conversion. Zones are
// looked up once and cached for the process lifetime (never freed).
//
// Thread-safety: Zone is immutable; FindZone is thread-safe.
#pragma once

#include <string_view>

#include "finex/core/status.h"
#include "finex/core/time.h"

namespace date {
class time_zone;
}

namespace finex::calendar::detail {

class Zone {
 public:
  // nullptr = UTC.
  explicit Zone(const date::time_zone* tz);
  // local - UTC, in seconds, at a UTC instant.
  int OffsetAt(Timestamp utc) const;
  // UTC instant of local seconds-since-epoch (civil). Gaps resolve to the
  // first instant after the gap; ambiguous times to the earlier instant.
  Timestamp FromLocalSeconds(Timestamp local) const;
  // Local seconds-since-epoch (civil) of a UTC instant.
  Timestamp ToLocalSeconds(Timestamp utc) const { return utc + OffsetAt(utc); }

 private:
  const date::time_zone* tz_;
};

// NotFound for an unknown zone. The pointer lives for the whole program.
Result<const Zone*> FindZone(std::string_view name);

}  // namespace finex::calendar::detail
