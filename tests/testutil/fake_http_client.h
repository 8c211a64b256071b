// FakeHttpClient: an HttpClient that serves canned responses, for provider
// tests. Responses are matched by URL substring rules, first match wins, in
// the order they were added; every request is recorded. Unmatched requests
// get the default (404 with an empty body unless set). A rule may also fail
// the transport (Unavailable / DeadlineExceeded) or serve a file from disk
// (provider/<name>/testdata/).
//
// Thread-safety: thread-safe.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "finex/core/mutex.h"
#include "finex/core/status.h"
#include "finex/provider/http_client.h"

namespace finex::testing {

class FakeHttpClient final : public provider::HttpClient {
 public:
  // Serves `resp` for URLs containing `url_substring`. times < 0: forever;
  // otherwise the rule expires after `times` uses.
  void On(std::string url_substring, provider::HttpResponse resp, int times = -1) {
    MutexLock l(mu_);
    rules_.push_back(Rule{std::move(url_substring), std::move(resp), OkStatus(), times});
  }
  void On(std::string url_substring, int status, std::string body, provider::Headers headers = {},
          int times = -1) {
    provider::HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    On(std::move(url_substring), std::move(r), times);
  }
  // Transport failure for matching URLs.
  void Fail(std::string url_substring, Status error, int times = -1) {
    MutexLock l(mu_);
    rules_.push_back(Rule{std::move(url_substring), {}, std::move(error), times});
  }
  // Reads a whole file; "" and an ADD_FAILURE-free empty string if missing
  // (callers assert on the content).
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void OnFile(std::string url_substring, int status, const std::string& path, int times = -1) {
    On(std::move(url_substring), status, ReadFile(path), {}, times);
  }
  void SetDefault(provider::HttpResponse r) {
    MutexLock l(mu_);
    default_ = std::move(r);
  }

  Result<provider::HttpResponse> Get(const provider::HttpRequest& req) override {
    MutexLock l(mu_);
    requests_.push_back(req);
    for (Rule& r : rules_) {
      if (r.times == 0 || req.url.find(r.match) == std::string::npos) continue;
      if (r.times > 0) --r.times;
      if (!r.error.ok()) return r.error;
      return r.resp;
    }
    return default_;
  }

  std::vector<provider::HttpRequest> requests() const {
    MutexLock l(mu_);
    return requests_;
  }
  size_t calls() const {
    MutexLock l(mu_);
    return requests_.size();
  }
  std::string last_url() const {
    MutexLock l(mu_);
    return requests_.empty() ? "" : requests_.back().url;
  }
  void ClearRequests() {
    MutexLock l(mu_);
    requests_.clear();
  }

 private:
  struct Rule {
    std::string match;
    provider::HttpResponse resp;
    Status error;
    int times;
  };
  mutable Mutex mu_;
  std::vector<Rule> rules_ FINEX_GUARDED_BY(mu_);
  std::vector<provider::HttpRequest> requests_ FINEX_GUARDED_BY(mu_);
  provider::HttpResponse default_ FINEX_GUARDED_BY(mu_){404, {}, ""};
};

}  // namespace finex::testing
