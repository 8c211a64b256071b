// HttpAdapter: the outline every provider adapter shares, so that an adapter
// holds only what is its own (wire format, quirks, paging). It owns a copy of
// the ProviderConfig, the base URL (BaseUrl(config, id)) and the API-key
// headers, and borrows the HttpClient and Clock. It implements History and
// Search as non-virtual wrappers (NVI): the checks every adapter makes before
// calling upstream are done here, in one order, then the adapter's
// DoHistory/DoSearch runs.
//
// Thread-safety: the state held here is immutable after construction, so an
// adapter is thread-safe when its own Do* methods are. Ownership: the
// HttpClient& and Clock& must outlive the adapter.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "finex/core/clock.h"
#include "finex/core/status.h"
#include "finex/provider/config.h"
#include "finex/provider/http_client.h"
#include "finex/provider/provider.h"

namespace finex::provider::detail {

class HttpAdapter : public Provider {
 public:
  ProviderId id() const final { return id_; }

  // Checks, in this order: ValidateSymbol(req.symbol); CheckSymbol (the
  // adapter's own symbol rule); a non-empty range (CheckNonEmptyRange). The
  // first failure is returned without an upstream call; otherwise
  // DoHistory(req, clock.Now()).
  Result<HistoryResponse> History(const HistoryRequest& req) final;

  // InvalidArgument "search query must be 1..100 characters" (param "q")
  // unless 1 <= query.size() <= 100; otherwise DoSearch(query).
  Result<std::vector<SearchResult>> Search(std::string_view query) final;

 protected:
  // `key_headers` go with every Fetch (ApiKeyHeaders(config, ...), or none
  // for adapters that send no key or send it in the URL).
  HttpAdapter(ProviderId id, const ProviderConfig& config, HttpClient& http, Clock& clock,
              Headers key_headers = {});

  // OK when the adapter can serve `symbol` (already valid per
  // ValidateSymbol); otherwise the InvalidArgument (param "symbols") saying
  // why. Default: every valid symbol.
  virtual Status CheckSymbol(std::string_view symbol) const;
  // History after the checks above. `now` is the clock's time for this call.
  virtual Result<HistoryResponse> DoHistory(const HistoryRequest& req, Timestamp now) = 0;
  // Search after the length check.
  virtual Result<std::vector<SearchResult>> DoSearch(std::string_view query) = 0;

  // GETs the absolute `url` with the key headers followed by `extra` and the
  // configured timeout. Returns the response whatever its HTTP status; a
  // transport failure keeps its code (Unavailable / DeadlineExceeded) with
  // the provider attached and the API key redacted (detail::Fetch).
  Result<HttpResponse> Fetch(std::string url, const Headers& extra = {}) const;

  const ProviderConfig& config() const { return config_; }
  // BaseUrl(config, id): the root URL without a trailing '/'.
  const std::string& base() const { return base_; }
  Timestamp Now() const { return clock_.Now(); }

 private:
  const ProviderId id_;
  const ProviderConfig config_;
  const std::string base_;
  const Headers key_headers_;
  HttpClient& http_;
  Clock& clock_;
};

}  // namespace finex::provider::detail
