#include "finex/cli/commands.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "finex/cli/client.h"
#include "finex/cli/config.h"
#include "finex/cli/output.h"
#include "finex/codec/parquet/parquet_codec.h"
#include "finex/core/clock.h"
#include "finex/core/symbol.h"
#include "finex/engine/engine.h"
#include "finex/server/log.h"
#include "finex/server/serve.h"
#include "finex/server/service.h"
#include "finex/sim/simulator.h"

#ifndef FINEX_VERSION
#define FINEX_VERSION "0.1.0"
#endif
#ifndef FINEX_GIT_COMMIT
#define FINEX_GIT_COMMIT "unknown"
#endif

namespace finex::cli {
namespace {

struct Common {
  std::string config_path;
  std::string profile;
  std::vector<std::string> sets;  // --set key=value
  bool no_color = false;
  std::string server_url;
  std::string format;
  std::string output;
  std::string clock_start;
  double clock_speed = 1.0;
  std::string clock_anchor;  // wall instant at which the replay clock reads clock_start
};

void Err(const std::string& msg) { std::fprintf(stderr, "finex: %s\n", msg.c_str()); }

int ExitForStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kOutOfRange:
    case StatusCode::kUnimplemented:
      return kExitBadInput;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return kExitUpstream;
    default:
      return kExitError;
  }
}

int Fail(const Status& s) {
  Err(s.message().empty() ? s.ToString() : s.message());
  return ExitForStatus(s);
}

bool UseColor(const Common& c) {
  if (c.no_color) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return isatty(STDOUT_FILENO) != 0;
}

Result<Config> Load(const Common& c, std::vector<std::pair<std::string, std::string>> flags = {}) {
  LoadOptions lo;
  lo.profile = c.profile;
  lo.config_path = c.config_path;
  lo.env = ProcessFinexEnv();
  for (const std::string& s : c.sets) {
    const size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--set '" + s +
                                  "' must be key=value (e.g. cache.max_memory_mb=512)");
    }
    flags.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  lo.flags = std::move(flags);
  return LoadConfig(lo);
}

Result<std::unique_ptr<ReplayClock>> MakeClock(const Common& c) {
  if (c.clock_start.empty()) {
    if (c.clock_speed != 1.0) {
      return InvalidArgumentError("--clock-speed needs --clock-start").WithParam("clock-speed");
    }
    if (!c.clock_anchor.empty()) {
      return InvalidArgumentError("--clock-anchor needs --clock-start").WithParam("clock-anchor");
    }
    return std::unique_ptr<ReplayClock>();
  }
  auto t = ParseTime(c.clock_start, TimeBound::kStart);
  if (!t.ok()) {
    return InvalidArgumentError("--clock-start '" + c.clock_start + "': " + t.status().message());
  }
  if (!(c.clock_speed > 0) || c.clock_speed > 1e6) {
    return InvalidArgumentError("--clock-speed must be > 0 and <= 1000000");
  }
  if (!c.clock_anchor.empty()) {
    // Anchored: "now" is a function of the wall clock alone, so a finex sim
    // and a finex serve started at different moments agree on it exactly.
    auto a = ParseTime(c.clock_anchor, TimeBound::kStart);
    if (!a.ok()) {
      return InvalidArgumentError("--clock-anchor '" + c.clock_anchor +
                                  "': " + a.status().message());
    }
    return std::make_unique<ReplayClock>(*t, c.clock_speed, *a * 1000000);
  }
  return std::make_unique<ReplayClock>(*t, c.clock_speed);
}

// The engine + service bundle behind in-process commands and `finex serve`.
struct Stack {
  std::unique_ptr<ReplayClock> clock;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<codec::FrameCodec> parquet;
  std::unique_ptr<server::Service> service;
  std::string admin_token;
};

std::string RandomToken() {
  std::random_device rd;
  std::string t;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) t.push_back(kHex[rd() & 15]);
  return t;
}

