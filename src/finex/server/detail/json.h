// Small, allocation-light JSON and CSV writing helpers for the hot answer
// paths (columnar history bodies are tens of KB; a generic DOM would double
// the cost). Output is always valid UTF-8 JSON: invalid UTF-8 in strings is
// replaced byte-wise by U+FFFD, control bytes are escaped, and non-finite
// doubles become null.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace finex::server::detail {

// Appends s as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s);
// Shortest round-trip representation; "null" for NaN/inf.
void AppendJsonDouble(std::string& out, double v);
void AppendJsonInt(std::string& out, int64_t v);
// Appends items as a JSON array of strings: ["a","b"] ([] when empty).
void AppendJsonStringArray(std::string& out, std::span<const std::string> items);
inline void AppendJsonOptDouble(std::string& out, std::optional<double> v) {
  if (v)
    AppendJsonDouble(out, *v);
  else
    out += "null";
}
inline void AppendJsonOptInt(std::string& out, std::optional<int64_t> v) {
  if (v)
    AppendJsonInt(out, *v);
  else
    out += "null";
}
// The JSON encoding of s as a standalone value ("\"...\"").
std::string JsonQuote(std::string_view s);

// Appends a CSV field (RFC 4180 quoting when needed). Cells starting with
// = + - @ are prefixed with a quote mark only when they are not numbers, so
// a spreadsheet never evaluates data as a formula.
void AppendCsvField(std::string& out, std::string_view s);
// Plain number cell ("" for NaN/inf).
void AppendCsvDouble(std::string& out, double v);

// True when s is valid UTF-8 (no overlongs or surrogates).
bool IsValidUtf8(std::string_view s);

// "5 minutes ago", "just now", "3 days ago".
std::string HumanAge(double seconds);

}  // namespace finex::server::detail
