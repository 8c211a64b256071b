// Transport for the CLI's data commands. Both modes speak the HTTP API of
// API.md: RemoteClient sends requests to a running `finex serve` (--server
// URL) over libcurl; LocalClient hands the same requests to an in-process
// server::Service over the engine, without a socket. The commands therefore
// behave identically in both modes and share one error model.
//
// Thread-safety: a client is used by one thread. Ownership: LocalClient
// borrows the Service (must outlive it).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "finex/core/status.h"
#include "finex/http/server.h"
#include "finex/server/service.h"

namespace finex::cli {

struct ClientResponse {
  int status = 0;
  std::string content_type;
  http::Headers headers;  // names lower-cased
  std::string body;
  std::string Header(std::string_view lower_name) const;
};

class Client {
 public:
  virtual ~Client() = default;
  // method: GET | POST | DELETE. target: "/v1/history?symbols=AAPL".
  // Unavailable (with "cannot reach") when the transport fails; HTTP error
  // statuses come back as a ClientResponse.
  virtual Result<ClientResponse> Send(std::string_view method, std::string_view target,
                                      std::string_view body = {},
                                      const http::Headers& headers = {}) = 0;
};

// REQUIRES: base_url starts with http:// or https://.
std::unique_ptr<Client> NewRemoteClient(std::string base_url, int timeout_ms = 120000);
std::unique_ptr<Client> NewLocalClient(server::Service& service);

// Percent-encodes a query value.
std::string UrlEncode(std::string_view s);

}  // namespace finex::cli
