// In-process tests of every route of the HTTP API (no socket): status codes,
// bodies, headers and the error model, against FakeCachedApi.
#include "finex/server/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "finex/http/server.h"
#include "tests/testutil/fake_cached_api.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/status_matchers.h"

namespace finex::server {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr Timestamp kJan2 = 1704153600;  // 2024-01-02

// A deterministic stand-in for the Parquet codec: the frame's debug dump.
class TextCodec : public codec::FrameCodec {
 public:
  std::string_view name() const override { return "text"; }
  Result<Bytes> Encode(const Frame& f, const codec::KeyValueMetadata& meta) const override {
    std::string out = "PAR1";
    for (const auto& [k, v] : meta) out += k + "=" + v + ";";
    out += f.DebugString(1000);
    return out;
  }
  Result<codec::DecodedFrame> Decode(ByteView) const override {
    return UnimplementedError("test codec");
  }
};

http::Request MakeRequest(std::string method, std::string target, std::string body = "",
                          http::Headers headers = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    auto parsed = http::ParseQuery(std::string_view(target).substr(q + 1));
    if (parsed.ok()) r.query = *parsed;
  }
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.remote = "127.0.0.1:5000";
  return r;
}

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class ServiceTest : public ::testing::Test {
 protected:
  ServiceTest() : clock_(kJan2 + 200 * kSecondsPerDay) {
    api_.AddDailyBars("AAPL", kJan2, 250, 180);
    api_.AddDailyBars("MSFT", kJan2, 250, 370);
    finex::Quote q;
    q.symbol = "AAPL";
    q.price = 189.5;
    q.change = 1.25;
    q.timestamp = kJan2;
    q.provider = "yahoo";
    q.currency = "usd";
    q.market_state = "REGULAR";
    api_.AddQuote(q);
    SearchResult s;
    s.symbol = "AAPL";
    s.name = "Apple Inc.";
    s.type = "equity";
    s.exchange = "NMS";
    s.currency = "usd";
    s.provider = "yahoo";
    s.match_score = 0.97;
    api_.AddSearchResult(s);
    Make(/*token=*/"s3cret");
  }

  void Make(std::string token) {
    ServiceOptions o;
    o.admin_token = std::move(token);
    o.clock = &clock_;
    o.limits.max_symbols = 50;
    service_ = std::make_unique<Service>(api_, &codec_, o);
  }

  http::Response Run(const http::Request& r) { return service_->Handle(r); }
  http::Response Get(std::string target, http::Headers h = {}) {
    return Run(MakeRequest("GET", std::move(target), "", std::move(h)));
  }
  static Json Body(const http::Response& r) {
    EXPECT_TRUE(r.body);
    return Json::parse(*r.body);
  }
  // Asserts an RFC 9457 problem with the given status, code and param.
  static void ExpectProblem(const http::Response& r, int status, std::string_view code,
                            std::string_view param = "") {
    EXPECT_EQ(r.status, status) << *r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    Json j = Body(r);
    EXPECT_EQ(j["status"], status);
    EXPECT_EQ(j["type"], "about:blank");
    EXPECT_EQ(j["code"], code) << *r.body;
    EXPECT_TRUE(j["title"].is_string());
    EXPECT_TRUE(j["detail"].is_string());
    EXPECT_TRUE(j["request_id"].is_string());
    if (!param.empty()) {
      EXPECT_EQ(j["param"], param) << *r.body;
    }
  }

  testing::FakeCachedApi api_;
  testing::FakeClock clock_;
  TextCodec codec_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceTest, HistoryJsonIsColumnarWithCacheInfoAndQuery) {
  auto r = Get("/v1/history?symbols=AAPL,MSFT&interval=1d&start=2024-01-02&end=2024-01-05");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_EQ(r.content_type, "application/json");
  Json j = Body(r);
  ASSERT_EQ(j["data"]["symbol"].size(), 8u);
  EXPECT_EQ(j["data"]["symbol"][0], "AAPL");
  EXPECT_EQ(j["data"]["symbol"][4], "MSFT");
  EXPECT_EQ(j["data"]["timestamp"][0], kJan2);
  EXPECT_EQ(j["data"]["timestamp"][3], kJan2 + 3 * kSecondsPerDay);
  EXPECT_DOUBLE_EQ(j["data"]["open"][0].get<double>(), 180);
  EXPECT_DOUBLE_EQ(j["data"]["close"][1].get<double>(), 181.5);
  EXPECT_EQ(j["data"]["volume"][0], 1000000);
  EXPECT_FALSE(j["data"].contains("adj_close"));  // not requested
  for (const char* col : {"high", "low", "provider", "currency"}) {
    EXPECT_EQ(j["data"][col].size(), 8u) << col;
  }
  EXPECT_EQ(j["cache_info"]["api_calls_made"], 1);
  EXPECT_EQ(j["cache_info"]["data_freshness"], "5 minutes ago");
  EXPECT_EQ(j["cache_info"]["cache_keys_used"].size(), 2u);
  EXPECT_EQ(j["query"]["symbols"], Json::array({"AAPL", "MSFT"}));
  EXPECT_EQ(j["query"]["interval"], "1d");
  EXPECT_EQ(j["query"]["start"], "2024-01-02T00:00:00Z");
  EXPECT_EQ(j["query"]["end"], "2024-01-05T23:59:59Z");  // a bare end date covers the day
  EXPECT_EQ(j["query"]["fields"], "ohlcv");
  EXPECT_EQ(HeaderOf(r, "X-Finex-Start"), "2024-01-02T00:00:00Z");
  EXPECT_FALSE(HeaderOf(r, "X-Request-Id").empty());
  // The engine saw the resolved inclusive range.
  auto o = api_.last_history_options();
  EXPECT_EQ(*o.start, kJan2);
  EXPECT_EQ(*o.end, kJan2 + 4 * kSecondsPerDay - 1);
}

