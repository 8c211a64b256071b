#include "finex/http/detail/head_writer.h"

#include <algorithm>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>

#include "finex/core/clock.h"
#include "finex/core/time.h"

namespace finex::http {
namespace detail {

namespace bhttp = boost::beast::http;

namespace {

bool HeaderNameReserved(std::string_view n) {
  switch (n.size()) {  // the reserved names' lengths: most fields are ruled out here
    case 4:
    case 6:
    case 10:
    case 12:
    case 14:
    case 17:
      break;
    default:
      return false;
  }
  auto eq = [&](std::string_view x) {
    return n.size() == x.size() && std::equal(n.begin(), n.end(), x.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  };
  return eq("content-length") || eq("content-type") || eq("date") || eq("server") ||
         eq("connection") || eq("transfer-encoding");
}

// Appends `r`'s fields (each line ending in CRLF), skipping reserved names
// and values carrying CR/LF (header injection guard).
void AppendFields(std::string& out, const Headers& headers) {
  for (const auto& [k, v] : headers) {
    if (HeaderNameReserved(k)) continue;
    if (k.find_first_of("\r\n:") != std::string::npos ||
        v.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 431:
      return "Request Header Fields Too Large";
    case 429:
      return "Too Many Requests";
    case 422:
      return "Unprocessable Entity";
    case 418:
      return "I'm a teapot";
    default:
      break;
  }
  auto sv = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  if (sv.empty() || sv == "<unknown-status>") return "Unknown";
  return std::string_view(sv.data(), sv.size());
}

const std::string& HttpDate() {
  thread_local Timestamp cached_at = -1;
  thread_local std::string cached;
  const Timestamp now = SystemClock().Now();
  if (now != cached_at) {
    static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t days = DayOf(now);
    const CivilDate d = CivilFromDays(days);
    const int64_t sod = now - days * kSecondsPerDay;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  kDays[WeekdayFromDays(days)], d.day, kMonths[d.month - 1], d.year,
                  static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                  static_cast<int>(sod % 60));
    cached = buf;
    cached_at = now;
  }
  return cached;
}

void AppendPrepared(std::string& out, const Response& r, size_t body_len) {
  if (!r.content_type.empty() && r.content_type.find_first_of("\r\n") == std::string::npos) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  char num[24];
  const auto res = std::to_chars(num, num + sizeof(num), body_len);
  out.append(num, res.ptr);
  out += "\r\n";
  AppendFields(out, r.headers);
}

void SerializeHead(std::string& out, const Response& r, size_t body_len, bool close,
                   std::string_view server_name, std::string_view date) {
  out.clear();
  out.reserve(192 + (r.prepared_head ? r.prepared_head->size() : r.content_type.size()));
  out += "HTTP/1.1 ";
  char num[24];
  const auto res = std::to_chars(num, num + sizeof(num), r.status);
  out.append(num, res.ptr);
  out.push_back(' ');
  out += ReasonPhrase(r.status);
  out += "\r\nServer: ";
  out += server_name;
  out += "\r\nDate: ";
  out += date;
  out += "\r\n";
  if (r.prepared_head) {
    out += *r.prepared_head;
    AppendFields(out, r.headers);
  } else {
    AppendPrepared(out, r, body_len);
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
}

}  // namespace detail

std::string PrepareHead(const Response& r) {
  std::string out;
  detail::AppendPrepared(out, r, r.body ? r.body->size() : 0);
  return out;
}

std::string SerializeHeadForTest(const Response& r, std::string_view server_name,
                                 std::string_view date, bool close) {
  std::string out;
  detail::SerializeHead(out, r, r.body ? r.body->size() : 0, close, server_name, date);
  return out;
}

}  // namespace finex::http
