#include "finex/provider/curl_http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>

namespace finex::provider {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse* resp;
  size_t max_body;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->resp->body.size() + len > t->max_body) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->resp->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->resp->headers.clear();  // a new response (redirect or 100-continue)
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->resp->headers.emplace_back(std::move(name), std::string(value));
  return len;
}

// scheme://host[:port] of a URL, for messages (never the path or query).
std::string HostOf(std::string_view url) {
  size_t p = url.find("://");
  size_t start = p == std::string_view::npos ? 0 : p + 3;
  size_t end = url.find_first_of("/?#", start);
  return std::string(url.substr(0, end));
}

}  // namespace

struct CurlHttpClient::Share {
  CURLSH* sh = nullptr;
  // libcurl locks in one callback and unlocks in another, and they guard
  // libcurl's data, not ours: plain std::mutex, outside the analysis.
  std::mutex locks[CURL_LOCK_DATA_LAST];
  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Share*>(user)->locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Share*>(user)->locks[data].unlock();
  }
  Share() {
    sh = curl_share_init();
    curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, &Share::Lock);
    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, &Share::Unlock);
    curl_share_setopt(sh, CURLSHOPT_USERDATA, this);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }
  ~Share() { curl_share_cleanup(sh); }
};

CurlHttpClient::CurlHttpClient(CurlOptions options) : options_(std::move(options)) {
  GlobalInit();
  share_ = std::make_unique<Share>();
}

CurlHttpClient::~CurlHttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlHttpClient::AcquireHandle() {
  {
    MutexLock l(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (h) curl_easy_setopt(h, CURLOPT_SHARE, share_->sh);
  return h;
}

void CurlHttpClient::ReleaseHandle(void* h) {
  {
    MutexLock l(mu_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(h);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(h));
}

Result<HttpResponse> CurlHttpClient::Get(const HttpRequest& req) {
  if (req.url.rfind("http://", 0) != 0 && req.url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("URL must be http:// or https://: " + HostOf(req.url));
  }
  CURL* h = static_cast<CURL*>(AcquireHandle());
  if (!h) return UnavailableError("curl_easy_init failed");
  curl_easy_reset(h);  // keeps live connections, DNS and the share
  HttpResponse resp;
  Transfer t{&resp, options_.max_body_bytes};
  const long timeout = std::max(1, req.timeout_ms);
  curl_easy_setopt(h, CURLOPT_SHARE, share_->sh);
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min<long>(timeout, options_.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : req.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  if (headers) curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  ReleaseHandle(h);

  if (rc != CURLE_OK) {
    const std::string where = HostOf(req.url);
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return DeadlineExceededError("HTTP GET " + where + " timed out after " +
                                   std::to_string(timeout) + " ms");
    }
    if (t.too_large) {
      return UnavailableError("HTTP GET " + where + ": body larger than " +
                              std::to_string(options_.max_body_bytes) + " bytes");
    }
    return UnavailableError("HTTP GET " + where + ": " + curl_easy_strerror(rc));
  }
  resp.status = static_cast<int>(status);
  return resp;
}

}  // namespace finex::provider
