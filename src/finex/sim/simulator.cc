#include "finex/sim/simulator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "finex/calendar/timezone.h"
#include "finex/core/mutex.h"
#include "finex/core/provider_id.h"
#include "finex/core/symbol.h"
#include "finex/provider/binance/binance_facts.h"
#include "finex/sim/detail/wire.h"

namespace finex::sim {

using Json = nlohmann::ordered_json;
using http::Request;
using http::Response;

namespace {

struct Faults {
  int latency_ms = 0;
  double error_rate = 0;
  double corrupt_rate = 0;
  int rate_limit_per_min = 0;  // 0 = unlimited
  int rate_limit_per_day = 0;  // 0 = unlimited
  bool down = false;
};

Result<Faults> ParseFaultObject(const nlohmann::json& j, Faults base, const std::string& where) {
  if (!j.is_object()) return InvalidArgumentError(where + " must be a JSON object");
  for (const auto& [k, v] : j.items()) {
    auto num = [&, &k = k, &v = v](double lo, double hi) -> Result<double> {
      if (!v.is_number()) return InvalidArgumentError(where + "." + k + " must be a number");
      const double x = v.get<double>();
      if (!(x >= lo && x <= hi)) {
        return InvalidArgumentError(where + "." + k + " must be in [" + detail::Num(lo, 0) + ", " +
                                    detail::Num(hi, 0) + "]");
      }
      return x;
    };
    if (k == "latency_ms") {
      FINEX_ASSIGN_OR_RETURN(double x, num(0, 60000));
      base.latency_ms = static_cast<int>(x);
    } else if (k == "error_rate") {
      FINEX_ASSIGN_OR_RETURN(base.error_rate, num(0, 1));
    } else if (k == "corrupt_rate") {
      FINEX_ASSIGN_OR_RETURN(base.corrupt_rate, num(0, 1));
    } else if (k == "rate_limit_per_min") {
      FINEX_ASSIGN_OR_RETURN(double x, num(0, 1e9));
      base.rate_limit_per_min = static_cast<int>(x);
    } else if (k == "rate_limit_per_day") {
      FINEX_ASSIGN_OR_RETURN(double x, num(0, 1e9));
      base.rate_limit_per_day = static_cast<int>(x);
    } else if (k == "down" && v.is_boolean()) {
      base.down = v.get<bool>();
    } else if (k == "down" || k == "providers") {
      continue;  // handled by the caller
    } else {
      return InvalidArgumentError(where + ": unknown member '" + Printable(k) + "'");
    }
  }
  return base;
}

}  // namespace

struct Simulator::Impl {
  SimOptions opts;
  Clock* clock = nullptr;
  Generator gen;
  std::unique_ptr<http::Server> server;

  mutable Mutex mu;
  SimStats stats FINEX_GUARDED_BY(mu);
  Faults global FINEX_GUARDED_BY(mu);
  std::map<std::string, Faults> per_provider FINEX_GUARDED_BY(mu);
  std::string faults_json FINEX_GUARDED_BY(mu) = "{}";
  std::map<std::string, std::deque<int64_t>> minute_window
      FINEX_GUARDED_BY(mu);  // provider → request times (µs, sim clock)
  std::map<std::string, std::pair<int64_t, int>> day_count
      FINEX_GUARDED_BY(mu);  // provider → (day, count)
  std::mt19937_64 rng FINEX_GUARDED_BY(mu);

  explicit Impl(const SimOptions& o) : opts(o), gen(o.seed), rng(o.seed ^ 0x5157ull) {
    clock = o.clock != nullptr ? o.clock : &SystemClock();
    for (ProviderId p : kAllProviders) stats.calls[std::string(ProviderName(p))] = 0;
  }

  Faults FaultsFor(const std::string& provider) const FINEX_REQUIRES(mu) {
    auto it = per_provider.find(provider);
    return it == per_provider.end() ? global : it->second;
  }

