defmodule Finex.QuantHttpClientServeTest do
  # Quant.Explorer's requests through Finex.QuantHttpClient with `finex serve`
  # as the base URL: answered from finex's cache in the provider's own format
  # (API.md "Provider-compatible routes"), so a repeated or narrower request
  # makes no upstream call (/_sim/stats). The harness runs these only when
  # serve answers the provider prefixes (FINEX_TEST_SERVE_COMPAT=1).
  use ExUnit.Case, async: false
  alias Finex.QuantHttpClient, as: C
  alias Finex.TestSim, as: Sim

  @moduletag :integration
  @moduletag :serve_compat

  # 2024-01-02 00:00 UTC .. 2024-01-31 23:59:59 UTC
  @p1 1_704_153_600
  @p2 1_706_745_599

  defp opts, do: [base_url: Sim.finex_url(), timeout: 30_000]

  defp api_calls(headers) do
    {"x-finex-api-calls", n} = List.keyfind(headers, "x-finex-api-calls", 0)
    String.to_integer(n)
  end

  test "Yahoo chart from the cache: the simulator's values, then zero upstream calls" do
    url = "https://query1.finance.yahoo.com/v8/finance/chart/AAPL"
    params = %{includePrePost: "false", interval: "1d", period1: @p1, period2: @p2}

    {{:ok, %{status: 200, body: body}}, _} =
      Sim.calls_during(fn -> C.get(url, params, opts()) end)

    assert {:ok, %{"chart" => %{"result" => [res], "error" => nil}}} = C.decode_json(body)
    assert res["meta"]["symbol"] == "AAPL"
    assert length(res["timestamp"]) == 21

    truth =
      Sim.get_json!(
        Sim.sim_url() <>
          "/yahoo/v8/finance/chart/AAPL?includePrePost=false&interval=1d&period1=#{@p1}&period2=#{@p2}"
      )

    [tres] = truth["chart"]["result"]

    assert hd(res["indicators"]["quote"])["close"] == hd(tres["indicators"]["quote"])["close"]

    {{:ok, %{status: 200, body: again, headers: h}}, calls} =
      Sim.calls_during(fn -> C.get(url, params, opts()) end)

    assert calls == 0
    assert api_calls(h) == 0
    assert {:ok, %{"chart" => %{"result" => [res2]}}} = C.decode_json(again)
    assert hd(res2["indicators"]["quote"])["close"] == hd(res["indicators"]["quote"])["close"]

    # a narrower range (Jan 8 .. Jan 19) is inside what is cached
    narrow = %{params | period1: 1_704_672_000, period2: 1_705_708_799}

    {{:ok, %{status: 200, body: nb, headers: h}}, calls} =
      Sim.calls_during(fn -> C.get(url, narrow, opts()) end)

    assert calls == 0
    assert api_calls(h) == 0
    assert {:ok, %{"chart" => %{"result" => [nres]}}} = C.decode_json(nb)
    assert length(nres["timestamp"]) == 9
  end

  test "Binance klines from the cache: same bars as the simulator, then zero upstream calls" do
    url = "https://api.binance.com/api/v3/klines"

    params = %{
      symbol: "BTCUSDT",
      interval: "1d",
      startTime: @p1 * 1000,
      endTime: @p2 * 1000,
      limit: 1000
    }

    assert {:ok, %{status: 200, body: body}} = C.get(url, params, opts())
    assert {:ok, klines} = C.decode_json(body)
    assert length(klines) == 30
    assert Enum.all?(klines, &(length(&1) == 12))

    truth =
      Sim.get_json!(
        Sim.sim_url() <>
          "/binance/api/v3/klines?symbol=BTCUSDT&interval=1d&startTime=#{@p1 * 1000}&endTime=#{@p2 * 1000}&limit=1000"
      )

    # open time, open, high, low, close as Binance sends them
    assert Enum.map(klines, &Enum.take(&1, 5)) == Enum.map(truth, &Enum.take(&1, 5))

    {{:ok, %{status: 200, headers: h}}, calls} =
      Sim.calls_during(fn -> C.get(url, params, opts()) end)

    assert calls == 0
    assert api_calls(h) == 0
  end
end
