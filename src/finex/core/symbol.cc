#include "finex/core/symbol.h"

#include <algorithm>
#include <cstdio>

namespace finex {

std::string Printable(std::string_view text, size_t max_len) {
  std::string out;
  const size_t n = std::min(text.size(), max_len);
  out.reserve(n + 3);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x20 || c >= 0x7f ? '?' : static_cast<char>(c));
  }
  if (text.size() > max_len) out += "...";
  return out;
}

bool IsSymbolChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '^' ||
         c == '=' || c == '.' || c == '-' || c == '/' || c == '_' || c == '&';
}

Status ValidateSymbol(std::string_view s) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("symbol '" + Printable(s, 40) + "' " + why).WithParam("symbols");
  };
  if (s.empty()) return bad("is empty");
  if (s.size() > kMaxSymbolLength) return bad("is longer than 32 characters");
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsSymbolChar(s[i])) {
      char buf[64];
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x21 && c < 0x7f) {
        std::snprintf(buf, sizeof buf, "contains forbidden character '%c' at position %zu", c, i);
      } else {
        std::snprintf(buf, sizeof buf, "contains forbidden byte 0x%02x at position %zu", c, i);
      }
      return bad(buf);
    }
  }
  if (s[0] == '.' || s[0] == '/' || s[0] == '-')
    return bad("must start with a letter, digit, '^', '=', '_' or '&'");
  if (s.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (s.back() == '/') return bad("must not end with '/'");
  return OkStatus();
}

Result<std::vector<std::string>> ParseSymbolList(std::string_view text, size_t max_symbols) {
  std::vector<std::string> out;
  if (text.empty()) return InvalidArgumentError("symbols is empty").WithParam("symbols");
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    FINEX_RETURN_IF_ERROR(ValidateSymbol(item));
    if (std::find(out.begin(), out.end(), item) != out.end()) {
      return InvalidArgumentError("symbol '" + std::string(item) + "' is listed twice")
          .WithParam("symbols");
    }
    out.emplace_back(item);
    if (out.size() > max_symbols) {
      return InvalidArgumentError("too many symbols (at most " + std::to_string(max_symbols) + ")")
          .WithParam("symbols");
    }
    pos = comma + 1;
  }
  return out;
}

}  // namespace finex