  Status SetFaults(std::string_view text) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return InvalidArgumentError("faults: body is not valid JSON");
    if (!j.is_object()) return InvalidArgumentError("faults: body must be a JSON object");
    FINEX_ASSIGN_OR_RETURN(Faults g, ParseFaultObject(j, Faults{}, "faults"));
    std::map<std::string, Faults> per;
    std::vector<std::string> down;
    if (j.contains("down") && !j["down"].is_boolean()) {
      if (!j["down"].is_array())
        return InvalidArgumentError("faults.down must be an array of providers");
      for (const auto& d : j["down"]) {
        if (!d.is_string() || !IsProviderName(d.get<std::string>())) {
          return InvalidArgumentError("faults.down: unknown provider " + Printable(d.dump()));
        }
        down.push_back(d.get<std::string>());
      }
    }
    for (ProviderId p : kAllProviders) per[std::string(ProviderName(p))] = g;
    for (const auto& d : down) per[d].down = true;
    if (j.contains("providers")) {
      if (!j["providers"].is_object())
        return InvalidArgumentError("faults.providers must be an object");
      for (const auto& [name, obj] : j["providers"].items()) {
        if (!IsProviderName(name))
          return InvalidArgumentError("faults.providers: unknown provider '" + Printable(name) +
                                      "'");
        FINEX_ASSIGN_OR_RETURN(per[name],
                               ParseFaultObject(obj, per[name], "faults.providers." + name));
      }
    }
    MutexLock lock(mu);
    global = g;
    per_provider = std::move(per);
    faults_json = j.dump();
    minute_window.clear();
    day_count.clear();
    return OkStatus();
  }

