// Symbol validation. A symbol is what the user and the providers call an
// instrument: "AAPL", "^GSPC", "EURUSD=X", "BRK-B", "GC=F", "APS.AX",
// "BTC/USDT", "BTCUSDT", "bitcoin". finex never rewrites a symbol (no
// silent upper-casing): what is validated is what is used.
//
// Allowed: ASCII letters and digits and ^ = . - / _ &, 1..32 characters,
// not starting with '.', '/' or '-', no ".." (symbols become directory names
// in the parquet_dir backend). Anything else (':' '*' '?' '[' ']' whitespace,
// control bytes, non-ASCII) is rejected, so no symbol can forge a cache key or
// widen an invalidation pattern.
//
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "finex/core/status.h"

namespace finex {

inline constexpr size_t kMaxSymbolLength = 32;

// OK, or InvalidArgument (param "symbols") naming the offending character.
Status ValidateSymbol(std::string_view symbol);
// True for the characters a valid symbol may contain.
bool IsSymbolChar(char c);

// Splits "AAPL,MSFT" (commas, surrounding blanks trimmed), validates each,
// rejects empty lists, duplicates and more than max_symbols entries.
Result<std::vector<std::string>> ParseSymbolList(std::string_view text, size_t max_symbols);

// Makes user-controlled text safe to quote in an error message: control and
// non-ASCII bytes become '?', cut to max_len.
std::string Printable(std::string_view text, size_t max_len = 64);

}  // namespace finex
