// ProviderConfig: what an adapter needs from configuration. Values only; the
// API key is the secret itself (read by the caller from the environment
// variable named in finex.toml) and is never logged, echoed in an error
// message or put into a cache key by any adapter.
//
// Thread-safety: plain value.
#pragma once

#include <string>

namespace finex::provider {

struct ProviderConfig {
  // Root URL of the provider, without a trailing slash. Default "": the real
  // provider (see DefaultBaseUrl). Point it at `finex sim` for offline use,
  // e.g. "http://127.0.0.1:9100/yahoo".
  std::string base_url;
  // Secret key; "" = none (keyless access where the provider allows it).
  std::string api_key;
  // Whole-request timeout per HTTP call. Default 5000 ms.
  int timeout_ms = 5000;
  // What the key's plan allows, for providers that keep parts of their API
  // for paying keys (Alpha Vantage: outputsize=full and the _ADJUSTED
  // series, moved to premium and back more than once): "auto" (default:
  // ask, and learn from a "premium endpoint" answer), "free" (never ask
  // them), "premium" (always ask; a refusal is an error).
  std::string plan = "auto";
};

}  // namespace finex::provider