Result<std::unique_ptr<Stack>> OpenStack(const Config& cfg, const Common& c, bool local_cli) {
  auto st = std::make_unique<Stack>();
  FINEX_ASSIGN_OR_RETURN(st->clock, MakeClock(c));
  const EnvLookup env = ProcessEnv();
  engine::EngineOptions eo = ToEngineOptions(cfg, env);
  if (local_cli && !cfg.IsExplicit("cache.backend")) {
    // The CLI's persistent local cache: a second identical command makes no
    // provider call (API.md "Command line").
    eo.backend = "parquet_dir";
  }
  eo.clock = st->clock.get();
  auto engine = engine::OpenEngine(eo);
  if (!engine.ok() && local_cli && !cfg.IsExplicit("cache.backend") &&
      engine.status().code() == StatusCode::kUnimplemented) {
    std::fprintf(
        stderr,
        "finex: warning: the persistent local cache (parquet_dir) is not available in this "
        "build; using an in-memory cache for this command\n");
    eo.backend = "memory";
    engine = engine::OpenEngine(eo);
  }
  if (!engine.ok()) return engine.status();
  st->engine = std::move(*engine);
  st->parquet = codec::NewParquetCodec();
  server::ServiceOptions so = ToServiceOptions(cfg, env);
  FINEX_RETURN_IF_ERROR(server::AlertEvaluator::Validate(so.alerts));
  so.clock = st->clock.get();
  so.version = FINEX_VERSION;
  so.commit = FINEX_GIT_COMMIT;
  if (local_cli) {
    so.admin_token = RandomToken();  // the in-process caller is the admin
    so.answer_cache_bytes = 0;
  }
  st->admin_token = so.admin_token;
  engine::Engine* eng = st->engine.get();
  so.backend_health = [eng] {
    std::vector<server::BackendHealthInfo> out;
    for (const engine::BackendHealth& h : eng->backend_health()) {
      out.push_back({h.name, h.degraded, h.last_error, static_cast<double>(h.degraded_for_ms) / 1e3,
                     h.degradations, h.recoveries, static_cast<double>(h.last_outage_ms) / 1e3});
    }
    return out;
  };
  st->service = std::make_unique<server::Service>(st->engine->api(), st->parquet.get(), so);
  return st;
}

// A client for data commands: remote with --server, else in-process.
struct Session {
  std::unique_ptr<Stack> stack;
  std::unique_ptr<Client> client;
  std::string admin_token;
  std::string admin_token_env;  // where a client-mode token comes from, for hints
};

Result<Session> OpenSession(const Common& c) {
  FINEX_ASSIGN_OR_RETURN(Config cfg, Load(c));
  Session s;
  std::string server = c.server_url;
  if (server.empty()) {
    if (const char* e = std::getenv("FINEX_SERVER"); e && *e) server = e;
  }
  if (!server.empty()) {
    // A bare host:port is what `finex serve` prints without the scheme.
    if (server.find("://") == std::string::npos) server = "http://" + server;
    if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0) {
      return InvalidArgumentError("--server '" + server + "' must be an http:// or https:// URL");
    }
    s.client = NewRemoteClient(server);
    s.admin_token_env = cfg.admin_token_env;
    s.admin_token = ProcessEnv()(cfg.admin_token_env).value_or("");
    return s;
  }
  FINEX_ASSIGN_OR_RETURN(s.stack, OpenStack(cfg, c, /*local_cli=*/true));
  s.client = NewLocalClient(*s.stack->service);
  s.admin_token = s.stack->admin_token;
  return s;
}

// Picks the output format: explicit, else by -o extension, else table on a
// terminal and csv when piped.
Result<std::string> ResolveFormat(const Common& c) {
  std::string f = c.format;
  if (f.empty() && !c.output.empty()) {
    auto ends = [&](std::string_view ext) {
      return c.output.size() >= ext.size() &&
             c.output.compare(c.output.size() - ext.size(), ext.size(), ext) == 0;
    };
    f = ends(".parquet") ? "parquet" : ends(".json") ? "json" : "csv";
  }
  if (f.empty()) f = isatty(STDOUT_FILENO) ? "table" : "csv";
  if (f != "table" && f != "csv" && f != "json" && f != "parquet") {
    return InvalidArgumentError("--format '" + f + "' is not one of table, csv, json, parquet");
  }
  if (f == "parquet" && c.output.empty() && isatty(STDOUT_FILENO)) {
    return InvalidArgumentError("parquet is binary: write it with -o FILE or pipe it");
  }
  return f;
}

