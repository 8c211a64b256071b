// Holiday and session rules of each exchange. Every rule cites what it
// encodes; the sources of truth are listed in calendar.h ("Sources").
#include <algorithm>
#include <initializer_list>
#include <vector>

#include "finex/calendar/detail/exchange_calendar.h"

namespace finex::calendar::detail {
namespace {

constexpr int kSun = 0, kMon = 1, kTue = 2, kWed = 3, kThu = 4, kFri = 5, kSat = 6;

constexpr int Hm(int h, int m) { return h * 3600 + m * 60; }

int64_t D(int y, int m, int d) { return DaysFromCivil({y, m, d}); }
int Wd(int64_t day) { return WeekdayFromDays(day); }
bool IsWeekend(int64_t day) { return Wd(day) == kSun || Wd(day) == kSat; }

// Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
int64_t EasterSunday(int y) {
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;
  return D(y, month, day);
}

// The n-th `wd` of the month (n >= 1), or the last one (n == -1).
int64_t NthWeekday(int y, int m, int wd, int n) {
  if (n > 0) {
    int64_t first = D(y, m, 1);
    return first + (wd - Wd(first) + 7) % 7 + 7 * (n - 1);
  }
  int64_t last = D(y, m, DaysInMonth(y, m));
  return last - (Wd(last) - wd + 7) % 7;
}

// Saturday -> Friday, Sunday -> Monday (US "nearest workday").
int64_t NearestWeekday(int64_t day) {
  if (Wd(day) == kSat) return day - 1;
  if (Wd(day) == kSun) return day + 1;
  return day;
}

// Saturday/Sunday -> the following Monday (UK/AU "substitute day").
int64_t NextMondayIfWeekend(int64_t day) {
  if (Wd(day) == kSat) return day + 2;
  if (Wd(day) == kSun) return day + 1;
  return day;
}

void CloseAll(YearHolidays* h, int y, std::initializer_list<std::pair<int, int>> md) {
  for (auto [m, d] : md) h->Close(D(y, m, d));
}

// Christmas Day and Boxing Day with UK/Australian substitute days: a
// weekend holiday moves to the next weekday not already taken.
void CloseChristmasAndBoxingDay(int y, YearHolidays* h) {
  const int64_t xmas = D(y, 12, 25);
  int64_t first = NextMondayIfWeekend(xmas);
  int64_t second = NextMondayIfWeekend(xmas + 1);
  if (second <= first) second = first + 1;
  h->Close(first);
  h->Close(second);
}

// ---------------------------------------------------------------- NYSE/NASDAQ

Hours UsHours(int64_t day) {
  // 10:00-15:30 until 1974-09-30, 10:00-16:00 until 1985-09-27, then
  // 09:30-16:00 (NYSE history of trading hours).
  if (day < D(1974, 10, 1)) return {Hm(10, 0), Hm(15, 30)};
  if (day < D(1985, 9, 30)) return {Hm(10, 0), Hm(16, 0)};
  return {Hm(9, 30), Hm(16, 0)};
}

void UsHolidays(int y, YearHolidays* h) {
  // New Year's Day: Sunday -> Monday; a Saturday New Year is not observed
  // on Friday Dec 31 (NYSE Rule 7.2: the Friday would close a fiscal year).
  int64_t ny = D(y, 1, 1);
  if (Wd(ny) == kSun) h->Close(ny + 1);
  if (!IsWeekend(ny)) h->Close(ny);
  if (y >= 1998) h->Close(NthWeekday(y, 1, kMon, 3));  // Martin Luther King Jr. Day
  // Washington's Birthday: Feb 22 (nearest weekday) until 1970, then the
  // third Monday of February (Uniform Monday Holiday Act).
  h->Close(y >= 1971 ? NthWeekday(y, 2, kMon, 3) : NearestWeekday(D(y, 2, 22)));
  // Good Friday.
  h->Close(EasterSunday(y) - 2);
  // Memorial Day: May 30 (nearest weekday) until 1970, then the last Monday.
  h->Close(y >= 1971 ? NthWeekday(y, 5, kMon, -1) : NearestWeekday(D(y, 5, 30)));
  // Juneteenth National Independence Day, observed since 2022.
  if (y >= 2022) h->Close(NearestWeekday(D(y, 6, 19)));
  const int64_t july4 = D(y, 7, 4);
  h->Close(NearestWeekday(july4));
  // Labor Day.
  h->Close(NthWeekday(y, 9, kMon, 1));
  // Presidential Election Days (closed through 1980).
  if (y == 1972 || y == 1976 || y == 1980) h->Close(NthWeekday(y, 11, kMon, 1) + 1);
  const int64_t thanksgiving = NthWeekday(y, 11, kThu, 4);
  h->Close(thanksgiving);
  h->Close(NearestWeekday(D(y, 12, 25)));  // Christmas

  // Special closures (NYSE "closings" history).
  struct Closure {
    int y, m, d;
    const char* why;
  };
  static constexpr Closure kClosures[] = {
      {1972, 12, 28, "Truman funeral"},        {1973, 1, 25, "L. B. Johnson funeral"},
      {1977, 7, 14, "New York City blackout"}, {1985, 9, 27, "Hurricane Gloria"},
      {1994, 4, 27, "Nixon funeral"},          {2001, 9, 11, "September 11 attacks"},
      {2001, 9, 12, "September 11 attacks"},   {2001, 9, 13, "September 11 attacks"},
      {2001, 9, 14, "September 11 attacks"},   {2004, 6, 11, "Reagan day of mourning"},
      {2007, 1, 2, "Ford day of mourning"},    {2012, 10, 29, "Hurricane Sandy"},
      {2012, 10, 30, "Hurricane Sandy"},       {2018, 12, 5, "G. H. W. Bush day of mourning"},
      {2025, 1, 9, "Carter day of mourning"},
  };
  for (const Closure& c : kClosures) {
    if (c.y == y) h->Close(D(c.y, c.m, c.d));
  }

  // Early closes (13:00 unless noted).
  const int k13 = Hm(13, 0), k14 = Hm(14, 0);
  // Day after Thanksgiving: 14:00 in 1992, 13:00 since 1993.
  if (y == 1992) h->Early(thanksgiving + 1, k14);
  if (y >= 1993) h->Early(thanksgiving + 1, k13);
  // Independence Day: July 3 when it is a Monday, Tuesday or Thursday (since
  // 1995); when July 4 is a Thursday, Friday July 5 closed early 1996-2012
  // and Wednesday July 3 has since 2013.
  const int wd4 = Wd(july4);
  if (y >= 1995 && (wd4 == kTue || wd4 == kWed || wd4 == kFri)) h->Early(july4 - 1, k13);
  if (y >= 1996 && y <= 2012 && wd4 == kThu) h->Early(july4 + 1, k13);
  if (y >= 2013 && wd4 == kThu) h->Early(july4 - 1, k13);
  // Christmas Eve: 14:00 in 1990-1992, 13:00 in 1996-1998 and every Monday
  // to Thursday Christmas Eve since 1999 (a Friday Dec 24 is the observed
  // Christmas holiday).
  const int64_t xmas_eve = D(y, 12, 24);
  if (y >= 1990 && y <= 1992 && !IsWeekend(xmas_eve)) h->Early(xmas_eve, k14);
  if (y >= 1996 && y <= 1998 && !IsWeekend(xmas_eve)) h->Early(xmas_eve, k13);
  if (y >= 1999 && Wd(xmas_eve) >= kMon && Wd(xmas_eve) <= kThu) h->Early(xmas_eve, k13);
  if (y == 1997 || y == 2003) h->Early(D(y, 12, 26), k13);  // Friday after Christmas
}

// ---------------------------------------------------------------- LSE

Hours LonHours(int64_t) { return {Hm(8, 0), Hm(16, 30)}; }

void LonHolidays(int y, YearHolidays* h) {
  // England & Wales bank holidays (Banking and Financial Dealings Act 1971
  // plus royal proclamations); substitute days move weekend holidays forward.
  h->Close(NextMondayIfWeekend(D(y, 1, 1)));
  const int64_t easter = EasterSunday(y);
  h->Close(easter - 2);  // Good Friday
  h->Close(easter + 1);  // Easter Monday
  if (y == 1995 || y == 2020) {
    h->Close(D(y, 5, 8));  // Early May holiday moved to VE Day (50th/75th)
  } else if (y >= 1978) {
    h->Close(NthWeekday(y, 5, kMon, 1));
  }
  if (y == 2002) {
    CloseAll(h, y, {{6, 3}, {6, 4}});  // Golden Jubilee
  } else if (y == 2012) {
    CloseAll(h, y, {{6, 4}, {6, 5}});  // Diamond Jubilee
  } else if (y == 2022) {
    CloseAll(h, y, {{6, 2}, {6, 3}});  // Platinum Jubilee
  } else {
    h->Close(NthWeekday(y, 5, kMon, -1));  // Spring bank holiday
  }
  h->Close(NthWeekday(y, 8, kMon, -1));  // Summer bank holiday
  CloseChristmasAndBoxingDay(y, h);
  if (y == 1999) h->Close(D(1999, 12, 31));  // Millennium
  if (y == 2011) h->Close(D(2011, 4, 29));   // Royal wedding
  if (y == 2022) h->Close(D(2022, 9, 19));   // State funeral of Queen Elizabeth II
  if (y == 2023) h->Close(D(2023, 5, 8));    // Coronation of King Charles III
  // Half days: Christmas Eve and New Year's Eve close at 12:30.
  for (int64_t d : {D(y, 12, 24), D(y, 12, 31)}) {
    if (!IsWeekend(d)) h->Early(d, Hm(12, 30));
  }
}

// ---------------------------------------------------------------- Xetra

Hours XetrHours(int64_t) { return {Hm(9, 0), Hm(17, 30)}; }

void XetrHolidays(int y, YearHolidays* h) {
  // Frankfurt Stock Exchange (FWB) trading calendars: New Year, Good
  // Friday, Easter Monday, Labour Day, Christmas Eve, Christmas, Boxing Day,
  // New Year's Eve. Whit Monday was a non-trading day 2015-2021 and German
  // Unity Day 2014-2021 (published FWB calendars 2016, 2017, 2020, 2021);
  // both trade again since 2022. Reformation Day 2017 (500th anniversary)
  // was closed. Ascension and Corpus Christi always trade.
  const int64_t easter = EasterSunday(y);
  CloseAll(h, y, {{1, 1}, {5, 1}, {12, 24}, {12, 25}, {12, 26}, {12, 31}});
  h->Close(easter - 2);
  h->Close(easter + 1);
  if (y >= 2015 && y <= 2021) h->Close(easter + 50);  // Whit Monday
  if (y >= 2014 && y <= 2021) h->Close(D(y, 10, 3));  // German Unity Day
  if (y == 2017) h->Close(D(2017, 10, 31));           // Reformation Day
}

// ---------------------------------------------------------------- Euronext

Hours XparHours(int64_t) { return {Hm(9, 0), Hm(17, 30)}; }

void XparHolidays(int y, YearHolidays* h) {
  // Euronext harmonised calendar (TARGET-like): New Year, Good Friday,
  // Easter Monday, Labour Day, Christmas, Boxing Day. Christmas Eve and New
  // Year's Eve are half days closing at 14:05 CET.
  const int64_t easter = EasterSunday(y);
  CloseAll(h, y, {{1, 1}, {5, 1}, {12, 25}, {12, 26}});
  h->Close(easter - 2);
  h->Close(easter + 1);
  for (int64_t d : {D(y, 12, 24), D(y, 12, 31)}) {
    if (!IsWeekend(d)) h->Early(d, Hm(14, 5));
  }
}

// ---------------------------------------------------------------- TSE

Hours XtksHours(int64_t day) {
  // Morning 09:00-11:30, afternoon 12:30-15:00; the morning session ended at
  // 11:00 until 2011-11-18 and the close moved to 15:30 on 2024-11-05
  // (arrowhead renewal).
  int close = day >= D(2024, 11, 5) ? Hm(15, 30) : Hm(15, 0);
  int lunch = day >= D(2011, 11, 21) ? Hm(11, 30) : Hm(11, 0);
  return {Hm(9, 0), close, lunch, Hm(12, 30)};
}

// Equinox days per the National Astronomical Observatory approximation,
// valid 1980-2099.
int VernalEquinoxDay(int y) {
  return static_cast<int>(20.8431 + 0.242194 * (y - 1980)) - (y - 1980) / 4;
}
int AutumnalEquinoxDay(int y) {
  return static_cast<int>(23.2488 + 0.242194 * (y - 1980)) - (y - 1980) / 4;
}

void XtksHolidays(int y, YearHolidays* h) {
  // Japanese national holidays (Act on National Holidays, with the 2000 and
  // 2003 "Happy Monday" moves and the 2019-2021 one-off changes) plus the
  // exchange's year-end closure Dec 31 - Jan 3.
  std::vector<int64_t> nat;
  auto add = [&](int64_t d) { nat.push_back(d); };
  add(D(y, 1, 1));
  add(y >= 2000 ? NthWeekday(y, 1, kMon, 2) : D(y, 1, 15));  // Coming of Age Day
  add(D(y, 2, 11));                                          // National Foundation Day
  if (y >= 2020) add(D(y, 2, 23));                           // Emperor's Birthday (Naruhito)
  if (y >= 1980) add(D(y, 3, VernalEquinoxDay(y)));
  add(D(y, 4, 29));                // Showa Day / Greenery Day
  add(D(y, 5, 3));                 // Constitution Memorial Day
  if (y >= 1988) add(D(y, 5, 4));  // Greenery Day / citizens' holiday
  add(D(y, 5, 5));                 // Children's Day
  if (y == 2020) {
    add(D(y, 7, 23));  // Marine Day (Olympics)
  } else if (y == 2021) {
    add(D(y, 7, 22));
  } else if (y >= 2003) {
    add(NthWeekday(y, 7, kMon, 3));
  } else if (y >= 1996) {
    add(D(y, 7, 20));
  }
  if (y == 2020) {
    add(D(y, 8, 10));  // Mountain Day (Olympics)
  } else if (y == 2021) {
    add(D(y, 8, 8));
  } else if (y >= 2016) {
    add(D(y, 8, 11));
  }
  add(y >= 2003 ? NthWeekday(y, 9, kMon, 3) : D(y, 9, 15));  // Respect for the Aged Day
  if (y >= 1980) add(D(y, 9, AutumnalEquinoxDay(y)));
  if (y == 2020) {
    add(D(y, 7, 24));  // Sports Day (Olympics)
  } else if (y == 2021) {
    add(D(y, 7, 23));
  } else if (y >= 2000) {
    add(NthWeekday(y, 10, kMon, 2));
  } else {
    add(D(y, 10, 10));
  }
  add(D(y, 11, 3));                               // Culture Day
  add(D(y, 11, 23));                              // Labour Thanksgiving Day
  if (y >= 1989 && y <= 2018) add(D(y, 12, 23));  // Emperor's Birthday (Akihito)
  if (y == 2019) {                                // Accession of Naruhito
    add(D(y, 4, 30));
    add(D(y, 5, 1));
    add(D(y, 5, 2));
    add(D(y, 10, 22));
  }
  std::sort(nat.begin(), nat.end());
  auto is_hol = [&](int64_t d) { return std::binary_search(nat.begin(), nat.end(), d); };
  std::vector<int64_t> extra;
  for (int64_t d : nat) {
    // Substitute holiday: a Sunday holiday moves to the next non-holiday day.
    if (Wd(d) == kSun) {
      int64_t s = d + 1;
      while (is_hol(s)) ++s;
      extra.push_back(s);
    }
    // Citizens' holiday: a day sandwiched between two holidays (since 1988).
    if (y >= 1988 && is_hol(d + 2) && !is_hol(d + 1) && Wd(d + 1) != kSun) extra.push_back(d + 1);
  }
  for (int64_t d : nat) h->Close(d);
  for (int64_t d : extra) h->Close(d);
  CloseAll(h, y, {{1, 2}, {1, 3}, {12, 31}});  // exchange year-end holidays
  if (y == 2020) h->Close(D(2020, 10, 1));     // arrowhead system failure: no trading
}

// ---------------------------------------------------------------- HKEX

Hours XhkgHours(int64_t day) {
  // 09:30-12:00 and 13:00-16:00 since 2012-03-05 (previously 10:00-12:30,
  // 14:30-16:00 until 2011-03-06, then 09:30-12:00, 13:30-16:00).
  if (day >= D(2012, 3, 5)) return {Hm(9, 30), Hm(16, 0), Hm(12, 0), Hm(13, 0)};
  if (day >= D(2011, 3, 7)) return {Hm(9, 30), Hm(16, 0), Hm(12, 0), Hm(13, 30)};
  return {Hm(10, 0), Hm(16, 0), Hm(12, 30), Hm(14, 30)};
}

// Lunar and solar-term holidays of Hong Kong, from the HKSAR government
// gazette (General Holidays): day 1 of Lunar New Year, Ching Ming, Buddha's
// Birthday, Tuen Ng, Mid-Autumn (the holiday is the day after), Chung Yeung.
struct HkLunar {
  int year;
  int lny_m, lny_d, ching_ming_d, buddha_m, buddha_d, tuen_ng_m, tuen_ng_d, mid_autumn_m,
      mid_autumn_d, chung_yeung_m, chung_yeung_d;
};
constexpr HkLunar kHkLunar[] = {
    {2010, 2, 14, 5, 5, 21, 6, 16, 9, 22, 10, 16}, {2011, 2, 3, 5, 5, 10, 6, 6, 9, 12, 10, 5},
    {2012, 1, 23, 4, 4, 28, 6, 23, 9, 30, 10, 23}, {2013, 2, 10, 4, 5, 17, 6, 12, 9, 19, 10, 13},
    {2014, 1, 31, 5, 5, 6, 6, 2, 9, 8, 10, 2},     {2015, 2, 19, 5, 5, 25, 6, 20, 9, 27, 10, 21},
    {2016, 2, 8, 4, 5, 14, 6, 9, 9, 15, 10, 9},    {2017, 1, 28, 4, 5, 3, 5, 30, 10, 4, 10, 28},
    {2018, 2, 16, 5, 5, 22, 6, 18, 9, 24, 10, 17}, {2019, 2, 5, 5, 5, 12, 6, 7, 9, 13, 10, 7},
    {2020, 1, 25, 4, 4, 30, 6, 25, 10, 1, 10, 25}, {2021, 2, 12, 4, 5, 19, 6, 14, 9, 21, 10, 14},
    {2022, 2, 1, 5, 5, 8, 6, 3, 9, 10, 10, 4},     {2023, 1, 22, 5, 5, 26, 6, 22, 9, 29, 10, 23},
    {2024, 2, 10, 4, 5, 15, 6, 10, 9, 17, 10, 11}, {2025, 1, 29, 4, 5, 5, 5, 31, 10, 6, 10, 29},
    {2026, 2, 17, 5, 5, 24, 6, 19, 9, 25, 10, 18}, {2027, 2, 6, 5, 5, 13, 6, 9, 9, 15, 10, 8},
    {2028, 1, 26, 4, 5, 2, 5, 28, 10, 3, 10, 26},
};

void XhkgHolidays(int y, YearHolidays* h) {
  // Lunar holidays are tabulated for 2010-2028 only (outside that range only
  // the solar holidays apply). A Sunday holiday moves to the next day that
  // is not a holiday; Saturday holidays are not substituted.
  const HkLunar* lunar = nullptr;
  for (const HkLunar& l : kHkLunar) {
    if (l.year == y) lunar = &l;
  }
  std::vector<int64_t> hol;
  auto is_hol = [&](int64_t d) { return std::find(hol.begin(), hol.end(), d) != hol.end(); };
  // A holiday falling on another holiday moves to the next free day.
  auto add = [&](int64_t d) {
    while (is_hol(d)) ++d;
    hol.push_back(d);
  };
  const int64_t easter = EasterSunday(y);
  add(D(y, 1, 1));
  add(easter - 2);  // Good Friday
  add(easter - 1);  // the day following Good Friday (a Saturday)
  add(easter + 1);  // Easter Monday
  add(D(y, 5, 1));
  if (y >= 1997) add(D(y, 7, 1));  // HKSAR Establishment Day
  add(D(y, 10, 1));                // National Day
  const int64_t xmas = D(y, 12, 25);
  add(xmas);
  // "The first weekday after Christmas Day" (a Saturday counts as a weekday).
  add(Wd(xmas + 1) == kSun ? xmas + 2 : xmas + 1);
  int64_t lny = 0;
  if (lunar != nullptr) {
    lny = D(y, lunar->lny_m, lunar->lny_d);
    add(lny);
    add(lny + 1);
    add(lny + 2);
    add(D(y, 4, lunar->ching_ming_d));
    add(D(y, lunar->buddha_m, lunar->buddha_d));
    add(D(y, lunar->tuen_ng_m, lunar->tuen_ng_d));
    add(D(y, lunar->mid_autumn_m, lunar->mid_autumn_d) + 1);
    add(D(y, lunar->chung_yeung_m, lunar->chung_yeung_d));
  }
  if (y == 2015) add(D(2015, 9, 3));  // 70th anniversary of the War of Resistance
  std::sort(hol.begin(), hol.end());
  std::vector<int64_t> all = hol;
  for (int64_t d : hol) {
    if (Wd(d) != kSun) continue;
    int64_t s = d + 1;
    while (std::find(all.begin(), all.end(), s) != all.end() || Wd(s) == kSun) ++s;
    all.push_back(s);
  }
  for (int64_t d : all) h->Close(d);
  // Half days (morning session only): the eves of Christmas, New Year and
  // Lunar New Year when they are weekdays.
  for (int64_t d : {D(y, 12, 24), D(y, 12, 31)}) {
    if (!IsWeekend(d)) h->Early(d, Hm(12, 0));
  }
  if (lny != 0 && !IsWeekend(lny - 1)) h->Early(lny - 1, Hm(12, 0));
}

// ---------------------------------------------------------------- ASX

Hours XasxHours(int64_t) { return {Hm(10, 0), Hm(16, 0)}; }

void XasxHolidays(int y, YearHolidays* h) {
  // ASX trading calendar (NSW public holidays the exchange observes).
  h->Close(NextMondayIfWeekend(D(y, 1, 1)));
  h->Close(NextMondayIfWeekend(D(y, 1, 26)));  // Australia Day
  const int64_t easter = EasterSunday(y);
  h->Close(easter - 2);
  h->Close(easter + 1);
  h->Close(D(y, 4, 25));                // Anzac Day (not substituted)
  h->Close(NthWeekday(y, 6, kMon, 2));  // King's/Queen's Birthday
  CloseChristmasAndBoxingDay(y, h);
  if (y == 2022) h->Close(D(2022, 9, 22));  // National Day of Mourning (Elizabeth II)
  // Early close 14:10 on the last trading day before Christmas and on the
  // last trading day of the year (Dec 24 / Dec 31, or the Friday before
  // when those fall on a weekend).
  for (int64_t d : {D(y, 12, 24), D(y, 12, 31)}) {
    while (IsWeekend(d) || std::find(h->closed.begin(), h->closed.end(), d) != h->closed.end()) {
      --d;
    }
    h->Early(d, Hm(14, 10));
  }
}

}  // namespace

const ExchangeSpec& XnysSpec() {
  static const ExchangeSpec s{"XNYS", "America/New_York", &UsHours, &UsHolidays};
  return s;
}
const ExchangeSpec& XnasSpec() {
  static const ExchangeSpec s{"XNAS", "America/New_York", &UsHours, &UsHolidays};
  return s;
}
const ExchangeSpec& XlonSpec() {
  static const ExchangeSpec s{"XLON", "Europe/London", &LonHours, &LonHolidays};
  return s;
}
const ExchangeSpec& XetrSpec() {
  static const ExchangeSpec s{"XETR", "Europe/Berlin", &XetrHours, &XetrHolidays};
  return s;
}
const ExchangeSpec& XparSpec() {
  static const ExchangeSpec s{"XPAR", "Europe/Paris", &XparHours, &XparHolidays};
  return s;
}
const ExchangeSpec& XtksSpec() {
  static const ExchangeSpec s{"XTKS", "Asia/Tokyo", &XtksHours, &XtksHolidays};
  return s;
}
const ExchangeSpec& XhkgSpec() {
  static const ExchangeSpec s{"XHKG", "Asia/Hong_Kong", &XhkgHours, &XhkgHolidays};
  return s;
}
const ExchangeSpec& XasxSpec() {
  static const ExchangeSpec s{"XASX", "Australia/Sydney", &XasxHours, &XasxHolidays};
  return s;
}

}  // namespace finex::calendar::detail
