// WireAnswer: one provider-format HTTP answer (status, content type, extra
// headers, body) as written by the per-provider response writers
// (<name>/<name>_wire.h). Both the simulator (`finex sim`, from generated
// data) and the server's provider-compatible routes (`finex serve`, from
// cached frames) turn requests into these, so the two speak byte-for-byte the
// same format; the transports wrap them into their own response type.
//
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace finex::provider {

struct WireAnswer {
  int status = 200;
  std::string content_type = "application/json;charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, in order
  std::string body;
};

}  // namespace finex::provider
