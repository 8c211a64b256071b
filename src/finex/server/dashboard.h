// The live dashboard served at "/": one self-contained HTML page (inline CSS
// and JS, hand-drawn canvas charts, no external network at run time) that
// polls /v1/cache/stats and /metrics. Its source is dashboard.html beside this
// header, embedded into the binary at build time.
//
// Thread-safety: returns a view of static storage.
#pragma once

#include <string_view>

namespace finex::server {

std::string_view DashboardHtml();

}  // namespace finex::server
