defmodule Finex.RewriteTest do
  # URL rewriting without a network: every base URL Quant.Explorer hard-codes
  # (the-nerd-company/quant @ 554c6b9, lib/quant_explorer/providers/*.ex).
  use ExUnit.Case, async: true
  alias Finex.QuantHttpClient, as: C

  @base "http://127.0.0.1:8080"

  test "each provider base URL Quant.Explorer uses maps to finex's provider prefix" do
    cases = [
      {"https://query1.finance.yahoo.com/v8/finance/chart/AAPL?includePrePost=false&interval=1d&range=1y",
       "/yahoo/v8/finance/chart/AAPL?includePrePost=false&interval=1d&range=1y"},
      {"https://query2.finance.yahoo.com/v7/finance/quote?symbols=AAPL,MSFT",
       "/yahoo/v7/finance/quote?symbols=AAPL,MSFT"},
      {"https://query1.finance.yahoo.com/v1/finance/search?q=apple",
       "/yahoo/v1/finance/search?q=apple"},
      {"https://api.binance.com/api/v3/klines?symbol=BTCUSDT&interval=1h",
       "/binance/api/v3/klines?symbol=BTCUSDT&interval=1h"},
      {"https://www.alphavantage.co/query?function=TIME_SERIES_DAILY&symbol=IBM",
       "/alpha_vantage/query?function=TIME_SERIES_DAILY&symbol=IBM"},
      {"https://api.twelvedata.com/time_series?symbol=AAPL&interval=1day",
       "/twelve_data/time_series?symbol=AAPL&interval=1day"},
      {"https://api.coingecko.com/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=30",
       "/coingecko/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=30"},
      {"https://pro-api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd",
       "/coingecko/api/v3/simple/price?ids=bitcoin&vs_currencies=usd"}
    ]

    for {from, path} <- cases do
      assert C.rewrite_url(from, @base) == {:ok, @base <> path}, from
    end
  end

  test "host matching ignores case; path and query are kept byte for byte" do
    assert C.rewrite_url(
             "HTTPS://API.Binance.COM/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%5D",
             @base
           ) ==
             {:ok, @base <> "/binance/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22%5D"}
  end

  test "a base URL with a path prefix and trailing slash" do
    assert C.rewrite_url(
             "https://api.twelvedata.com/quote?symbol=AAPL",
             "https://cache.example:8443/finex/"
           ) ==
             {:ok, "https://cache.example:8443/finex/twelve_data/quote?symbol=AAPL"}
  end

  test "unknown hosts are refused unless passthrough is configured" do
    assert C.rewrite_url("https://example.com/x", @base) ==
             {:error, {:unknown_host, "example.com"}}

    assert C.rewrite_url("https://fc.yahoo.com/", @base) ==
             {:error, {:unknown_host, "fc.yahoo.com"}}

    assert C.rewrite_url("https://example.com/x", @base, unknown_hosts: :passthrough) ==
             {:passthrough, "https://example.com/x"}

    # and get/3 sends nothing for them
    assert C.get("https://example.com/x", %{}, base_url: @base) ==
             {:error, {:unknown_host, "example.com"}}
  end

  test "bad URLs and base URLs are refused with the offending value" do
    assert C.rewrite_url("not a url", @base) == {:error, {:invalid_url, "not a url"}}

    assert C.rewrite_url("ftp://api.binance.com/x", @base) ==
             {:error, {:invalid_url, "ftp://api.binance.com/x"}}

    assert C.rewrite_url(nil, @base) == {:error, {:invalid_url, nil}}

    for bad <- ["127.0.0.1:8080", "http://", "http://h/?q=1", "http://h/#f", "http://u:p@h/", nil] do
      assert C.rewrite_url("https://api.binance.com/api/v3/ping", bad) ==
               {:error, {:invalid_base_url, bad}}
    end
  end

  test "params are appended the way Quant.Explorer.HttpClient appends them" do
    assert C.with_params("https://api.binance.com/api/v3/klines", %{"symbol" => "BTC USDT"}) ==
             "https://api.binance.com/api/v3/klines?symbol=BTC+USDT"

    assert C.with_params("https://www.alphavantage.co/query?function=X", symbol: "A&B", n: 5) ==
             "https://www.alphavantage.co/query?function=X&symbol=A%26B&n=5"

    assert C.with_params("https://api.twelvedata.com/quote", %{}) ==
             "https://api.twelvedata.com/quote"
  end

  test "finex unreachable: Quant.Explorer's {:http_error, reason} after the retries" do
    # Port 1 on loopback: nothing listens there.
    assert {:error, {:http_error, {:failed_connect, _}}} =
             C.get("https://api.binance.com/api/v3/ping", %{},
               base_url: "http://127.0.0.1:1",
               retries: 1,
               retry_delay: 1
             )
  end

  test "the functions Quant.Explorer.HttpClientConfig calls on the configured module exist" do
    # http_client_config.ex: http_client().get(url, params, opts),
    # http_client().post(url, body, opts), http_client().decode_json(body)
    Application.put_env(:quant, :http_client, Finex.QuantHttpClient)
    on_exit(fn -> Application.delete_env(:quant, :http_client) end)
    mod = Application.get_env(:quant, :http_client)
    Code.ensure_loaded!(mod)

    for {f, a} <- [get: 1, get: 2, get: 3, post: 2, post: 3, decode_json: 1] do
      assert function_exported?(mod, f, a), "#{f}/#{a}"
    end
  end

  test "decode_json/1 has Quant.Explorer's answer shape" do
    assert C.decode_json(~s({"chart":{"result":[{"meta":{"symbol":"AAPL"}}],"error":null}})) ==
             {:ok,
              %{"chart" => %{"result" => [%{"meta" => %{"symbol" => "AAPL"}}], "error" => nil}}}

    assert {:error, {:parse_error, {:unexpected_end, _}}} = C.decode_json("{")
  end
end
