// End-to-end cost model (issue 13): the real engine (OpenEngine, libcurl,
// ResilientProvider(adapter)) against an in-process `finex sim` over
// loopback HTTP, on one FakeClock. Upstream calls are counted by the
// simulator. Covers CoinGecko's history window with and without a pro key,
// and the daily call budget (Alpha Vantage): spent budgets fall back to
// another provider, or answer 429 with Retry-After = the seconds to 00:00
// UTC, without an upstream call beyond the budget.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "finex/engine/engine.h"
#include "finex/server/http_status.h"
#include "finex/sim/simulator.h"
#include "tests/testutil/fake_clock.h"
#include "tests/testutil/status_matchers.h"

namespace finex::cache {
namespace {

using engine::EngineOptions;
using engine::ProviderOptions;
using testing::StatusIs;

Timestamp T(int y, int m, int d, int hh = 0) {
  return DaysFromCivil({y, m, d}) * kSecondsPerDay + hh * kSecondsPerHour;
}

class QuotaE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::SimOptions so;
    so.listen = "127.0.0.1:0";
    so.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(sim_, sim::Simulator::Start(so));
  }
  // An engine over the simulator with these providers (by name), in order.
  void Open(std::vector<std::pair<std::string, ProviderOptions>> providers) {
    engine_.reset();
    EngineOptions eo;
    eo.clock = &clock_;
    for (auto& [name, po] : providers) {
      po.base_url = sim_->BaseUrl(name);
      po.max_retries = 0;
      eo.providers[name] = po;
      eo.provider_order.push_back(name);
    }
    ASSERT_OK_AND_ASSIGN(engine_, engine::OpenEngine(eo));
  }
  static ProviderOptions Options(std::string api_key = "", std::string plan = "auto",
                                 int64_t calls_per_day = 0) {
    ProviderOptions po;
    po.rate_limit_per_min = 100000;
    po.api_key = std::move(api_key);
    po.plan = std::move(plan);
    po.calls_per_day = calls_per_day;
    return po;
  }
  Result<HistoryResult> H(const std::string& sym, Timestamp s, Timestamp e,
                          std::string provider = "") {
    HistoryOptions o;
    o.start = s;
    o.end = e;
    o.provider = std::move(provider);
    return engine_->api().History(std::span<const std::string>(&sym, 1), o);
  }
  int64_t Calls(const std::string& provider) const {
    const sim::SimStats s = sim_->stats();
    auto it = s.calls.find(provider);
    return it == s.calls.end() ? 0 : it->second;
  }
  int64_t DailyRemaining(const std::string& provider) const {
    for (const ProviderState& p : engine_->api().cache_stats().providers)
      if (p.name == provider) return p.daily_calls_remaining;
    return -2;
  }

  finex::testing::FakeClock clock_{T(2025, 1, 11, 12)};  // a Saturday
  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
};

// A pro key (plan "premium") serves daily bars from five years ago to four
// years ago; without one the same request is not a 502: CoinGecko's public
// window (365 days) holds none of it, so the answer is empty and says why,
// and a request straddling the window is clipped to what CoinGecko serves.
TEST_F(QuotaE2e, CoinGeckoProKeyLiftsThe365DayWindow) {
  const Timestamp now = clock_.Now();
  const Timestamp start = now - 5 * 365 * kSecondsPerDay, end = now - 4 * 365 * kSecondsPerDay;
  Open({{"coingecko", Options("CGPRO", "premium")}});
  ASSERT_OK_AND_ASSIGN(HistoryResult pro, H("bitcoin", start, end, "coingecko"));
  EXPECT_GE(pro.frame->rows(), 360u);
  EXPECT_LE(pro.frame->first_timestamp(), start + kSecondsPerDay);
  EXPECT_GE(pro.frame->last_timestamp(), end - 2 * kSecondsPerDay);
  EXPECT_EQ(Calls("coingecko"), 1) << "one call carries the whole year";

  sim_->ResetStats();
  Open({{"coingecko", Options("", "auto")}});
  auto keyless = H("bitcoin", start, end, "coingecko");
  ASSERT_OK(keyless) << "beyond the public window is not a provider failure";
  EXPECT_EQ(keyless->frame->rows(), 0u);
  EXPECT_THAT(keyless->info.note, ::testing::HasSubstr("reach"));
  EXPECT_EQ(Calls("coingecko"), 0) << "the facts' window: nothing CoinGecko would serve to ask";
  ASSERT_OK_AND_ASSIGN(HistoryResult clipped,
                       H("bitcoin", now - 400 * kSecondsPerDay, now - kSecondsPerDay, "coingecko"));
  EXPECT_GE(clipped.frame->rows(), 360u);
  EXPECT_GE(clipped.frame->first_timestamp(), now - 366 * kSecondsPerDay);
}