int WriteOut(const Common& c, const std::string& data) {
  if (c.output.empty()) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
    return kExitOk;
  }
  std::ofstream f(c.output, std::ios::binary | std::ios::trunc);
  if (!f) {
    Err("cannot write '" + c.output + "'");
    return kExitError;
  }
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) {
    Err("cannot write '" + c.output + "'");
    return kExitError;
  }
  return kExitOk;
}

// Sends a data request in the wire format for `fmt` and writes the answer.
int Fetch(Session& s, const Common& c, const std::string& fmt, std::string target) {
  const std::string wire = fmt == "table" ? "json" : fmt;
  target += (target.find('?') == std::string::npos ? "?" : "&");
  target += "format=" + wire;
  auto r = s.client->Send("GET", target);
  if (!r.ok()) return Fail(r.status());
  if (r->status != 200) {
    Err(ProblemLine(r->body, r->status));
    return ExitCodeForHttpStatus(r->status);
  }
  if (fmt == "table") {
    std::string t = RenderTable(r->body, UseColor(c) && c.output.empty());
    return WriteOut(c, t);
  }
  // A text answer ends its last line (the shell prompt then starts on its own).
  if (fmt == "json" && !r->body.empty() && r->body.back() != '\n') r->body.push_back('\n');
  return WriteOut(c, r->body);
}

void AddCommon(CLI::App* app, Common& c, bool data) {
  app->add_option("--config", c.config_path,
                  "config file (default $XDG_CONFIG_HOME/finex/config.toml)");
  app->add_option("--profile", c.profile, "development | production (or FINEX_PROFILE)");
  app->add_option("--set", c.sets, "override a config key: --set cache.max_memory_mb=512");
  app->add_flag("--no-color", c.no_color, "no ANSI colours (also NO_COLOR)");
  if (data) {
    app->add_option("--server", c.server_url, "URL of a running finex serve (or FINEX_SERVER)");
    app->add_option("--format", c.format,
                    "table | csv | json | parquet (default: table on a terminal, csv when piped)");
    app->add_option("-o,--output", c.output, "write the answer to FILE");
  }
}

