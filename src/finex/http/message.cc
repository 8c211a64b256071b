// Request/Response helpers, problem+json bodies, query parsing.
#include <cstdio>
#include <string>

#include "finex/core/symbol.h"
#include "finex/http/detail/head_writer.h"
#include "finex/http/server.h"

namespace finex::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict UTF-8 validation (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
      return false;  // overlong
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

std::string_view RawRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == lower_name.size() &&
        std::equal(k.begin(), k.end(), lower_name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return v;
    }
  }
  return {};
}

Response Response::Text(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

Response Response::Problem(int status, std::string_view code, std::string_view detail,
                           const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string body;
  body.reserve(128 + detail.size());
  body += "{\"type\":\"about:blank\",\"title\":";
  AppendJsonString(body, detail::ReasonPhrase(status));
  body += ",\"status\":";
  body += std::to_string(status);
  body += ",\"detail\":";
  // Detail may quote user input: keep the JSON valid even for invalid UTF-8.
  if (IsValidUtf8(detail)) {
    AppendJsonString(body, detail);
  } else {
    std::string clean(detail);
    for (char& c : clean) {
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
    }
    AppendJsonString(body, clean);
  }
  body += ",\"code\":";
  AppendJsonString(body, code);
  for (const auto& [k, v] : extra) {
    body.push_back(',');
    AppendJsonString(body, k);
    body.push_back(':');
    body += v;
  }
  body.push_back('}');
  Response r = Text(status, "application/problem+json", std::move(body));
  return r;
}

Result<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return InvalidArgumentError("truncated percent-escape at offset " + std::to_string(i));
      }
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return InvalidArgumentError("bad percent-escape at offset " + std::to_string(i));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!IsValidUtf8(out)) return InvalidArgumentError("decoded text is not valid UTF-8");
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view part = text.substr(pos, amp - pos);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      auto dk = PercentDecode(k, true);
      if (!dk.ok()) return dk.status().WithContext("query parameter name");
      auto dv = PercentDecode(v, true);
      if (!dv.ok()) {
        return dv.status().WithContext("query parameter '" + Printable(*dk) + "'").WithParam(*dk);
      }
      out.emplace_back(std::move(*dk), std::move(*dv));
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace finex::http