TEST_F(ServiceTest, HistoryFieldsAndEpochAndZonedTimes) {
  auto r =
      Get("/v1/history?symbols=AAPL&start=1704153600&end=2024-01-03T09:30:00-05:00"
          "&fields=ohlcv,adj_close&currency=USD");
  ASSERT_EQ(r.status, 200) << *r.body;
  Json j = Body(r);
  EXPECT_EQ(j["data"]["timestamp"].size(), 2u);
  EXPECT_DOUBLE_EQ(j["data"]["adj_close"][0].get<double>(), 180.25);
  EXPECT_EQ(j["query"]["fields"], "ohlcv+adj_close");
  EXPECT_EQ(api_.last_history_options().currency, "usd");
  // The full schema: currency and the exchange's zone on every row.
  ASSERT_EQ(j["data"]["timezone"].size(), j["data"]["timestamp"].size());
  EXPECT_EQ(j["data"]["timezone"][0], "America/New_York");
  EXPECT_EQ(j["data"]["currency"][0], "usd");
}

TEST_F(ServiceTest, HistoryPeriodResolvesAgainstTheClock) {
  auto r = Get("/v1/history?symbols=AAPL&period=1mo&end=2024-06-30");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_EQ(api_.last_history_options().period, "1mo");
  Json j = Body(r);
  EXPECT_GT(j["data"]["timestamp"].size(), 20u);
}

TEST_F(ServiceTest, HistoryCsvCarriesCacheInfoHeaders) {
  auto r = Get("/v1/history?symbols=AAPL&start=2024-01-02&end=2024-01-03&format=csv");
  ASSERT_EQ(r.status, 200) << *r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(*r.body,
            "symbol,timestamp,open,high,low,close,volume,provider,currency,timezone\n"
            "AAPL,1704153600,180,182,179,180.5,1000000,yahoo,usd,America/New_York\n"
            "AAPL,1704240000,181,183,180,181.5,1000001,yahoo,usd,America/New_York\n");
  EXPECT_EQ(HeaderOf(r, "X-Finex-Api-Calls"), "1");
  EXPECT_EQ(HeaderOf(r, "X-Finex-Hit-Rate"), "0");
  EXPECT_EQ(HeaderOf(r, "X-Finex-Freshness-S"), "300");
  EXPECT_EQ(HeaderOf(r, "X-Finex-Response-Time-Ms"), "0.25");
  EXPECT_THAT(HeaderOf(r, "X-Finex-Cache-Keys"), HasSubstr("finex:AAPL:1d:"));
  EXPECT_EQ(HeaderOf(r, "X-Finex-Start"), "2024-01-02T00:00:00Z");
  EXPECT_EQ(HeaderOf(r, "X-Finex-End"), "2024-01-03T23:59:59Z");
}