// plan "premium" but no key reaches CoinGecko as a keyless client: the facts
// (pro: no window) do not predict the refusal (HTTP 401, error 10012 "...
// within the past 365 days"). It is learned and the call asked again inside
// the window: the answer serves what CoinGecko serves, never a 502, and a
// later request makes no refused call.
TEST_F(QuotaE2e, CoinGeckoRefusedWindowIsLearnedAndClipped) {
  const Timestamp now = clock_.Now();
  Open({{"coingecko", Options("", "premium")}});
  ASSERT_OK_AND_ASSIGN(HistoryResult r,
                       H("bitcoin", now - 400 * kSecondsPerDay, now - kSecondsPerDay, "coingecko"));
  EXPECT_GE(r.frame->rows(), 360u);
  EXPECT_GE(r.frame->first_timestamp(), now - 366 * kSecondsPerDay);
  EXPECT_THAT(r.info.note, ::testing::HasSubstr("reach"));
  const int64_t calls = Calls("coingecko");
  EXPECT_EQ(calls, 2) << "one refused, one inside the window";
  ASSERT_OK_AND_ASSIGN(
      r, H("ethereum", now - 500 * kSecondsPerDay, now - kSecondsPerDay, "coingecko"));
  EXPECT_GE(r.frame->rows(), 360u);
  EXPECT_EQ(Calls("coingecko"), calls + 1) << "the learned window: no refused call";
}

// Alpha Vantage's daily budget (3 calls here): three symbols are served by
// it, the fourth by the fallback (Yahoo) without an Alpha Vantage call; with
// no fallback the answer is ResourceExhausted → 429 with Retry-After = the
// seconds to 00:00 UTC. After midnight the budget is back.
TEST_F(QuotaE2e, SpentDailyBudgetFallsBackOrAnswers429UntilMidnight) {
  Open({{"alpha_vantage", Options("AVKEY", "auto", 3)}, {"yahoo", Options()}});
  EXPECT_EQ(DailyRemaining("alpha_vantage"), 3);
  EXPECT_EQ(DailyRemaining("yahoo"), -1);
  const Timestamp s = T(2024, 1, 1), e = T(2024, 6, 28);
  for (const std::string sym : {"AAPL", "MSFT", "IBM"}) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(sym, s, e));
    EXPECT_EQ(r.query.provider, "alpha_vantage") << sym;
  }
  EXPECT_EQ(Calls("alpha_vantage"), 3);
  EXPECT_EQ(DailyRemaining("alpha_vantage"), 0);
  ASSERT_OK_AND_ASSIGN(HistoryResult fallback, H("ORCL", s, e));
  EXPECT_EQ(fallback.query.provider, "yahoo");
  EXPECT_GT(fallback.frame->rows(), 100u);
  EXPECT_EQ(Calls("alpha_vantage"), 3) << "no call beyond the budget";
  EXPECT_EQ(Calls("yahoo"), 1);

  // Only Alpha Vantage: 429 with Retry-After until 00:00 UTC (12 h away).
  auto spent = H("KO", s, e, "alpha_vantage");
  ASSERT_THAT(spent, StatusIs(StatusCode::kResourceExhausted, "daily call budget"));
  EXPECT_EQ(Calls("alpha_vantage"), 3);
  const http::Response resp = server::ProblemFromStatus(spent.status(), "req-1");
  EXPECT_EQ(resp.status, 429);
  std::string retry_after;
  for (const auto& [k, v] : resp.headers)
    if (k == "Retry-After") retry_after = v;
  EXPECT_EQ(retry_after, std::to_string(12 * kSecondsPerHour));

  clock_.Set(T(2025, 1, 12));  // midnight UTC: a new day's budget
  EXPECT_EQ(DailyRemaining("alpha_vantage"), 3);
  ASSERT_OK_AND_ASSIGN(HistoryResult next_day, H("KO", s, e, "alpha_vantage"));
  EXPECT_GT(next_day.frame->rows(), 100u);
  EXPECT_EQ(Calls("alpha_vantage"), 4);
}

// The provider's own daily limit is learned: the simulator answers Alpha
// Vantage's HTTP-200 {"Information": "... 2 requests per day ..."} after two
// calls while finex's budget (25) says more are left; that answer marks the
// day spent, so later requests make no Alpha Vantage call until midnight.
TEST_F(QuotaE2e, AlphaVantagesDailyLimitAnswerSpendsTheDay) {
  ASSERT_OK(sim_->SetFaults(R"({"providers": {"alpha_vantage": {"rate_limit_per_day": 2}}})"));
  Open({{"alpha_vantage", Options("AVKEY", "auto", 25)}, {"yahoo", Options()}});
  const Timestamp s = T(2024, 1, 1), e = T(2024, 6, 28);
  for (const std::string sym : {"AAPL", "MSFT"}) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(sym, s, e));
    EXPECT_EQ(r.query.provider, "alpha_vantage") << sym;
  }
  EXPECT_EQ(DailyRemaining("alpha_vantage"), 23);
  ASSERT_OK_AND_ASSIGN(HistoryResult third, H("IBM", s, e));
  EXPECT_EQ(third.query.provider, "yahoo") << "the refused call fell back";
  EXPECT_EQ(Calls("alpha_vantage"), 3);
  EXPECT_EQ(DailyRemaining("alpha_vantage"), 0) << "learned from the Information answer";
  for (const std::string sym : {"ORCL", "KO", "PEP"}) {
    ASSERT_OK_AND_ASSIGN(HistoryResult r, H(sym, s, e));
    EXPECT_EQ(r.query.provider, "yahoo") << sym;
  }
  EXPECT_EQ(Calls("alpha_vantage"), 3) << "zero upstream calls once the day is spent";
}

}  // namespace
}  // namespace finex::cache
