#include "finex/cli/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace finex::cli {

std::string ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return "";
}

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* h = static_cast<http::Headers*>(user);
  std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' '))
      v.remove_suffix(1);
    h->emplace_back(std::move(name), std::string(v));
  }
  return size * n;
}

class RemoteClient final : public Client {
 public:
  RemoteClient(std::string base, int timeout_ms) : base_(std::move(base)), timeout_ms_(timeout_ms) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<ClientResponse> Send(std::string_view method, std::string_view target,
                              std::string_view body, const http::Headers& headers) override {
    CURL* c = curl_easy_init();
    if (!c) return InternalError("curl_easy_init failed");
    ClientResponse r;
    const std::string url = base_ + std::string(target);
    const std::string m(method);
    std::string payload(body);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms_));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "finex-cli/0.1");
    if (m == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
    }
    struct curl_slist* list = nullptr;
    for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    if (m == "POST") list = curl_slist_append(list, "Content-Type: application/json");
    if (list) curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    const CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (list) curl_slist_free_all(list);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        return DeadlineExceededError("finex server " + base_ + " did not answer in time");
      }
      return UnavailableError("cannot reach finex server " + base_ + ": " + curl_easy_strerror(rc));
    }
    r.status = static_cast<int>(status);
    r.content_type = r.Header("content-type");
    return r;
  }

 private:
  std::string base_;
  int timeout_ms_;
};

class LocalClient final : public Client {
 public:
  explicit LocalClient(server::Service& s) : service_(s) {}

  Result<ClientResponse> Send(std::string_view method, std::string_view target,
                              std::string_view body, const http::Headers& headers) override {
    http::Request req;
    req.method = std::string(method);
    req.target = std::string(target);
    const size_t q = req.target.find('?');
    auto path = http::PercentDecode(std::string_view(req.target).substr(0, q), false);
    req.path = path.ok() ? *path : req.target.substr(0, q);
    if (q != std::string::npos) {
      auto parsed = http::ParseQuery(std::string_view(req.target).substr(q + 1));
      if (parsed.ok()) req.query = *parsed;
    }
    for (const auto& [k, v] : headers) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      req.headers.emplace_back(std::move(name), v);
    }
    req.body = std::string(body);
    req.remote = "in-process";
    http::Response resp = service_.Handle(req);
    ClientResponse r;
    r.status = resp.status;
    r.content_type = resp.content_type;
    for (const auto& [k, v] : resp.headers) {
      std::string name = k;
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      r.headers.emplace_back(std::move(name), v);
    }
    if (resp.body) r.body = *resp.body;
    return r;
  }

 private:
  server::Service& service_;
};

}  // namespace

std::unique_ptr<Client> NewRemoteClient(std::string base_url, int timeout_ms) {
  return std::make_unique<RemoteClient>(std::move(base_url), timeout_ms);
}

std::unique_ptr<Client> NewLocalClient(server::Service& service) {
  return std::make_unique<LocalClient>(service);
}

}  // namespace finex::cli
