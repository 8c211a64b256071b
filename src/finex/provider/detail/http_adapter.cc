#include "finex/provider/detail/http_adapter.h"

#include <utility>

#include "finex/core/symbol.h"
#include "finex/provider/detail/common.h"

namespace finex::provider::detail {

HttpAdapter::HttpAdapter(ProviderId id, const ProviderConfig& config, HttpClient& http,
                         Clock& clock, Headers key_headers)
    : id_(id),
      config_(config),
      base_(BaseUrl(config, id)),
      key_headers_(std::move(key_headers)),
      http_(http),
      clock_(clock) {}

Result<HistoryResponse> HttpAdapter::History(const HistoryRequest& req) {
  FINEX_RETURN_IF_ERROR(ValidateSymbol(req.symbol));
  FINEX_RETURN_IF_ERROR(CheckSymbol(req.symbol));
  FINEX_RETURN_IF_ERROR(CheckNonEmptyRange(id_, req));
  return DoHistory(req, clock_.Now());
}

Result<std::vector<SearchResult>> HttpAdapter::Search(std::string_view query) {
  if (query.empty() || query.size() > 100) {
    return Error(id_, StatusCode::kInvalidArgument, "search query must be 1..100 characters")
        .WithParam("q");
  }
  return DoSearch(query);
}

Status HttpAdapter::CheckSymbol(std::string_view) const { return OkStatus(); }

Result<HttpResponse> HttpAdapter::Fetch(std::string url, const Headers& extra) const {
  Headers headers = key_headers_;
  headers.insert(headers.end(), extra.begin(), extra.end());
  return detail::Fetch(http_, id_, config_, std::move(url), std::move(headers));
}

}  // namespace finex::provider::detail
