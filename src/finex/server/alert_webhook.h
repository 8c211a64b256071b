// WebhookSender: delivers alert notifications (JSON bodies) to one URL from
// its own thread, so a slow or dead receiver never delays a request or the
// evaluator. Each body is POSTed (Content-Type: application/json) until the
// receiver answers 2xx, at most `attempts` times, waiting `backoff_ms`,
// then twice that, ... (capped at 30 s) between attempts. The queue holds at
// most 1000 bodies; beyond that the oldest is dropped (and logged).
//
// Thread-safety: Enqueue() and the counters are thread-safe. Ownership: owns
// its thread, joined by Stop() / the destructor; bodies still queued then are
// dropped with a log line.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>

#include "finex/core/mutex.h"
#include "finex/core/status.h"

namespace finex::server {

struct WebhookOptions {
  std::string url;        // http:// or https://
  int attempts = 5;       // >= 1
  int backoff_ms = 500;   // first wait after a failed attempt
  int timeout_ms = 5000;  // per attempt
};

class WebhookSender {
 public:
  explicit WebhookSender(WebhookOptions opts);
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void Start();
  void Stop();
  // Queues one body; never blocks on the network.
  void Enqueue(std::string body);

  uint64_t delivered() const { return delivered_.load(); }
  uint64_t failed() const { return failed_.load(); }  // given up after every attempt
  uint64_t attempts() const { return attempts_.load(); }

  // One POST; OK on a 2xx answer, else Unavailable naming the status or error.
  static Status PostOnce(const std::string& url, const std::string& body, int timeout_ms);

 private:
  void Loop();

  const WebhookOptions opts_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::string> queue_ FINEX_GUARDED_BY(mu_);
  bool stop_ FINEX_GUARDED_BY(mu_) = false;
  bool started_ FINEX_GUARDED_BY(mu_) = false;
  std::thread thread_;
  std::atomic<uint64_t> delivered_{0}, failed_{0}, attempts_{0};
};

}  // namespace finex::server
