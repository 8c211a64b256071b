// Real provider clients, unmodified, against `finex serve` in front of
// `finex sim` (API.md "Provider-compatible routes"): yahoo-finance2 (chart,
// historical, quote, search), ccxt binance (loadMarkets, fetchTicker,
// fetchOHLCV, fetchTickers), alphavantage (daily, daily/weekly adjusted,
// intraday, quote, search), a minimal Twelve Data client making the requests
// of Twelve Data's docs (time_series, quote, symbol_search; Twelve Data has no
// JavaScript client of its own on npm) and CoinGecko's official SDK (market
// chart range, simple price, search). Each client only has its base URL changed. The test asserts
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
                  FINEX_PROVIDERS__COINGECKO__RATE_LIMIT_PER_MIN: "100000",
                  FINEX_PROVIDERS__TWELVE_DATA__RATE_LIMIT_PER_MIN: "100000" };
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

  // Dividends (events=div|split, which chart() sends by default): a generated
  // equity that paid dividends and did not split in the range, found by
  // asking the simulator (its truth).
  const e1 = Date.UTC(2023, 0, 3) / 1000, e2 = Date.UTC(2024, 2, 1) / 1000;
  let sym, evTruth;
  for (let i = 0; i < 200 && !sym; ++i) {
    const r = (await simJson(`/yahoo/v8/finance/chart/S${i}?period1=${e1}&period2=${e2}` +
                             "&interval=1d&events=div%7Csplit")).chart.result[0];
    if (r.events && r.events.dividends && !r.events.splits) [sym, evTruth] = [`S${i}`, r.events];
  }
  assert.ok(sym, "the simulator has a symbol with dividends and no split in 2023");
  const truthDivs = Object.values(evTruth.dividends);
  const [ev, c9] = await counted("yahoo-finance2", `chart(${sym},1d,2023-01-03..2024-03-01) with events`,
      () => yahooFinance.chart(sym, { period1: "2023-01-03", period2: "2024-03-01", interval: "1d" }));
  assert.ok(c9 >= 1);
  assert.equal(ev.events.dividends.length, truthDivs.length);
  ev.events.dividends.forEach((d, i) => {
    // (yahoo-finance2 2.13 leaves event dates of chart() as Yahoo's epoch seconds)
    assert.equal(d.date instanceof Date ? d.date.getTime() / 1000 : d.date, truthDivs[i].date);
    // read back from the cached adjclose: equal to the provider's within 1e-4
    assert.ok(Math.abs(d.amount - truthDivs[i].amount) < 1e-4, `${d.amount} vs ${truthDivs[i].amount}`);
  });
  assert.equal(ev.events.splits, undefined, "no splits block when there are none");
  const [divs, c10] = await counted("yahoo-finance2", `historical(${sym}, events: dividends)`,
      () => yahooFinance.historical(sym, { period1: "2023-01-03", period2: "2024-03-01", events: "dividends" }));
  assert.equal(c10, 0, "dividends of a cached range make no upstream call");
  assert.equal(divs.length, truthDivs.length);
  divs.forEach((d, i) => assert.ok(Math.abs(d.dividends - truthDivs[i].amount) < 1e-4));
  const [splits, c11] = await counted("yahoo-finance2", `historical(${sym}, events: split)`,
      () => yahooFinance.historical(sym, { period1: "2023-01-03", period2: "2024-03-01", events: "split" }));
  assert.equal(c11, 0);
  assert.deepEqual(splits, []);
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

  // Every listed pair (ticker/24hr without symbol), then two of them (symbols=[...]).
  const [all, t3] = await counted("ccxt", "fetchTickers()", () => ex.fetchTickers());
  const listed = Object.keys(ex.markets);
  assert.deepEqual(Object.keys(all).sort(), listed.slice().sort());
  assert.equal(t3, listed.length - 1, "one upstream call per pair not cached yet (BTC/USDT is)");
  for (const [symbol, t] of Object.entries(all)) {
    const truthT = await simJson(`/binance/api/v3/ticker/24hr?symbol=${ex.markets[symbol].id}`);
    assert.equal(t.last, Number(truthT.lastPrice), symbol);
  }
  const [two, t4] = await counted("ccxt", "fetchTickers([BTC/USDT,ETH/USDT])",
      () => ex.fetchTickers(["BTC/USDT", "ETH/USDT"]));
  assert.equal(t4, 0, "tickers already cached make no upstream call");
  assert.deepEqual(Object.keys(two).sort(), ["BTC/USDT", "ETH/USDT"]);
  assert.equal(two["ETH/USDT"].last, all["ETH/USDT"].last);
  const [, t5] = await counted("ccxt", "fetchTickers() again", () => ex.fetchTickers());
  assert.equal(t5, 0);
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

  // TIME_SERIES_DAILY_ADJUSTED / WEEKLY_ADJUSTED: adjusted close, dividends and
  // split coefficients (read back from the cached adjusted close) on a
  // generated equity that paid dividends.
  let sym;
  for (let i = 0; i < 200 && !sym; ++i) {
    const t = await simJson(`/alpha_vantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=S${i}&apikey=demo`);
    if (Object.values(t["Time Series (Daily)"] || {}).some((r) => Number(r["7. dividend amount"]) > 0)) sym = `S${i}`;
  }
  assert.ok(sym, "the simulator has a symbol with a dividend in the last 100 days");
  const sameAdjusted = (got, truth) => {
    assert.deepEqual(Object.keys(got), Object.keys(truth));
    for (const [day, row] of Object.entries(truth)) {
      for (const [k, v] of Object.entries(row)) {
        if (k === "7. dividend amount") {
          assert.ok(Math.abs(Number(got[day][k]) - Number(v)) < 1e-3, `${day} ${got[day][k]} vs ${v}`);
        } else {
          assert.equal(got[day][k], v, `${day} ${k}`);
        }
      }
    }
  };
  const ta = await simJson(`/alpha_vantage/query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=${sym}&apikey=demo`);
  const [adj, a1] = await counted("alphavantage", `data.daily_adjusted(${sym}) compact`,
      () => alpha.data.daily_adjusted(sym));
  assert.ok(a1 >= 1);
  sameAdjusted(adj["Time Series (Daily)"], ta["Time Series (Daily)"]);
  const [, a2] = await counted("alphavantage", `data.daily_adjusted(${sym}) again`,
      () => alpha.data.daily_adjusted(sym));
  assert.equal(a2, 0);
  const tw = await simJson(`/alpha_vantage/query?function=TIME_SERIES_WEEKLY_ADJUSTED&symbol=${sym}&apikey=demo`);
  const [week, w1] = await counted("alphavantage", `data.weekly_adjusted(${sym})`,
      () => alpha.data.weekly_adjusted(sym));
  assert.ok(w1 >= 1);
  sameAdjusted(week["Weekly Adjusted Time Series"], tw["Weekly Adjusted Time Series"]);
  const [, w2] = await counted("alphavantage", `data.weekly_adjusted(${sym}) again`,
      () => alpha.data.weekly_adjusted(sym));
  assert.equal(w2, 0);
}

