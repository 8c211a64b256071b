#include "finex/server/alert_webhook.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "finex/server/log.h"

namespace finex::server {
namespace {

constexpr size_t kMaxQueue = 1000;
constexpr int kMaxBackoffMs = 30000;

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

}  // namespace

WebhookSender::WebhookSender(WebhookOptions opts) : opts_(std::move(opts)) {}

WebhookSender::~WebhookSender() { Stop(); }

void WebhookSender::Start() {
  MutexLock l(mu_);
  if (started_) return;
  started_ = true;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void WebhookSender::Stop() {
  {
    MutexLock l(mu_);
    if (!started_) return;
    stop_ = true;
    started_ = false;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  size_t dropped = 0;
  {
    MutexLock l(mu_);
    dropped = queue_.size();
    queue_.clear();
  }
  if (dropped > 0) {
    Log("warn", "alert_webhook_dropped", {{"reason", "shutdown"}, {"count", dropped}});
  }
}

void WebhookSender::Enqueue(std::string body) {
  bool dropped = false;
  {
    MutexLock l(mu_);
    if (queue_.size() >= kMaxQueue) {
      queue_.pop_front();
      dropped = true;
    }
    queue_.push_back(std::move(body));
  }
  cv_.SignalAll();
  if (dropped) Log("warn", "alert_webhook_dropped", {{"reason", "queue full"}, {"count", 1}});
}

Status WebhookSender::PostOnce(const std::string& url, const std::string& body, int timeout_ms) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* h = curl_easy_init();
  if (!h) return UnavailableError("webhook: curl_easy_init failed");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "User-Agent: finex-alerts");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK) return UnavailableError(std::string("webhook: ") + curl_easy_strerror(rc));
  if (code < 200 || code > 299)
    return UnavailableError("webhook: the receiver answered HTTP " + std::to_string(code));
  return OkStatus();
}

void WebhookSender::Loop() {
  for (;;) {
    std::string body;
    {
      MutexLock l(mu_);
      cv_.Wait(mu_, [&] {
        mu_.AssertHeld();
        return stop_ || !queue_.empty();
      });
      if (stop_) return;
      body = std::move(queue_.front());
      queue_.pop_front();
    }
    int backoff = std::max(1, opts_.backoff_ms);
    Status last;
    int attempt = 1;
    for (;; ++attempt) {
      attempts_.fetch_add(1);
      last = PostOnce(opts_.url, body, opts_.timeout_ms);
      if (last.ok() || attempt >= opts_.attempts) break;
      MutexLock l(mu_);
      // Backoff that Stop() interrupts.
      if (cv_.WaitFor(mu_, std::chrono::milliseconds(backoff), [&] {
            mu_.AssertHeld();
            return stop_;
          }))
        return;
      backoff = std::min(backoff * 2, kMaxBackoffMs);
    }
    if (last.ok()) {
      delivered_.fetch_add(1);
    } else {
      failed_.fetch_add(1);
      Log("error", "alert_webhook_failed", {{"attempts", attempt}, {"error", last.message()}});
    }
  }
}

}  // namespace finex::server