  // Records the call; returns the throttle state: 0 ok, 1 over the
  // per-minute limit, 2 far over it (Binance ban), 3 over the per-day limit.
  struct Admission {
    Faults faults;
    int throttled = 0;
    int used_in_window = 0;
    int64_t retry_after_s = 0;
    bool error = false;
    bool corrupt = false;
  };
  Admission Admit(const std::string& provider, const std::string& route) {
    MutexLock lock(mu);
    ++stats.total;
    ++stats.calls[provider];
    ++stats.by_route[provider + " " + route];
    Admission a;
    a.faults = FaultsFor(provider);
    const int64_t now_us = clock->NowMicros();
    auto& w = minute_window[provider];
    while (!w.empty() && w.front() <= now_us - 60'000'000) w.pop_front();
    w.push_back(now_us);
    a.used_in_window = static_cast<int>(w.size());
    if (a.faults.rate_limit_per_min > 0 && a.used_in_window > a.faults.rate_limit_per_min) {
      a.throttled = a.used_in_window > 2 * a.faults.rate_limit_per_min ? 2 : 1;
      a.retry_after_s =
          std::max<int64_t>(1, (w.front() + 60'000'000 - now_us + 999'999) / 1'000'000);
    }
    auto& dc = day_count[provider];
    const int64_t day = FloorDiv(now_us, 86'400'000'000ll);
    if (dc.first != day) dc = {day, 0};
    ++dc.second;
    if (a.throttled == 0 && a.faults.rate_limit_per_day > 0 &&
        dc.second > a.faults.rate_limit_per_day) {
      a.throttled = 3;
      a.retry_after_s = (day + 1) * 86400 - now_us / 1'000'000;
    }
    std::uniform_real_distribution<double> u(0, 1);
    a.error = a.faults.error_rate > 0 && u(rng) < a.faults.error_rate;
    a.corrupt = a.faults.corrupt_rate > 0 && u(rng) < a.faults.corrupt_rate;
    return a;
  }

  Response Handle(const Request& req);
  Response Control(const Request& req);
};

// ------------------------------------------------------------ dispatch

Response Simulator::Impl::Control(const Request& req) {
  if (req.path == "/_sim/stats" && req.method == "GET") {
    SimStats s;
    {
      MutexLock lock(mu);
      s = stats;
    }
    Json j;
    j["total"] = s.total;
    j["calls"] = Json::object();
    for (const auto& [k, v] : s.calls) j["calls"][k] = v;
    j["by_route"] = Json::object();
    for (const auto& [k, v] : s.by_route) j["by_route"][k] = v;
    return Response::Text(200, "application/json", j.dump());
  }
  if (req.path == "/_sim/reset" && req.method == "POST") {
    MutexLock lock(mu);
    stats = SimStats{};
    for (ProviderId p : kAllProviders) stats.calls[std::string(ProviderName(p))] = 0;
    minute_window.clear();
    day_count.clear();
    return Response::Text(200, "application/json", "{\"ok\":true}");
  }
  if (req.path == "/_sim/faults" && req.method == "POST") {
    Status st = SetFaults(req.body.empty() ? std::string_view("{}") : std::string_view(req.body));
    if (!st.ok()) return Response::Problem(400, "invalid_faults", st.message());
    MutexLock lock(mu);
    return Response::Text(200, "application/json", "{\"ok\":true,\"faults\":" + faults_json + "}");
  }
  if (req.path == "/_sim/faults" && req.method == "GET") {
    MutexLock lock(mu);
    return Response::Text(200, "application/json", faults_json);
  }
  if (req.path == "/_sim/stats" || req.path == "/_sim/reset" || req.path == "/_sim/faults") {
    Response r = Response::Problem(405, "method_not_allowed",
                                   "method " + Printable(req.method) + " not allowed");
    return r;
  }
  return Response::Problem(404, "not_found", "no simulator control route " + Printable(req.path));
}

Response Simulator::Impl::Handle(const Request& req) {
  if (req.path.starts_with("/_sim/")) return Control(req);
  std::string provider;
  std::string_view sub;
  for (ProviderId p : kAllProviders) {
    const std::string prefix = "/" + std::string(ProviderName(p));
    if (req.path == prefix || req.path.starts_with(prefix + "/")) {
      provider = ProviderName(p);
      sub = std::string_view(req.path).substr(prefix.size());
      break;
    }
  }
  if (provider.empty()) {
    return Response::Problem(404, "not_found",
                             "unknown route " + Printable(req.path) + "; providers live under " +
                                 JoinProviderNames(" ", "/"));
  }
  detail::WireContext ctx{gen, clock->Now(), clock->NowMicros(), req, sub};
  const std::string route = detail::RouteTemplate(provider, sub);
  Admission a = Admit(provider, route);
  if (a.faults.latency_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(a.faults.latency_ms));
  if (a.faults.down) return detail::DownResponse(provider);
  if (a.throttled != 0) {
    return detail::ThrottleResponse(
        provider, a.throttled, a.used_in_window,
        a.throttled == 3 ? a.faults.rate_limit_per_day : a.faults.rate_limit_per_min,
        a.retry_after_s, ctx.now_us);
  }
  if (a.error) return detail::ServerErrorResponse(provider);
  Response r = detail::Serve(provider, ctx);
  if (provider == ProviderName(ProviderId::kBinance)) {
    // Every simulated call weighs what a klines call does.
    r.headers.emplace_back(std::string(provider::binance::kUsedWeightHeader),
                           std::to_string(a.used_in_window * provider::binance::kKlinesWeight));
  }
  if (a.corrupt && r.body && r.body->size() > 1) {
    // A body cut short mid-stream: the status and headers look fine.
    r.body = std::make_shared<const std::string>(r.body->substr(0, r.body->size() / 2));
  }
  return r;
}

// ------------------------------------------------------------ Simulator

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Simulator::~Simulator() { Stop(); }

Result<std::unique_ptr<Simulator>> Simulator::Start(const SimOptions& opts) {
  auto impl = std::make_unique<Impl>(opts);
  if (!opts.data_dir.empty()) FINEX_RETURN_IF_ERROR(impl->gen.LoadCsvDir(opts.data_dir));
  std::unique_ptr<Simulator> sim(new Simulator(std::move(impl)));
  http::ServerOptions so;
  so.listen = opts.listen;
  so.threads = std::max(1, opts.threads);
  so.server_name = "finex-sim";
  Impl* raw = sim->impl_.get();
  FINEX_ASSIGN_OR_RETURN(sim->impl_->server, http::Server::Start(so, [raw](const Request& r) {
                           return raw->Handle(r);
                         }));
  return sim;
}

uint16_t Simulator::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string Simulator::BaseUrl(std::string_view provider) const {
  return "http://127.0.0.1:" + std::to_string(port()) + "/" + std::string(provider);
}

void Simulator::Stop() {
  if (impl_ && impl_->server) impl_->server->Stop(2000);
}

SimStats Simulator::stats() const {
  MutexLock lock(impl_->mu);
  return impl_->stats;
}

void Simulator::ResetStats() {
  Request r;
  r.method = "POST";
  r.path = "/_sim/reset";
  impl_->Control(r);
}

Status Simulator::SetFaults(std::string_view json) { return impl_->SetFaults(json); }
const Generator& Simulator::generator() const { return impl_->gen; }
http::Response Simulator::Handle(const http::Request& req) { return impl_->Handle(req); }

}  // namespace finex::sim