int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void BlockSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"finex: a smart cache for financial market data"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("finex ") + FINEX_VERSION + " (" + FINEX_GIT_COMMIT + ")");
  Common c;

  // serve
  auto* serve = app.add_subcommand("serve", "run the HTTP service");
  AddCommon(serve, c, false);
  std::string listen, sim_url;
  int threads = 0;
  serve->add_option("--listen", listen, "host:port (default 127.0.0.1:8080)");
  serve->add_option("--threads", threads, "I/O threads");
  serve
      ->add_option("--sim", sim_url,
                   "point every provider at a finex sim (default http://127.0.0.1:9100)")
      ->expected(0, 1)
      ->default_str("http://127.0.0.1:9100");
  serve->add_option("--clock-start", c.clock_start, "replay clock start (ISO datetime)");
  serve->add_option("--clock-speed", c.clock_speed, "replay clock speed (x wall clock)");
  serve->add_option("--clock-anchor", c.clock_anchor,
                    "wall-clock instant (ISO datetime or epoch seconds) at which the replay clock "
                    "reads --clock-start (default: start-up)");

  // sim
  auto* sim = app.add_subcommand("sim", "run the upstream provider simulator");
  std::string sim_listen = "127.0.0.1:9100", sim_data;
  uint64_t sim_seed = 0;
  sim->add_option("--listen", sim_listen, "host:port (default 127.0.0.1:9100)");
  sim->add_option("--data", sim_data, "directory of CSV histories to serve");
  sim->add_option("--seed", sim_seed, "generator seed (0 = the default universe)");
  // A latency fault holds an I/O thread per request: enough threads that a
  // client's concurrency, not the simulator, decides what overlaps.
  int sim_threads = 16;
  sim->add_option("--threads", sim_threads,
                  "I/O threads (default 16; each held for a latency_ms fault)")
      ->check(CLI::Range(1, 1024));
  sim->add_option("--clock-start", c.clock_start, "replay clock start (ISO datetime)");
  sim->add_option("--clock-speed", c.clock_speed, "replay clock speed (x wall clock)");
  sim->add_option("--clock-anchor", c.clock_anchor,
                  "wall-clock instant (ISO datetime or epoch seconds) at which the replay clock "
                  "reads --clock-start (default: start-up)");

  // history
  auto* history = app.add_subcommand("history", "bars for symbols");
  AddCommon(history, c, true);
  std::string symbols, interval = "1d", start, end, period, provider, fields, currency;
  history->add_option("symbols", symbols, "AAPL,MSFT")->required();
  history->add_option("--interval", interval, "1m 5m 15m 30m 1h 1d 1w 1mo");
  history->add_option("--start", start, "ISO date, ISO datetime with zone, or epoch seconds");
  history->add_option("--end", end, "inclusive; a bare date covers the whole day");
  history->add_option("--period", period, "1d 5d 1mo 3mo 6mo 1y 2y 5y 10y ytd max");
  history->add_option("--provider", provider, "yahoo binance alpha_vantage twelve_data coingecko");
  history->add_option("--fields", fields, "ohlcv,adj_close,market_cap");
  history->add_option("--currency", currency, "e.g. usd");

  auto* quote = app.add_subcommand("quote", "latest quotes");
  AddCommon(quote, c, true);
  quote->add_option("symbols", symbols, "AAPL,MSFT")->required();
  quote->add_option("--provider", provider, "provider");

  auto* search = app.add_subcommand("search", "symbol search");
  AddCommon(search, c, true);
  std::string query;
  int limit = 0;
  search->add_option("query", query, "text to search")->required();
  search->add_option("--provider", provider, "provider");
  search->add_option("--limit", limit, "max results (1-100)");

  auto* stats = app.add_subcommand("stats", "cache statistics");
  AddCommon(stats, c, true);

  auto* warm = app.add_subcommand("warm", "pre-fetch symbols into the cache");
  AddCommon(warm, c, true);
  std::string intervals = "1d";
  warm->add_option("symbols", symbols, "AAPL,MSFT")->required();
  warm->add_option("--intervals", intervals, "1d,1h");
  warm->add_option("--start", start, "range start")->required();
  warm->add_option("--end", end, "range end (inclusive)")->required();
  warm->add_option("--provider", provider, "provider");

  auto* invalidate = app.add_subcommand("invalidate", "drop cached fragments by key pattern");
  AddCommon(invalidate, c, true);
  std::string pattern;
  invalidate->add_option("pattern", pattern, "e.g. 'finex:AAPL:*'")->required();

  auto* config = app.add_subcommand("config", "configuration");
  auto* config_print =
      config->add_subcommand("print", "show the effective configuration (secrets redacted)");
  AddCommon(config_print, c, false);
  config->require_subcommand(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }

  if (config_print->parsed()) {
    auto cfg = Load(c);
    if (!cfg.ok()) return Fail(cfg.status());
    std::fputs(PrintConfig(*cfg, ProcessEnv()).c_str(), stdout);
    return kExitOk;
  }

  if (serve->parsed()) {
    std::vector<std::pair<std::string, std::string>> flags;
    if (!listen.empty()) flags.emplace_back("server.listen", listen);
    if (threads > 0) flags.emplace_back("server.threads", std::to_string(threads));
    auto cfg = Load(c, flags);
    if (!cfg.ok()) return Fail(cfg.status());
    if (serve->count("--sim") > 0) {
      if (sim_url.empty()) sim_url = "http://127.0.0.1:9100";
      if (sim_url.rfind("http://", 0) != 0 && sim_url.rfind("https://", 0) != 0) {
        Err("--sim '" + sim_url + "' must start with http:// or https://");
        return kExitBadInput;
      }
      PointAtSimulator(*cfg, sim_url);
    }
    BlockSignals();  // before any thread starts, so workers inherit the mask
    auto st = OpenStack(*cfg, c, /*local_cli=*/false);
    if (!st.ok()) return Fail(st.status());
    const auto& yahoo = cfg->providers.at("yahoo");
    Status s = server::ServeUntilSignal(
        *(*st)->service, ToServerOptions(*cfg),
        [&](uint16_t port) {
          // Structured lines (server/log.h): JSON when stderr is not a
          // terminal (systemd's journal, a file), key=value text otherwise.
          const std::string host = cfg->listen.substr(0, cfg->listen.rfind(':'));
          const std::string url = "http://" + host + ":" + std::to_string(port);
          const std::string providers =
              yahoo.base_url.empty() ? "real"
                                     : "at " + yahoo.base_url.substr(0, yahoo.base_url.rfind('/'));
          server::Log("info", "listening",
                      {{"message", "finex serve: listening on " + url +
                                       " (dashboard at /, profile " + cfg->profile + ", backend " +
                                       cfg->backend + ", providers " + providers + ")"},
                       {"url", url},
                       {"profile", cfg->profile},
                       {"backend", cfg->backend}});
          if ((*st)->admin_token.empty()) {
            server::Log("warn", "admin_disabled",
                        {{"message", "finex serve: admin routes disabled (set " +
                                         cfg->admin_token_env + " to enable)"}});
          }
          for (const auto& [name, p] : cfg->providers) {
            if (ProviderOffForMissingKey(*cfg, name, ProcessEnv())) {
              server::Log("warn", "provider_off",
                          {{"message", "finex serve: provider " + name +
                                           " off: it needs an API key (set " + p.api_key_env + ")"},
                           {"provider", name}});
            }
          }
        },
        static_cast<int>(cfg->drain_ms));
    if (!s.ok()) return Fail(s);
    server::Log("info", "stopped", {{"message", "finex serve: drained, bye"}});
    return kExitOk;
  }

  if (sim->parsed()) {
    auto clock = MakeClock(c);
    if (!clock.ok()) return Fail(clock.status());
    BlockSignals();
    sim::SimOptions so;
    so.listen = sim_listen;
    so.data_dir = sim_data;
    so.clock = clock->get();
    so.seed = sim_seed;
    so.threads = sim_threads;
    auto s = sim::Simulator::Start(so);
    if (!s.ok()) return Fail(s.status());
    std::fprintf(stderr, "finex sim: listening on %s (e.g. %s)\n", sim_listen.c_str(),
                 (*s)->BaseUrl("yahoo").c_str());
    WaitForSignal();
    s->reset();  // ~Simulator stops and drains it
    std::fprintf(stderr, "finex sim: stopped\n");
    return kExitOk;
  }

  // Data commands.
  auto session = OpenSession(c);
  if (!session.ok()) return Fail(session.status());

  if (history->parsed() || quote->parsed() || search->parsed()) {
    auto fmt = ResolveFormat(c);
    if (!fmt.ok()) return Fail(fmt.status());
    std::string target;
    if (history->parsed()) {
      target = "/v1/history?symbols=" + UrlEncode(symbols) + "&interval=" + UrlEncode(interval);
      if (!start.empty()) target += "&start=" + UrlEncode(start);
      if (!end.empty()) target += "&end=" + UrlEncode(end);
      if (!period.empty()) target += "&period=" + UrlEncode(period);
      if (!fields.empty()) target += "&fields=" + UrlEncode(fields);
      if (!currency.empty()) target += "&currency=" + UrlEncode(currency);
    } else if (quote->parsed()) {
      target = "/v1/quote?symbols=" + UrlEncode(symbols);
    } else {
      target = "/v1/search?q=" + UrlEncode(query);
      if (limit > 0) target += "&limit=" + std::to_string(limit);
    }
    if (!provider.empty()) target += "&provider=" + UrlEncode(provider);
    return Fetch(*session, c, *fmt, target);
  }

  if (stats->parsed()) {
    auto r = session->client->Send("GET", "/v1/cache/stats");
    if (!r.ok()) return Fail(r.status());
    if (r->status != 200) {
      Err(ProblemLine(r->body, r->status));
      return ExitCodeForHttpStatus(r->status);
    }
    std::string f = c.format.empty() ? (isatty(STDOUT_FILENO) ? "table" : "json") : c.format;
    if (f == "table")
      return WriteOut(c, RenderStatsTable(r->body, UseColor(c) && c.output.empty()));
    if (f != "json") {
      Err("stats supports --format table or json");
      return kExitBadInput;
    }
    return WriteOut(c, r->body + "\n");
  }

  // No token, no header: the server then says the token is missing.
  http::Headers auth;
  if (!session->admin_token.empty())
    auth.emplace_back("Authorization", "Bearer " + session->admin_token);
  auto admin_failed = [&](const ClientResponse& r) {
    Err(ProblemLine(r.body, r.status));
    if ((r.status == 401 || r.status == 403) && !session->admin_token_env.empty()) {
      Err(std::string("hint: warm and invalidate need the server's admin token in $") +
          session->admin_token_env + (session->admin_token.empty() ? " (not set)" : ""));
    }
    return ExitCodeForHttpStatus(r.status);
  };
  if (warm->parsed()) {
    nlohmann::json body;
    auto syms = ParseSymbolList(symbols, 10000);
    if (!syms.ok()) return Fail(syms.status());
    body["symbols"] = *syms;
    std::vector<std::string> ivs;
    for (size_t p = 0; p <= intervals.size();) {
      size_t q = intervals.find(',', p);
      if (q == std::string::npos) q = intervals.size();
      if (q > p) ivs.push_back(intervals.substr(p, q - p));
      p = q + 1;
    }
    body["intervals"] = ivs;
    body["ranges"] = nlohmann::json::array({{{"start", start}, {"end", end}}});
    if (!provider.empty()) body["provider"] = provider;
    auto r = session->client->Send("POST", "/v1/cache/warm", body.dump(), auth);
    if (!r.ok()) return Fail(r.status());
    if (r->status != 202) return admin_failed(*r);
    const auto id = nlohmann::json::parse(r->body, nullptr, false).value("id", std::string());
    // Progress only to a terminal (API.md); otherwise one outcome line.
    const bool tty = isatty(STDERR_FILENO) != 0;
    while (true) {
      auto s = session->client->Send("GET", "/v1/cache/warm/" + UrlEncode(id));
      if (!s.ok()) return Fail(s.status());
      if (s->status != 200) {
        Err(ProblemLine(s->body, s->status));
        return ExitCodeForHttpStatus(s->status);
      }
      auto j = nlohmann::json::parse(s->body, nullptr, false);
      const std::string state = j.value("state", std::string("?"));
      const int done = j.value("completed", 0), total = j.value("total", 0);
      if (tty) {
        const int width = 30;
        const int fill = total > 0 ? done * width / total : 0;
        std::fprintf(stderr, "\rwarm %s [%s%s] %d/%d %s   ", id.c_str(),
                     std::string(fill, '#').c_str(), std::string(width - fill, '.').c_str(), done,
                     total, state.c_str());
      }
      if (state == "done" || state == "failed") {
        if (tty) {
          std::fputc('\n', stderr);
        } else {
          std::fprintf(stderr, "finex: warm %s: %d/%d %s\n", id.c_str(), done, total,
                       state.c_str());
        }
        int rc = kExitOk;
        if (j.contains("errors") && j["errors"].is_array()) {
          for (const auto& e : j["errors"]) {
            Err("warm: " + (e.is_string() ? e.get<std::string>() : e.dump()));
            rc = kExitUpstream;
          }
        }
        if (state == "failed") rc = kExitUpstream;
        return rc;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  if (invalidate->parsed()) {
    auto r = session->client->Send("DELETE", "/v1/cache?pattern=" + UrlEncode(pattern), {}, auth);
    if (!r.ok()) return Fail(r.status());
    if (r->status != 200) return admin_failed(*r);
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    std::fprintf(stderr, "finex: removed %lld cached fragment(s) matching %s\n",
                 static_cast<long long>(j.value("removed", 0)), pattern.c_str());
    return kExitOk;
  }
  return kExitError;
}

}  // namespace finex::cli