TEST_F(ServiceTest, ParquetHasEtagAndHonoursRange) {
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-01-10&format=parquet";
  auto full = Get(url);
  ASSERT_EQ(full.status, 200) << *full.body;
  EXPECT_EQ(full.content_type, "application/vnd.apache.parquet");
  const std::string etag = HeaderOf(full, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(HeaderOf(full, "Accept-Ranges"), "bytes");
  EXPECT_FALSE(HeaderOf(full, "X-Finex-Hit-Rate").empty());
  const std::string& bytes = *full.body;
  ASSERT_GT(bytes.size(), 100u);

  auto part = Get(url, {{"range", "bytes=4-19"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(*part.body, bytes.substr(4, 16));
  EXPECT_EQ(HeaderOf(part, "Content-Range"), "bytes 4-19/" + std::to_string(bytes.size()));
  EXPECT_EQ(HeaderOf(part, "ETag"), etag);  // same bytes whether cached or rebuilt

  auto tail = Get(url, {{"range", "bytes=-8"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(*tail.body, bytes.substr(bytes.size() - 8));

  auto open = Get(url, {{"range", "bytes=10-"}});
  EXPECT_EQ(*open.body, bytes.substr(10));

  auto bad = Get(url, {{"range", "bytes=" + std::to_string(bytes.size() + 5) + "-"}});
  ExpectProblem(bad, 416, "range_not_satisfiable");
  EXPECT_EQ(HeaderOf(bad, "Content-Range"), "bytes */" + std::to_string(bytes.size()));

  auto nm = Get(url, {{"if-none-match", etag}});
  EXPECT_EQ(nm.status, 304);

  // HEAD reaches the handler as GET with head set: same headers, same length.
  auto head_req = MakeRequest("GET", url);
  head_req.head = true;
  auto head = Run(head_req);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body->size(), bytes.size());
  EXPECT_EQ(HeaderOf(head, "ETag"), etag);
}

TEST_F(ServiceTest, ParquetOfARangeAnchoredToNowKeepsItsEtagAcrossSeconds) {
  // A remote reader's HEAD and Range requests come seconds apart; with the
  // answer cache out of the way each one rebuilds the bytes.
  ServiceOptions o;
  o.clock = &clock_;
  o.answer_cache_bytes = 0;
  Service s(api_, &codec_, o);
  const std::pair<std::string, std::string> cases[] = {
      {"period=1y", "finex.start=now-1y;finex.end=now;"},
      {"start=2024-03-01", "finex.start=2024-03-01T00:00:00Z;finex.end=now;"},
      {"", "finex.start=now-365d;finex.end=now;"},
  };
  for (const auto& [q, meta] : cases) {
    const std::string url = "/v1/history?symbols=AAPL&format=parquet&" + q;
    auto a = s.Handle(MakeRequest("GET", url));
    ASSERT_EQ(a.status, 200) << *a.body;
    EXPECT_THAT(*a.body, HasSubstr(meta))
        << "the file records the range as asked, not to the second";
    clock_.Advance(7);
    auto b = s.Handle(MakeRequest("GET", url));
    ASSERT_EQ(b.status, 200);
    EXPECT_EQ(HeaderOf(a, "ETag"), HeaderOf(b, "ETag")) << q;
  }
  // A fixed range records its resolved bounds.
  auto fixed = s.Handle(
      MakeRequest("GET", "/v1/history?symbols=AAPL&period=1mo&end=2024-03-01&format=parquet"));
  EXPECT_THAT(*fixed.body, HasSubstr("finex.end=2024-03-01T23:59:59Z;"));
  EXPECT_THAT(*fixed.body, HasSubstr("finex.start=2024-02-01T"));
}

TEST_F(ServiceTest, HotAnswersComeFromTheAnswerCacheAsSharedBytes) {
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-03-01";
  auto first = Get(url);  // engine fetches (api_calls_made 1): not admitted
  ASSERT_EQ(first.status, 200);
  auto second = Get(url);  // engine answers from cache: admitted
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(api_.history_calls(), 2);
  auto third = Get(url);  // served by the server without the engine
  EXPECT_EQ(api_.history_calls(), 2);
  EXPECT_EQ(third.body.get(), second.body.get()) << "the body bytes are shared, not copied";
  EXPECT_NE(HeaderOf(third, "X-Request-Id"), HeaderOf(second, "X-Request-Id"));
  EXPECT_EQ(service_->answer_cache().hits(), 1u);
}

// Answers age on the injected (replay) clock: past answer_cache_ttl_ms of
// its time the engine is asked again, however little wall time passed.
TEST_F(ServiceTest, AnswersExpireOnTheInjectedClock) {
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-03-01";
  Get(url);
  Get(url);  // admitted
  Get(url);  // from the answer cache
  EXPECT_EQ(api_.history_calls(), 2);
  clock_.Advance(2);  // > answer_cache_ttl_ms (1 s) on the service's clock
  Get(url);
  EXPECT_EQ(api_.history_calls(), 3);
}

TEST_F(ServiceTest, InvalidationClearsTheAnswerCache) {
  const std::string url = "/v1/quote?symbols=AAPL";
  Get(url);
  Get(url);
  Get(url);
  EXPECT_EQ(api_.quote_calls(), 2);
  auto del = Run(MakeRequest("DELETE", "/v1/cache?pattern=finex:AAPL:*", "",
                             {{"authorization", "Bearer s3cret"}}));
  ASSERT_EQ(del.status, 200) << *del.body;
  EXPECT_EQ(Body(del)["removed"], 3);
  EXPECT_EQ(api_.invalidated(), std::vector<std::string>{"finex:AAPL:*"});
  Get(url);
  EXPECT_EQ(api_.quote_calls(), 3);
}

TEST_F(ServiceTest, StaleAnswersAreServedButNotCachedByTheServer) {
  api_.SetStale(true);
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-01-03";
  for (int i = 0; i < 3; ++i) {
    auto r = Get(url);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(Body(r)["cache_info"]["stale"], true);
  }
  EXPECT_EQ(api_.history_calls(), 3);
}

TEST_F(ServiceTest, QuoteJsonAndCsv) {
  auto r = Get("/v1/quote?symbols=AAPL");
  ASSERT_EQ(r.status, 200) << *r.body;
  Json j = Body(r);
  EXPECT_EQ(j["data"]["symbol"][0], "AAPL");
  EXPECT_DOUBLE_EQ(j["data"]["price"][0].get<double>(), 189.5);
  EXPECT_TRUE(j["data"]["volume"][0].is_null());
  EXPECT_EQ(j["data"]["market_state"][0], "REGULAR");
  EXPECT_EQ(j["query"]["symbols"][0], "AAPL");
  EXPECT_TRUE(j.contains("cache_info"));
  auto csv = Get("/v1/quote?symbols=AAPL&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(*csv.body, HasSubstr("AAPL,189.5,1.25,,,,,,1704153600,yahoo,usd,REGULAR\n"));
  ExpectProblem(Get("/v1/quote?symbols=AAPL&format=parquet"), 400, "invalid_format", "format");
}

TEST_F(ServiceTest, SearchAnswers) {
  auto r = Get("/v1/search?q=apple");
  ASSERT_EQ(r.status, 200) << *r.body;
  Json j = Body(r);
  EXPECT_EQ(j["data"]["symbol"], Json::array({"AAPL"}));
  EXPECT_EQ(j["data"]["name"][0], "Apple Inc.");
  EXPECT_EQ(j["query"]["q"], "apple");
  ExpectProblem(Get("/v1/search"), 400, "invalid_q", "q");
  ExpectProblem(Get("/v1/search?q=%20%20"), 400, "invalid_q", "q");
  ExpectProblem(Get("/v1/search?q=" + std::string(100, 'a')), 400, "invalid_q", "q");
  ExpectProblem(Get("/v1/search?q=a&limit=1000"), 400, "invalid_limit", "limit");
}

TEST_F(ServiceTest, ParameterErrorsNameTheParameter) {
  ExpectProblem(Get("/v1/history"), 400, "invalid_symbols", "symbols");
  auto iv = Get("/v1/history?symbols=AAPL&interval=7x");
  ExpectProblem(iv, 400, "invalid_interval", "interval");
  EXPECT_EQ(Body(iv)["detail"], "interval '7x' is not one of 1m 5m 15m 30m 1h 1d 1w 1mo");
  ExpectProblem(Get("/v1/history?symbols=AAPL&start=yesterday"), 400, "invalid_start", "start");
  ExpectProblem(Get("/v1/history?symbols=AAPL&end=2024-13-01"), 400, "invalid_end", "end");
  ExpectProblem(Get("/v1/history?symbols=AAPL&start=2024-03-01&end=2024-02-01"), 400,
                "invalid_start", "start");
  ExpectProblem(Get("/v1/history?symbols=AAPL&period=7q"), 400, "invalid_period", "period");
  ExpectProblem(Get("/v1/history?symbols=AAPL&period=1y&start=2024-01-01"), 400, "invalid_period",
                "period");
  ExpectProblem(Get("/v1/history?symbols=AAPL&fields=ohlcv,bogus"), 400, "invalid_fields",
                "fields");
  ExpectProblem(Get("/v1/history?symbols=AAPL&provider=bloomberg"), 400, "invalid_provider",
                "provider");
  ExpectProblem(Get("/v1/history?symbols=AAPL&currency=u$d"), 400, "invalid_currency", "currency");
  ExpectProblem(Get("/v1/history?symbols=AAPL&format=xml"), 400, "invalid_format", "format");
  ExpectProblem(Get("/v1/history?symbols=AAPL&symbol=MSFT"), 400, "invalid_symbol", "symbol");
  ExpectProblem(Get("/v1/history?symbols=AAPL&symbols=MSFT"), 400, "invalid_symbols", "symbols");
  ExpectProblem(Get("/v1/history?symbols=finex:AAPL:*"), 400, "invalid_symbols", "symbols");
  ExpectProblem(Get("/v1/history?symbols=AAPL%00"), 400, "invalid_symbols", "symbols");
  ExpectProblem(Get("/v1/history?symbols=%FF%FE"), 400, "invalid_symbols", "symbols");
  ExpectProblem(Get("/v1/history?symbols=AAPL%ZZ"), 400, "invalid_symbols", "symbols");
}

TEST_F(ServiceTest, LimitsAnswerCleanly) {
  std::string many = "/v1/history?symbols=";
  for (int i = 0; i < 1000; ++i) many += (i ? ",S" : "S") + std::to_string(i);
  ExpectProblem(Get(many), 400, "invalid_symbols", "symbols");
  auto big = Get("/v1/history?symbols=AAPL&interval=1m&start=2014-01-01&end=2024-01-01");
  ExpectProblem(big, 400, "out_of_range", "start");
  EXPECT_THAT(Body(big)["detail"].get<std::string>(), HasSubstr("rows per answer"));
  EXPECT_EQ(api_.history_calls(), 0) << "limits are checked before the engine is asked";
}

TEST_F(ServiceTest, EngineErrorsMapToHttp) {
  api_.FailNext(NotFoundError("unknown symbol 'ZZZZ'").WithParam("symbols"));
  ExpectProblem(Get("/v1/history?symbols=AAPL"), 404, "unknown_symbol", "symbols");

  api_.FailNext(
      ResourceExhaustedError("yahoo rate limit").WithProvider("yahoo", 429).WithRetryAfter(12.2));
  auto rl = Get("/v1/history?symbols=AAPL");
  ExpectProblem(rl, 429, "rate_limited");
  EXPECT_EQ(HeaderOf(rl, "Retry-After"), "13");
  EXPECT_EQ(Body(rl)["retry_after_seconds"], 13);
  EXPECT_EQ(Body(rl)["provider"], "yahoo");
  EXPECT_EQ(Body(rl)["upstream_status"], 429);

  api_.FailNext(UnavailableError("yahoo answered 503").WithProvider("yahoo", 503));
  ExpectProblem(Get("/v1/quote?symbols=AAPL"), 502, "provider_unavailable");
  api_.FailNext(DeadlineExceededError("yahoo timed out").WithProvider("yahoo"));
  ExpectProblem(Get("/v1/search?q=apple"), 504, "provider_timeout");
  api_.FailNext(InternalError("boom"));
  ExpectProblem(Get("/v1/history?symbols=AAPL"), 500, "internal");
  // A provider's own "no such symbol" is an unknown symbol, named.
  api_.FailNext(NotFoundError("ZZZZ: yahoo: No data found").WithProvider("yahoo", 404));
  auto unknown = Get("/v1/history?symbols=AAPL");
  ExpectProblem(unknown, 404, "unknown_symbol", "symbols");
  EXPECT_EQ(Body(unknown)["provider"], "yahoo");
  // A provider rejecting finex's API key is a provider failure (502), never
  // the admin-only 401/403.
  api_.FailNext(
      UnauthenticatedError("alpha_vantage: apikey missing").WithProvider("alpha_vantage", 401));
  auto key = Get("/v1/history?symbols=AAPL");
  ExpectProblem(key, 502, "provider_rejected");
  EXPECT_EQ(HeaderOf(key, "WWW-Authenticate"), "");
  api_.FailNext(PermissionDeniedError("twelve_data: plan").WithProvider("twelve_data", 403));
  ExpectProblem(Get("/v1/quote?symbols=AAPL"), 502, "provider_rejected");
  // Errors are never cached in place of data.
  auto ok = Get("/v1/history?symbols=AAPL");
  EXPECT_EQ(ok.status, 200);
}

TEST_F(ServiceTest, RoutingErrors) {
  ExpectProblem(Get("/v2/nothing"), 404, "route_not_found");
  auto m = Run(MakeRequest("POST", "/v1/history?symbols=AAPL"));
  ExpectProblem(m, 405, "method_not_allowed");
  EXPECT_EQ(HeaderOf(m, "Allow"), "GET, HEAD");
  ExpectProblem(Run(MakeRequest("GET", "/v1/cache?pattern=finex:*")), 405, "method_not_allowed");
  ExpectProblem(Run(MakeRequest("PUT", "/v1/cache/warm")), 405, "method_not_allowed");
}

TEST_F(ServiceTest, AdminRoutesNeedTheBearerToken) {
  const std::string warm = R"({"symbols":["AAPL","MSFT"],"intervals":["1d","1h"],
                               "ranges":[{"start":"2024-01-01","end":"2024-03-31"}]})";
  auto none = Run(MakeRequest("POST", "/v1/cache/warm", warm));
  ExpectProblem(none, 401, "unauthorized");
  EXPECT_THAT(HeaderOf(none, "WWW-Authenticate"), HasSubstr("Bearer"));
  ExpectProblem(
      Run(MakeRequest("POST", "/v1/cache/warm", warm, {{"authorization", "Bearer nope"}})), 403,
      "forbidden");
  ExpectProblem(Run(MakeRequest("POST", "/v1/cache/warm", warm, {{"authorization", "Basic abc"}})),
                401, "unauthorized");
  ExpectProblem(Run(MakeRequest("DELETE", "/v1/cache?pattern=finex:*")), 401, "unauthorized");
  EXPECT_TRUE(api_.warm_requests().empty());
  EXPECT_TRUE(api_.invalidated().empty());

  auto ok = Run(MakeRequest("POST", "/v1/cache/warm", warm, {{"authorization", "Bearer s3cret"}}));
  ASSERT_EQ(ok.status, 202) << *ok.body;
  const std::string id = Body(ok)["id"];
  EXPECT_EQ(HeaderOf(ok, "Location"), "/v1/cache/warm/" + id);
  ASSERT_EQ(api_.warm_requests().size(), 1u);
  EXPECT_EQ(api_.warm_requests()[0].intervals.size(), 2u);
  EXPECT_EQ(api_.warm_requests()[0].ranges[0].second, 1711929599);  // 2024-03-31 end of day

  auto st = Get("/v1/cache/warm/" + id);
  ASSERT_EQ(st.status, 200) << *st.body;
  Json s = Body(st);
  EXPECT_EQ(s["id"], id);
  EXPECT_EQ(s["state"], "done");
  EXPECT_EQ(s["completed"], 4);
  EXPECT_EQ(s["total"], 4);
  EXPECT_TRUE(s["errors"].is_array());
  ExpectProblem(Get("/v1/cache/warm/nope"), 404, "not_found");
  ExpectProblem(Get("/v1/cache/warm/..%2F..%2Fetc"), 404, "not_found");
}

TEST_F(ServiceTest, AdminRoutesAreDisabledWithoutAToken) {
  Make("");
  auto r =
      Run(MakeRequest("DELETE", "/v1/cache?pattern=finex:*", "", {{"authorization", "Bearer x"}}));
  ExpectProblem(r, 403, "forbidden");
  EXPECT_THAT(Body(r)["detail"].get<std::string>(), HasSubstr("FINEX_ADMIN_TOKEN"));
}

TEST_F(ServiceTest, WarmBodyValidation) {
  auto post = [&](std::string body) {
    return Run(MakeRequest("POST", "/v1/cache/warm", std::move(body),
                           {{"authorization", "Bearer s3cret"}}));
  };
  ExpectProblem(post("not json"), 400, "invalid_body", "body");
  ExpectProblem(post("[]"), 400, "invalid_body", "body");
  ExpectProblem(post(R"({"symbols":[],"ranges":[{"start":1,"end":2}]})"), 400, "invalid_symbols");
  ExpectProblem(post(R"({"symbols":["A:B"],"ranges":[{"start":1,"end":2}]})"), 400,
                "invalid_symbols");
  ExpectProblem(post(R"({"symbols":["AAPL"],"intervals":["2d"],"ranges":[{"start":1,"end":2}]})"),
                400, "invalid_intervals");
  ExpectProblem(post(R"({"symbols":["AAPL"],"ranges":[{"start":5,"end":2}]})"), 400,
                "invalid_ranges");
  ExpectProblem(post(R"({"symbols":["AAPL"],"ranges":[{"start":"x","end":2}]})"), 400,
                "invalid_ranges");
  ExpectProblem(post(R"({"symbols":["AAPL"],"ranges":[{"start":1,"end":2}],"extra":1})"), 400,
                "invalid_body");
  ExpectProblem(post(std::string(2 << 20, ' ')), 413, "body_too_large");
}

TEST_F(ServiceTest, InvalidatePatternErrors) {
  auto del = [&](std::string target) {
    return Run(MakeRequest("DELETE", std::move(target), "", {{"authorization", "Bearer s3cret"}}));
  };
  ExpectProblem(del("/v1/cache"), 400, "invalid_pattern", "pattern");
  ExpectProblem(del("/v1/cache?pattern=*"), 400, "invalid_pattern", "pattern");
  ExpectProblem(del("/v1/cache?pattern=finex:*&x=1"), 400, "invalid_x", "x");
}

TEST_F(ServiceTest, StatsHealthReadyMetricsDashboard) {
  Get("/v1/quote?symbols=AAPL");
  auto s = Get("/v1/cache/stats");
  ASSERT_EQ(s.status, 200);
  Json j = Body(s);
  EXPECT_EQ(j["hits"], 90);
  EXPECT_DOUBLE_EQ(j["hit_rate"].get<double>(), 0.9);
  EXPECT_EQ(j["api_calls_saved"], 90);
  EXPECT_EQ(j["by_provider"]["yahoo"]["api_calls"], 10);
  EXPECT_EQ(j["by_symbol"]["AAPL"]["hits"], 60);
  EXPECT_EQ(j["fragments"], 12);
  ASSERT_EQ(j["providers"].size(), 3u);
  EXPECT_EQ(j["providers"][2]["daily_calls_remaining"], 7);
  EXPECT_FALSE(j["providers"][0].contains("daily_calls_remaining")) << "yahoo: no daily budget";
  EXPECT_EQ(j["providers"][1]["name"], "binance");
  EXPECT_EQ(j["providers"][1]["breaker"], "open");
  EXPECT_DOUBLE_EQ(j["providers"][1]["score"].get<double>(), 0.25);
  EXPECT_GE(j["server"]["requests"].get<int>(), 1);
  EXPECT_GT(j["server"]["p99_ms"].get<double>(), 0);

  auto h = Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(Body(h)["status"], "ok");
  EXPECT_EQ(Get("/readyz").status, 200);
  api_.SetReady(UnavailableError("backend redis unreachable"));
  ExpectProblem(Get("/readyz"), 503, "unavailable");
  api_.SetReady(OkStatus());
  service_->SetDraining(true);
  ExpectProblem(Get("/readyz"), 503, "unavailable");
  service_->SetDraining(false);

  auto m = Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_THAT(m.content_type, HasSubstr("text/plain; version=0.0.4"));
  const std::string& t = *m.body;
  EXPECT_THAT(
      t, HasSubstr("finex_http_requests_total{route=\"/v1/quote\",method=\"GET\",code=\"200\"} 1"));
  EXPECT_THAT(t, HasSubstr("finex_http_request_duration_seconds_bucket{route=\"/v1/"
                           "quote\",method=\"GET\",code=\"200\",le=\"0.0001\"}"));
  EXPECT_THAT(t, HasSubstr("finex_build_info{version="));
  EXPECT_THAT(t, HasSubstr("finex_provider_calls_total{provider=\"yahoo\"} 10"));
  EXPECT_THAT(t, HasSubstr("finex_cache_requests_total{provider=\"all\",result=\"hit\"} 90"));
  EXPECT_THAT(t, HasSubstr("finex_cache_fragments 12"));
  EXPECT_THAT(t, HasSubstr("# TYPE finex_cache_evictions_total counter"));
  EXPECT_THAT(t, HasSubstr("finex_provider_breaker_state{provider=\"yahoo\",state=\"closed\"} 1"));
  EXPECT_THAT(t, HasSubstr("finex_provider_breaker_state{provider=\"yahoo\",state=\"open\"} 0"));
  EXPECT_THAT(t, HasSubstr("finex_provider_breaker_state{provider=\"binance\",state=\"open\"} 1"));
  EXPECT_THAT(
      t, HasSubstr("finex_provider_breaker_state{provider=\"binance\",state=\"half_open\"} 0"));
  EXPECT_THAT(t, HasSubstr("finex_provider_health_score{provider=\"binance\"} 0.25"));
  EXPECT_THAT(t, HasSubstr("# TYPE finex_provider_daily_calls_remaining gauge"));
  EXPECT_THAT(t, HasSubstr("finex_provider_daily_calls_remaining{provider=\"alpha_vantage\"} 7\n"));
  EXPECT_THAT(t,
              ::testing::Not(HasSubstr("finex_provider_daily_calls_remaining{provider=\"yahoo")));
  EXPECT_THAT(t, ::testing::Not(HasSubstr("AAPL"))) << "no per-symbol labels in metrics";

  auto d = Get("/");
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(*d.body, HasSubstr("/v1/cache/stats"));
  EXPECT_THAT(*d.body, ::testing::Not(HasSubstr("http://"))) << "no external resources";
  EXPECT_THAT(*d.body, ::testing::Not(HasSubstr("https://")));
}

TEST_F(ServiceTest, RequestIdIsEchoedWhenValid) {
  auto r = Get("/healthz", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(HeaderOf(r, "X-Request-Id"), "abc-123");
  auto bad = Get("/healthz", {{"x-request-id", "a b\r\nX: y"}});
  EXPECT_NE(HeaderOf(bad, "X-Request-Id"), "a b\r\nX: y");
}

TEST_F(ServiceTest, ConcurrentRequestsAreSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = Get(i % 2 ? "/v1/quote?symbols=AAPL" : "/v1/history?symbols=MSFT&period=1mo");
        if (r.status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
}

}  // namespace
}  // namespace finex::server

namespace finex::server {
namespace {

// The fast path (Service::Fast, the memo of hot answers) as the transport
// calls it: the raw target, the headers as sent.
struct RawCall {
  std::string target;
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  bool head = false;
  http::RawRequest Raw() const {
    http::RawRequest r;
    r.head = head;
    r.method = "GET";
    r.target = target;
    r.headers = fields;
    return r;
  }
};

class FastPathTest : public ServiceTest {
 protected:
  // The answer the fast path gives for target, if any.
  std::optional<http::Response> Fast(const std::string& target, bool head = false) {
    RawCall c{target, {{"X-Request-Id", "req-1"}}, head};
    http::Response out;
    if (!service_->Fast(c.Raw(), out)) return std::nullopt;
    return out;
  }
  // Requests target through Handle() until the answer cache serves it (and
  // the memo records it).
  void Warm(const std::string& target) {
    for (int i = 0; i < 3; ++i) ASSERT_EQ(Get(target).status, 200) << target;
  }
  uint64_t RequestsCounted(std::string_view route, std::string_view method) {
    const std::string text = *Get("/metrics").body;
    const std::string prefix = "finex_http_requests_total{route=\"" + std::string(route) +
                               "\",method=\"" + std::string(method) + "\",code=\"200\"} ";
    const size_t at = text.find(prefix);
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + prefix.size()));
  }
};

TEST_F(FastPathTest, AMemoHitIsByteForByteTheSlowPathsAnswer) {
  for (const std::string target :
       {"/v1/quote?symbols=AAPL", "/v1/quote?symbols=AAPL&format=csv",
        "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-03-01",
        "/v1/history?symbols=AAPL,MSFT&period=1y", "/v1/search?q=apple"}) {
    SCOPED_TRACE(target);
    EXPECT_FALSE(Fast(target)) << "nothing is memoized before the answer cache serves it";
    Warm(target);
    const int calls = api_.history_calls() + api_.quote_calls();
    auto fast = Fast(target);
    ASSERT_TRUE(fast);
    const http::Response slow = Get(target, {{"x-request-id", "req-1"}});
    EXPECT_EQ(api_.history_calls() + api_.quote_calls(), calls) << "neither asked the engine";
    EXPECT_EQ(http::SerializeHeadForTest(*fast, "finex", "D", false),
              http::SerializeHeadForTest(slow, "finex", "D", false));
    ASSERT_TRUE(fast->body && slow.body);
    EXPECT_EQ(*fast->body, *slow.body);
    EXPECT_EQ(fast->body.get(), slow.body.get()) << "the same shared bytes";
  }
}

TEST_F(FastPathTest, CountsRequestsAndHitsLikeTheSlowPath) {
  const std::string url = "/v1/quote?symbols=AAPL";
  Warm(url);
  const uint64_t get0 = RequestsCounted("/v1/quote", "GET");
  const uint64_t head0 = RequestsCounted("/v1/quote", "HEAD");
  const uint64_t hits0 = service_->answer_cache().hits();
  ASSERT_TRUE(Fast(url));
  ASSERT_TRUE(Fast(url, /*head=*/true));
  EXPECT_EQ(RequestsCounted("/v1/quote", "GET"), get0 + 1);
  EXPECT_EQ(RequestsCounted("/v1/quote", "HEAD"), head0 + 1);
  EXPECT_EQ(service_->answer_cache().hits(), hits0 + 2);
  // A valid X-Request-Id is echoed, else one is made.
  RawCall bad{url, {{"x-request-id", "bad id!"}}};
  http::Response out;
  ASSERT_TRUE(service_->Fast(bad.Raw(), out));
  EXPECT_EQ(out.headers.size(), 1u);
  EXPECT_NE(HeaderOf(out, "X-Request-Id"), "bad id!");
  EXPECT_FALSE(HeaderOf(out, "X-Request-Id").empty());
}

TEST_F(FastPathTest, InvalidationEndsEveryMemoEntry) {
  const std::string url = "/v1/quote?symbols=AAPL";
  Warm(url);
  ASSERT_TRUE(Fast(url));
  auto del = Run(MakeRequest("DELETE", "/v1/cache?pattern=finex:AAPL:*", "",
                             {{"authorization", "Bearer s3cret"}}));
  ASSERT_EQ(del.status, 200);
  EXPECT_FALSE(Fast(url));
  const int calls = api_.quote_calls();
  Get(url);
  EXPECT_EQ(api_.quote_calls(), calls + 1) << "the slow path asks the engine again";
}

TEST_F(FastPathTest, AnInvalidationSeenOnlyByTheEngineEndsItToo) {
  // Another node's invalidation reaches the engine, not this Service's route.
  const std::string url = "/v1/quote?symbols=AAPL";
  Warm(url);
  ASSERT_TRUE(Fast(url));
  ASSERT_OK(api_.invalidate_cache("finex:AAPL:*"));
  EXPECT_FALSE(Fast(url));
}

TEST_F(FastPathTest, ExpiryOfTheCachedAnswerEndsTheMemoEntry) {
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-03-01";
  Warm(url);
  ASSERT_TRUE(Fast(url));
  clock_.Advance(2);  // past answer_cache_ttl_ms
  EXPECT_FALSE(Fast(url));
  const int calls = api_.history_calls();
  Get(url);
  EXPECT_EQ(api_.history_calls(), calls + 1);
}

// Without an end, "now" is the end of the range (and part of the answer's
// key): once "now" moves to the next second the same target means another
// range, so the memo must not answer for the old one even though that
// answer has not expired.
TEST_F(FastPathTest, ARangeEndingNowIsNotServedIntoTheNextSecond) {
  clock_.SetMicros(clock_.NowMicros() + 700'000);
  const std::string url = "/v1/history?symbols=AAPL&start=2024-01-02";
  Warm(url);
  ASSERT_TRUE(Fast(url));
  clock_.AdvanceMicros(400'000);  // the next second; the answer (1 s TTL) is still cached
  EXPECT_FALSE(Fast(url));
  const int calls = api_.history_calls();
  Get(url);
  EXPECT_EQ(api_.history_calls(), calls + 1) << "the slow path resolves a new range";
}

TEST_F(FastPathTest, AnEvictedAnswerIsNotServed) {
  ServiceOptions o;
  o.clock = &clock_;
  o.answer_cache_bytes = 16384;
  service_ = std::make_unique<Service>(api_, &codec_, o);
  const std::string a = "/v1/quote?symbols=AAPL";
  Warm(a);
  ASSERT_TRUE(Fast(a));
  // Memo hits do not refresh the answer's recency: enough other answers
  // push it out of the answer cache.
  for (int d = 0; d < 60; ++d) {
    const Timestamp day = kJan2 + d * kSecondsPerDay;
    const std::string t = "/v1/history?symbols=AAPL&start=" + std::to_string(day) +
                          "&end=" + std::to_string(day + kSecondsPerDay - 1);
    Get(t);
    Get(t);
  }
  EXPECT_FALSE(Fast(a));
}

TEST_F(FastPathTest, NotUsedForParquetNorWhenLoggingEveryRequest) {
  const std::string pq = "/v1/history?symbols=AAPL&start=2024-01-02&end=2024-03-01&format=parquet";
  Warm(pq);
  EXPECT_FALSE(Fast(pq)) << "Parquet answers depend on Range/If-None-Match";
  ServiceOptions o;
  o.clock = &clock_;
  o.access_log = "all";
  service_ = std::make_unique<Service>(api_, &codec_, o);
  const std::string url = "/v1/quote?symbols=AAPL";
  Warm(url);
  EXPECT_FALSE(Fast(url)) << "every request goes through Handle(), which logs it";
  o.access_log = "off";
  o.answer_memo_entries = 0;
  service_ = std::make_unique<Service>(api_, &codec_, o);
  Warm(url);
  EXPECT_FALSE(Fast(url));
  EXPECT_EQ(service_->answer_memo().entries(), 0u);
}

}  // namespace
}  // namespace finex::server
