// Rendering of API answers for a terminal: columnar JSON → aligned text
// table, cache stats → a summary table, problem+json → one stderr line, and
// the mapping of HTTP statuses to the CLI's exit codes (API.md: 0 ok, 2 bad
// input, 3 provider or network failure, 1 anything else).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace finex::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitUpstream = 3;

int ExitCodeForHttpStatus(int status);

// {"data": {col: [...]}, ...} → a text table (timestamps shown as ISO UTC).
// InvalidArgument-free: a body that is not columnar JSON yields "".
std::string RenderTable(std::string_view json_body, bool color);
// /v1/cache/stats JSON → a summary.
std::string RenderStatsTable(std::string_view json_body, bool color);
// "detail (code, param=x)" from a problem+json body, or the raw body.
std::string ProblemLine(std::string_view body, int status);

}  // namespace finex::cli
