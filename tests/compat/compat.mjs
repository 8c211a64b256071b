// Real provider clients, unmodified, against `finex serve` in front of
// `finex sim` (API.md "Provider-compatible routes"): yahoo-finance2 (chart,
// historical, quote, search), ccxt binance (loadMarkets, fetchTicker,
// fetchOHLCV), alphavantage (daily, intraday, quote, search) and CoinGecko's
// official SDK (market chart range, simple price, search). Each client only has its base URL changed. The test asserts
// the values the client parsed equal the simulator's truth (its own answer to
// the same request) and counts upstream calls with /_sim/stats: a repeated or
// narrower request makes zero.
//
// usage: node compat.mjs <finex binary> <work dir>
// Prints one line per client call ("calls <client> <call> <upstream calls>")
// for docs/compat.md; exits 1 on the first failed assertion.
import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import yahooFinance from "yahoo-finance2";
import ccxt from "ccxt";
import alphavantage from "alphavantage";
import Coingecko from "@coingecko/coingecko-typescript";

const [finexBin, workDir] = process.argv.slice(2);
if (!finexBin || !workDir) {
  console.error("usage: node compat.mjs <finex binary> <work dir>");
  process.exit(2);
}
fs.mkdirSync(workDir, { recursive: true });

// Both processes read one frozen replay clock: Saturday 2024-03-16 15:00Z
// (markets closed: quotes do not move), running at 1e-6x.
const CLOCK = ["--clock-start", "2024-03-16T15:00:00Z", "--clock-speed", "0.000001",
               "--clock-anchor", String(Math.floor(Date.now() / 1000))];
const children = [];

function start(args, pattern) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, XDG_CONFIG_HOME: workDir, XDG_CACHE_HOME: workDir,
                  FINEX_ALPHA_VANTAGE_KEY: "demo", FINEX_TWELVE_DATA_KEY: "demo",
                  // The simulator has no quota: no local throttling of the test's calls.
                  FINEX_PROVIDERS__ALPHA_VANTAGE__RATE_LIMIT_PER_MIN: "100000",
                  FINEX_PROVIDERS__YAHOO__RATE_LIMIT_PER_MIN: "100000",
                  FINEX_PROVIDERS__BINANCE__RATE_LIMIT_PER_MIN: "100000",
                  FINEX_PROVIDERS__COINGECKO__RATE_LIMIT_PER_MIN: "100000" };
    const p = spawn(finexBin, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    children.push(p);
    let err = "";
    const timer = setTimeout(() => reject(new Error(`timeout starting finex ${args[0]}: ${err}`)), 30000);
    p.stderr.on("data", (d) => {
      err += d;
      const m = err.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    p.on("exit", (code) => reject(new Error(`finex ${args[0]} exited ${code}: ${err}`)));
  });
}

function stopAll() {
  for (const p of children) if (p.exitCode === null) p.kill("SIGTERM");
}
process.on("exit", stopAll);

const simPort = await start(["sim", "--listen", "127.0.0.1:0", ...CLOCK],
                            /http:\/\/127\.0\.0\.1:(\d+)\/yahoo/);
const sim = `http://127.0.0.1:${simPort}`;
const servePort = await start(
    ["serve", "--listen", "127.0.0.1:0", "--sim", sim, "--profile", "development", ...CLOCK],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/);
const serve = `http://127.0.0.1:${servePort}`;

async function simTotal() {
  const r = await fetch(`${sim}/_sim/stats`);
  return (await r.json()).total;
}
async function simJson(p) {
  const r = await fetch(sim + p);
  assert.equal(r.status, 200, `sim ${p}`);
  return r.json();
}

// Runs one client call; returns [result, upstream calls it caused].
async function counted(client, name, fn) {
  const before = await simTotal();
  const result = await fn();
  const calls = (await simTotal()) - before;
  console.log(`calls ${client} ${name} ${calls}`);
  return [result, calls];
}

const f32 = (x) => Math.fround(x);

