// libFuzzer target: the cache key codec and the invalidation-pattern grammar
// (key/cache_key.h, key/pattern.h; fuzz/run.sh).
//
// Invariants from the headers: a key Parse accepts encodes again without
// error and parses back to the same key; a pattern Parse accepts keeps its
// text, its scan prefix is a prefix of the text, and every key it Matches
// starts with the scan prefix.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "finex/key/cache_key.h"
#include "finex/key/pattern.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using finex::key::CacheKey;
  using finex::key::Pattern;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  // The input is "key" or "pattern\nkey": both parsers see both parts.
  const size_t nl = in.find('\n');
  const std::string_view first = in.substr(0, nl);
  const std::string_view second = nl == std::string_view::npos ? in : in.substr(nl + 1);

  for (std::string_view text : {first, second}) {
    auto k = CacheKey::Parse(text);
    if (!k.ok()) continue;
    auto enc = k->Encode();
    if (!enc.ok()) std::abort();
    auto again = CacheKey::Parse(*enc);
    if (!again.ok() || !(*again == *k)) std::abort();
    if (k->version == finex::key::kCurrentKeyVersion && *enc != text) std::abort();
  }
  auto p = Pattern::Parse(first);
  if (!p.ok()) return 0;
  if (p->text() != first) std::abort();
  if (p->scan_prefix().size() > first.size() ||
      first.substr(0, p->scan_prefix().size()) != p->scan_prefix()) {
    std::abort();
  }
  if (p->Matches(second) && !second.starts_with(p->scan_prefix())) std::abort();
  if (p->is_exact() && !p->Matches(first)) std::abort();
  return 0;
}
