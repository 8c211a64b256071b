defmodule Finex.QuantHttpClientSimTest do
  # Quant.Explorer's own request URLs (the-nerd-company/quant @ 554c6b9,
  # lib/quant_explorer/providers/*.ex), sent through Finex.QuantHttpClient with
  # the simulator as the base URL: each must land on the provider's route
  # (counted by /_sim/stats) and come back in that provider's wire format.
  use ExUnit.Case, async: false
  alias Finex.QuantHttpClient, as: C
  alias Finex.TestSim, as: Sim

  @moduletag :integration

  # 2024-01-02 00:00 UTC .. 2024-01-31 23:59:59 UTC
  @p1 1_704_153_600
  @p2 1_706_745_599

  defp opts, do: [base_url: Sim.sim_url(), timeout: 10_000]

  test "Yahoo chart: same bars as the simulator's own URL, one counted yahoo call" do
    # yahoo_finance.ex build_chart_url/4 with start_date/end_date
    url = "https://query1.finance.yahoo.com/v8/finance/chart/AAPL"
    params = %{includePrePost: "false", interval: "1d", period1: @p1, period2: @p2}
    before = Sim.route("yahoo /v8/finance/chart")

    assert {:ok, %{status: 200, body: body, headers: headers}} =
             C.get(url, params, [headers: [{"User-Agent", "Quant.Explorer/0.1.0"}]] ++ opts())

    assert Sim.route("yahoo /v8/finance/chart") == before + 1
    assert {"content-type", "application/json" <> _} = List.keyfind(headers, "content-type", 0)
    assert {:ok, %{"chart" => %{"result" => [res], "error" => nil}}} = C.decode_json(body)
    assert res["meta"]["symbol"] == "AAPL"

    direct =
      Sim.get_json!(
        Sim.sim_url() <>
          "/yahoo/v8/finance/chart/AAPL?includePrePost=false&interval=1d&period1=#{@p1}&period2=#{@p2}"
      )

    [dres] = direct["chart"]["result"]
    assert res["timestamp"] == dres["timestamp"]
    assert res["indicators"] == dres["indicators"]
    # January 2024 has 21 NYSE sessions (New Year's Day and MLK Day closed).
    assert length(res["timestamp"]) == 21
  end

  test "Yahoo quote and search through query2 and query1" do
    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://query2.finance.yahoo.com/v7/finance/quote",
               %{symbols: "AAPL,MSFT"},
               opts()
             )

    assert {:ok, %{"quoteResponse" => %{"result" => quotes}}} = C.decode_json(b)
    assert Enum.map(quotes, & &1["symbol"]) == ["AAPL", "MSFT"]

    assert Enum.all?(
             quotes,
             &(is_number(&1["regularMarketPrice"]) and &1["regularMarketPrice"] > 0)
           )

    assert {:ok, %{status: 200, body: b}} =
             C.get("https://query1.finance.yahoo.com/v1/finance/search", %{q: "apple"}, opts())

    assert {:ok, %{"quotes" => found}} = C.decode_json(b)
    assert "AAPL" in Enum.map(found, & &1["symbol"])
  end

  test "Binance klines, 24h ticker and exchangeInfo (binance.ex paths)" do
    before = Sim.route("binance /api/v3/klines")

    params = %{
      symbol: "BTCUSDT",
      interval: "1d",
      startTime: @p1 * 1000,
      endTime: @p2 * 1000,
      limit: 1000
    }

    assert {:ok, %{status: 200, body: b}} =
             C.get("https://api.binance.com/api/v3/klines", params, opts())

    assert Sim.route("binance /api/v3/klines") == before + 1
    assert {:ok, klines} = C.decode_json(b)
    # crypto trades every day: 30 daily bars from Jan 2 to Jan 31
    assert length(klines) == 30
    assert Enum.all?(klines, &(length(&1) == 12))
    assert hd(hd(klines)) == @p1 * 1000

    assert {:ok, %{status: 200, body: b}} =
             C.get("https://api.binance.com/api/v3/ticker/24hr", %{symbol: "BTCUSDT"}, opts())

    assert {:ok, %{"symbol" => "BTCUSDT", "lastPrice" => last}} = C.decode_json(b)
    assert {price, ""} = Float.parse(last)
    assert price > 0

    assert {:ok, %{status: 200, body: b}} =
             C.get("https://api.binance.com/api/v3/exchangeInfo", %{}, opts())

    assert {:ok, %{"symbols" => symbols}} = C.decode_json(b)
    assert "BTCUSDT" in Enum.map(symbols, & &1["symbol"])
  end

  test "Alpha Vantage daily series and quote (alpha_vantage.ex base URL is .../query)" do
    before = Sim.route("alpha_vantage /query")

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://www.alphavantage.co/query",
               %{
                 function: "TIME_SERIES_DAILY",
                 symbol: "IBM",
                 outputsize: "compact",
                 apikey: "k"
               },
               opts()
             )

    assert Sim.route("alpha_vantage /query") == before + 1
    assert {:ok, %{"Meta Data" => meta, "Time Series (Daily)" => series}} = C.decode_json(b)
    assert meta["2. Symbol"] == "IBM"
    # compact = the latest 100 points
    assert map_size(series) == 100

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://www.alphavantage.co/query",
               %{function: "GLOBAL_QUOTE", symbol: "IBM", apikey: "k"},
               opts()
             )

    assert {:ok, %{"Global Quote" => %{"01. symbol" => "IBM"}}} = C.decode_json(b)
  end

  test "Twelve Data time_series, quote and symbol_search" do
    before = Sim.route("twelve_data /time_series")

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://api.twelvedata.com/time_series",
               %{
                 "symbol" => "AAPL",
                 "interval" => "1day",
                 "outputsize" => 5,
                 "apikey" => "k",
                 "format" => "json"
               },
               opts()
             )

    assert Sim.route("twelve_data /time_series") == before + 1

    assert {:ok, %{"meta" => %{"symbol" => "AAPL"}, "values" => values, "status" => "ok"}} =
             C.decode_json(b)

    assert length(values) == 5

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://api.twelvedata.com/quote",
               %{"symbol" => "AAPL", "apikey" => "k"},
               opts()
             )

    assert {:ok, %{"symbol" => "AAPL"}} = C.decode_json(b)

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://api.twelvedata.com/symbol_search",
               %{"symbol" => "AAPL", "apikey" => "k"},
               opts()
             )

    assert {:ok, %{"data" => [_ | _] = data}} = C.decode_json(b)
    assert "AAPL" in Enum.map(data, & &1["symbol"])
  end

  test "CoinGecko public and pro hosts both reach the coingecko prefix" do
    before = Sim.route("coingecko /api/v3/simple/price")

    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://api.coingecko.com/api/v3/simple/price",
               %{ids: "bitcoin", vs_currencies: "usd"},
               opts()
             )

    assert {:ok, %{"bitcoin" => %{"usd" => usd}}} = C.decode_json(b)
    assert is_number(usd) and usd > 0

    assert {:ok, %{status: 200}} =
             C.get(
               "https://pro-api.coingecko.com/api/v3/simple/price",
               %{ids: "bitcoin", vs_currencies: "usd"},
               [headers: [{"x-cg-pro-api-key", "k"}]] ++ opts()
             )

    assert Sim.route("coingecko /api/v3/simple/price") == before + 2

    # 2024 is beyond the public plan's 365 days: CoinGecko's own 401 body comes
    # back unchanged ...
    range = %{vs_currency: "usd", from: @p1, to: @p2}
    chart = "/api/v3/coins/bitcoin/market_chart/range"

    assert {:ok, %{status: 401, body: b}} =
             C.get("https://api.coingecko.com" <> chart, range, opts())

    assert {:ok, %{"error" => %{"status" => %{"error_code" => 10012}}}} = C.decode_json(b)

    # ... and with the pro host and Quant.Explorer's key header (passed on) it is served.
    assert {:ok, %{status: 200, body: b}} =
             C.get(
               "https://pro-api.coingecko.com" <> chart,
               range,
               [headers: [{"x-cg-pro-api-key", "k"}]] ++ opts()
             )

    assert {:ok, %{"prices" => [[ms, price] | _] = prices}} = C.decode_json(b)
    assert is_integer(ms) and ms >= @p1 * 1000 and is_number(price)
    # a 30-day span: hourly points (CoinGecko's automatic granularity), 30 x 24
    assert length(prices) == 720

    assert {:ok, %{status: 200, body: b}} =
             C.get("https://api.coingecko.com/api/v3/search", %{query: "bitcoin"}, opts())

    assert {:ok, %{"coins" => coins}} = C.decode_json(b)
    assert "bitcoin" in Enum.map(coins, & &1["id"])
  end

  test "the provider's own error answer comes back unchanged (status and body)" do
    assert {:ok, %{status: status, body: b}} =
             C.get(
               "https://api.binance.com/api/v3/klines",
               %{symbol: "NOPE", interval: "1d"},
               opts()
             )

    assert status == 400
    assert {:ok, %{"code" => -1121, "msg" => "Invalid symbol."}} = C.decode_json(b)
  end

  test "post/3 goes through the same rewrite" do
    before = Sim.route("binance (unknown)")

    assert {:ok, %{status: status, headers: headers}} =
             C.post("https://api.binance.com/api/v3/order", "{}", opts())

    # Binance's answer for a route it does not serve, from the binance prefix
    assert status in 400..499
    assert List.keymember?(headers, "x-mbx-used-weight-1m", 0)
    assert Sim.route("binance (unknown)") == before + 1
  end
end