// ------------------------------------------------------------ yahoo-finance2
{
  // The one configuration: a fetch that sends Yahoo's hosts to finex.
  const yahooHosts = /^https:\/\/(query1\.finance|query2\.finance|finance)\.yahoo\.com/;
  yahooFinance._env = {
    ...yahooFinance._env,
    fetch: (url, opts) => fetch(String(url).replace(yahooHosts, `${serve}/yahoo`), opts),
  };
  yahooFinance.setGlobalConfig({ validation: { logErrors: true } });
  yahooFinance.suppressNotices(["yahooSurvey", "ripHistorical"]);

  const p1 = Date.UTC(2024, 0, 2) / 1000, p2 = Date.UTC(2024, 2, 1) / 1000;
  const truth = (await simJson(
      `/yahoo/v8/finance/chart/AAPL?period1=${p1}&period2=${p2}&interval=1d`)).chart.result[0];
  const [chart, c1] = await counted("yahoo-finance2", "chart(AAPL,1d,2024-01-02..2024-03-01)",
      () => yahooFinance.chart("AAPL", { period1: "2024-01-02", period2: "2024-03-01", interval: "1d" }));
  assert.ok(c1 >= 1, "a cold chart asks the provider");
  assert.equal(chart.quotes.length, truth.timestamp.length);
  chart.quotes.forEach((q, i) => {
    assert.equal(q.date.getTime() / 1000, truth.timestamp[i]);
    assert.equal(f32(q.close), f32(truth.indicators.quote[0].close[i]), `close ${i}`);
    assert.equal(q.volume, truth.indicators.quote[0].volume[i]);
  });
  assert.equal(chart.meta.currency, "USD");
  const [, c2] = await counted("yahoo-finance2", "chart(same again)",
      () => yahooFinance.chart("AAPL", { period1: "2024-01-02", period2: "2024-03-01", interval: "1d" }));
  assert.equal(c2, 0, "a repeated chart makes no upstream call");
  const [narrow, c3] = await counted("yahoo-finance2", "chart(AAPL,1d,2024-01-10..2024-02-15)",
      () => yahooFinance.chart("AAPL", { period1: "2024-01-10", period2: "2024-02-15", interval: "1d" }));
  assert.equal(c3, 0, "a narrower chart makes no upstream call");
  assert.ok(narrow.quotes.length > 20);
  const [hist, c4] = await counted("yahoo-finance2", "historical(AAPL,2024-01-10..2024-02-15)",
      () => yahooFinance.historical("AAPL", { period1: "2024-01-10", period2: "2024-02-15" }));
  assert.equal(c4, 0, "historical inside the cached range makes no upstream call");
  assert.equal(hist.length, narrow.quotes.length);
  hist.forEach((row, i) => assert.equal(f32(row.close), f32(narrow.quotes[i].close)));

  const [quote, c5] = await counted("yahoo-finance2", "quote(AAPL) incl. cookie+crumb",
      () => yahooFinance.quote("AAPL"));
  const tq = (await simJson("/yahoo/v7/finance/quote?symbols=AAPL")).quoteResponse.result[0];
  assert.equal(f32(quote.regularMarketPrice), f32(tq.regularMarketPrice));
  assert.equal(quote.symbol, "AAPL");
  assert.equal(c5, 1, "one upstream quote call");
  const [, c6] = await counted("yahoo-finance2", "quote(AAPL) again", () => yahooFinance.quote("AAPL"));
  assert.equal(c6, 0, "a repeated quote is served from the cache");

  const [found, c7] = await counted("yahoo-finance2", "search(Apple)", () => yahooFinance.search("Apple"));
  assert.ok(found.quotes.some((q) => q.symbol === "AAPL"), JSON.stringify(found.quotes));
  assert.equal(c7, 1);
  const [, c8] = await counted("yahoo-finance2", "search(Apple) again", () => yahooFinance.search("Apple"));
  assert.equal(c8, 0, "a repeated search is served from the cache");
}

// ------------------------------------------------------------ ccxt binance
{
  const ex = new ccxt.binance({ enableRateLimit: false,
                                options: { fetchMarkets: ["spot"], defaultType: "spot" } });
  // The one configuration: the public REST base.
  ex.urls.api.public = `${serve}/binance/api/v3`;

  const [, m1] = await counted("ccxt", "loadMarkets()", () => ex.loadMarkets());
  assert.equal(m1, 0, "exchangeInfo is answered by finex itself");
  assert.ok(ex.markets["BTC/USDT"], "BTC/USDT listed");

  const since = Date.UTC(2024, 2, 14, 0, 0, 0);
  const truth = await simJson(`/binance/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=${since}&limit=24`);
  const [bars, k1] = await counted("ccxt", "fetchOHLCV(BTC/USDT,1h,24)",
      () => ex.fetchOHLCV("BTC/USDT", "1h", since, 24));
  assert.ok(k1 >= 1);
  assert.equal(bars.length, 24);
  bars.forEach((b, i) => {
    assert.equal(b[0], truth[i][0]);
    assert.equal(b[4], Number(truth[i][4]), `close ${i}`);
    assert.equal(b[5], Number(truth[i][5]), `volume ${i}`);
  });
  const [, k2] = await counted("ccxt", "fetchOHLCV(same again)",
      () => ex.fetchOHLCV("BTC/USDT", "1h", since, 24));
  assert.equal(k2, 0, "a repeated fetchOHLCV makes no upstream call");
  const [sub, k3] = await counted("ccxt", "fetchOHLCV(BTC/USDT,1h,6 inside)",
      () => ex.fetchOHLCV("BTC/USDT", "1h", since + 6 * 3600000, 6));
  assert.equal(k3, 0, "a narrower fetchOHLCV makes no upstream call");
  assert.deepEqual(sub, bars.slice(6, 12));

  const [ticker, t1] = await counted("ccxt", "fetchTicker(BTC/USDT)", () => ex.fetchTicker("BTC/USDT"));
  const tt = await simJson("/binance/api/v3/ticker/24hr?symbol=BTCUSDT");
  assert.equal(ticker.last, Number(tt.lastPrice));
  assert.equal(t1, 1);
  const [, t2] = await counted("ccxt", "fetchTicker(again)", () => ex.fetchTicker("BTC/USDT"));
  assert.equal(t2, 0, "a repeated ticker is served from the cache");
}