// ------------------------------------------------------------ Twelve Data
// Twelve Data publishes no JavaScript client on npm (the `twelvedata` package,
// 3.0.1, is a community wrapper whose base URL is a hard-coded constant), so
// this is a minimal client making the requests exactly as Twelve Data's REST
// docs spell them: GET {base}/time_series?symbol=&interval=&outputsize=
// (or start_date/end_date), /quote?symbol=, /symbol_search?symbol=, the key
// as apikey= or as the header "Authorization: apikey KEY". The one
// configuration is its base URL.
{
  const twelveData = (base, key, { header = false } = {}) => async (endpoint, params) => {
    const q = new URLSearchParams(header ? params : { ...params, apikey: key });
    const r = await fetch(`${base}${endpoint}?${q}`,
                          header ? { headers: { Authorization: `apikey ${key}` } } : {});
    const body = await r.json();
    if (body.status === "error") throw new Error(`twelve data ${endpoint}: ${body.code} ${body.message}`);
    return body;
  };
  const td = twelveData(`${serve}/twelve_data`, "demo");
  const tdh = twelveData(`${serve}/twelve_data`, "other-key", { header: true });

  const truth = await simJson("/twelve_data/time_series?symbol=AAPL&interval=1day&outputsize=30&apikey=demo");
  const [series, s1] = await counted("twelve-data (docs' requests)", "time_series(AAPL,1day,30)",
      () => td("/time_series", { symbol: "AAPL", interval: "1day", outputsize: "30" }));
  assert.ok(s1 >= 1);
  assert.deepEqual(series.values, truth.values);
  // meta: all but the listing venue, which finex takes from its calendar of
  // the symbol (a bare US symbol reads NYSE/XNYS; docs/compat.md "What finex fills").
  const { exchange: _e1, mic_code: _m1, ...gotMeta } = series.meta;
  const { exchange: _e2, mic_code: _m2, ...truthMeta } = truth.meta;
  assert.deepEqual(gotMeta, truthMeta);
  const [, s2] = await counted("twelve-data (docs' requests)", "time_series again (key in the header)",
      () => tdh("/time_series", { symbol: "AAPL", interval: "1day", outputsize: "30" }));
  assert.equal(s2, 0, "a repeated series makes no upstream call, whatever the key");
  const [narrow, s3] = await counted("twelve-data (docs' requests)", "time_series(AAPL,1day,start_date..end_date inside)",
      () => td("/time_series", { symbol: "AAPL", interval: "1day", start_date: "2024-02-20",
                                 end_date: "2024-03-01", order: "ASC" }));
  assert.equal(s3, 0, "a narrower series makes no upstream call");
  const truthNarrow = await simJson("/twelve_data/time_series?symbol=AAPL&interval=1day" +
                                    "&start_date=2024-02-20&end_date=2024-03-01&order=ASC&apikey=demo");
  assert.deepEqual(narrow.values, truthNarrow.values);
  assert.ok(narrow.values.length >= 7);

  const [quote, q1] = await counted("twelve-data (docs' requests)", "quote(AAPL)",
      () => td("/quote", { symbol: "AAPL" }));
  assert.equal(q1, 0, "the quote comes from the cached daily series");
  const tq = await simJson("/twelve_data/quote?symbol=AAPL&apikey=demo");
  for (const k of ["symbol", "datetime", "open", "close", "previous_close"]) assert.equal(quote[k], tq[k], k);

  const [found, f1] = await counted("twelve-data (docs' requests)", "symbol_search(Apple)",
      () => td("/symbol_search", { symbol: "Apple" }));
  assert.ok(found.data.some((m) => m.symbol === "AAPL"), JSON.stringify(found));
  assert.equal(f1, 1);
  const [, f2] = await counted("twelve-data (docs' requests)", "symbol_search(Apple) again",
      () => tdh("/symbol_search", { symbol: "Apple" }));
  assert.equal(f2, 0);
  // A bad request keeps Twelve Data's error body.
  await assert.rejects(td("/time_series", { symbol: "AAPL", interval: "7min" }), /twelve data \/time_series: 400/);
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