// ------------------------------------------------------------ alphavantage
{
  const config = { key: "demo" };
  const alpha = alphavantage(config);
  // The one configuration: the base URL the client builds every call on.
  config.base = `${serve}/alpha_vantage/query?apikey=demo&`;

  const truth = await simJson("/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM&apikey=demo");
  const [daily, d1] = await counted("alphavantage", "data.daily(IBM) compact",
                                    () => alpha.data.daily("IBM"));
  assert.ok(d1 >= 1);
  assert.deepEqual(daily["Time Series (Daily)"], truth["Time Series (Daily)"]);
  assert.equal(Object.keys(daily["Time Series (Daily)"]).length, 100);
  const [, d2] = await counted("alphavantage", "data.daily(IBM) again", () => alpha.data.daily("IBM"));
  assert.equal(d2, 0, "a repeated daily makes no upstream call");
  const [quote, q1] = await counted("alphavantage", "data.quote(IBM)", () => alpha.data.quote("IBM"));
  assert.equal(q1, 0, "GLOBAL_QUOTE comes from the cached daily series");
  const tq = await simJson("/alpha_vantage/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=demo");
  assert.deepEqual(quote, tq);

  const ti = await simJson(
      "/alpha_vantage/query?function=TIME_SERIES_INTRADAY&symbol=IBM&interval=5min&apikey=demo");
  const [intra, i1] = await counted("alphavantage", "data.intraday(IBM,5min) compact",
      () => alpha.data.intraday("IBM", "compact", "json", "5min"));
  assert.ok(i1 >= 1);
  assert.deepEqual(intra["Time Series (5min)"], ti["Time Series (5min)"]);
  const [, i2] = await counted("alphavantage", "data.intraday(IBM,5min) again",
      () => alpha.data.intraday("IBM", "compact", "json", "5min"));
  assert.equal(i2, 0);

  const [found, s1] = await counted("alphavantage", "data.search(Apple)", () => alpha.data.search("Apple"));
  assert.ok(found.bestMatches.some((m) => m["1. symbol"] === "AAPL"), JSON.stringify(found));
  assert.equal(s1, 1);
  const [, s2] = await counted("alphavantage", "data.search(Apple) again", () => alpha.data.search("Apple"));
  assert.equal(s2, 0);
}

// ------------------------------------------------------------ CoinGecko's official SDK
{
  // The one configuration: the SDK's baseURL option.
  const cgc = new Coingecko({ demoAPIKey: "demo", maxRetries: 0,
                              baseURL: `${serve}/coingecko/api/v3` });
  const to = Date.UTC(2024, 2, 16, 15) / 1000, from = to - 30 * 86400;
  const truth = await simJson(
      `/coingecko/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=${from}&to=${to}`);
  const [chart, g1] = await counted("coingecko-typescript", "coins.marketChart.getRange(bitcoin,30d)",
      () => cgc.coins.marketChart.getRange("bitcoin", { vs_currency: "usd", from, to }));
  assert.ok(g1 >= 1);
  assert.equal(chart.prices.length, truth.prices.length);
  assert.deepEqual(chart.prices, truth.prices);
  const [, g2] = await counted("coingecko-typescript", "getRange again",
      () => cgc.coins.marketChart.getRange("bitcoin", { vs_currency: "usd", from, to }));
  assert.equal(g2, 0, "a repeated range makes no upstream call");
  const [inner, g3] = await counted("coingecko-typescript", "getRange(bitcoin, 10 days inside)",
      () => cgc.coins.marketChart.getRange("bitcoin",
                                           { vs_currency: "usd", from: from + 86400, to: from + 11 * 86400 }));
  assert.equal(g3, 0, "a narrower range makes no upstream call");
  assert.ok(inner.prices.length > 0);

  const tp = await simJson("/coingecko/api/v3/simple/price?ids=bitcoin&vs_currencies=usd");
  const [price, p1] = await counted("coingecko-typescript", "simple.price.get(bitcoin,usd)",
      () => cgc.simple.price.get({ ids: "bitcoin", vs_currencies: "usd" }));
  assert.equal(price.bitcoin.usd, tp.bitcoin.usd);
  assert.equal(p1, 1);
  const [, p2] = await counted("coingecko-typescript", "simple.price.get again",
      () => cgc.simple.price.get({ ids: "bitcoin", vs_currencies: "usd" }));
  assert.equal(p2, 0);

  const [found, s1] = await counted("coingecko-typescript", "search.get(bitcoin)",
      () => cgc.search.get({ query: "bitcoin" }));
  assert.ok(found.coins.some((c) => c.id === "bitcoin"), JSON.stringify(found));
  assert.equal(s1, 1);
  const [, s2] = await counted("coingecko-typescript", "search.get again",
      () => cgc.search.get({ query: "bitcoin" }));
  assert.equal(s2, 0);
}

console.log("compat: all clients passed");
stopAll();
process.exit(0);
