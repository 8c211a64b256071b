defmodule Finex.CachedAPITest do
  # Finex.CachedAPI against a real `finex serve` in front of `finex sim`
  # (tests/elixir/run_elixir_test.sh). Upstream calls are counted by the
  # simulator (/_sim/stats), not by finex.
  use ExUnit.Case, async: false
  alias Finex.CachedAPI, as: API
  alias Finex.Problem
  alias Finex.TestSim, as: Sim

  @moduletag :integration

  defp token, do: System.fetch_env!("FINEX_TEST_ADMIN_TOKEN")
  defp work, do: System.fetch_env!("FINEX_TEST_WORK")

  # Explorer.DataFrame.new/1 takes a map of column name => list: every value a
  # list, all of one length, each column of one element type (nil allowed).
  defp assert_dataframe_columns(cols) do
    assert is_map(cols) and map_size(cols) > 0
    lengths = cols |> Map.values() |> Enum.map(&length/1) |> Enum.uniq()
    assert length(lengths) == 1

    for {name, values} <- cols do
      assert is_binary(name)
      kinds = values |> Enum.reject(&is_nil/1) |> Enum.map(&kind/1) |> Enum.uniq()

      assert length(kinds) <= 1 or Enum.sort(kinds) == [:float, :integer],
             "column #{name}: #{inspect(kinds)}"
    end
  end

  defp kind(v) when is_integer(v), do: :integer
  defp kind(v) when is_float(v), do: :float
  defp kind(v) when is_binary(v), do: :string
  defp kind(%DateTime{}), do: :datetime
  defp kind(v) when is_boolean(v), do: :boolean

  test "history columns equal what curl got from /v1/history (format=json and format=csv)" do
    {:ok, ans} =
      API.history("AAPL",
        interval: "1d",
        start: ~D[2024-01-02],
        end: ~D[2024-03-28],
        return: :answer,
        timestamps: :unix
      )

    curl = File.read!(Path.join(work(), "aapl_history.json")) |> Finex.JSON.decode!()
    assert ans.columns == curl["data"]
    assert ans.query["symbols"] == ["AAPL"]
    assert ans.query["start_ts"] == 1_704_153_600
    # the harness's curl paid for these bars already
    assert ans.cache_info["api_calls_made"] == 0

    # Jan 2 .. Mar 28 2024: 61 NYSE sessions (closed Jan 1, Jan 15, Feb 19)
    assert length(ans.columns["timestamp"]) == 61
    assert hd(ans.columns["timestamp"]) == 1_704_153_600
    assert List.last(ans.columns["timestamp"]) == 1_711_584_000
    assert Enum.uniq(ans.columns["symbol"]) == ["AAPL"]
    assert Enum.take(ans.column_names, 7) == ~w(symbol timestamp open high low close volume)

    # the CSV answer, parsed here independently, holds the same values
    [header | rows] =
      File.read!(Path.join(work(), "aapl_history.csv")) |> String.split("\n", trim: true)

    names = String.split(header, ",")
    assert names == ans.column_names
    cells = Enum.map(rows, &String.split(&1, ","))

    for {name, i} <- Enum.with_index(names) do
      col = Enum.map(cells, &Enum.at(&1, i))

      expected =
        Enum.map(ans.columns[name], fn
          v when is_binary(v) -> v
          v when is_integer(v) -> Integer.to_string(v)
          v when is_float(v) -> v
        end)

      got =
        Enum.zip_with(col, expected, fn c, e ->
          if is_float(e), do: elem(Float.parse(c), 0), else: c
        end)

      assert got == expected, "CSV column #{name}"
    end
  end

  test "history answers Explorer-ready columns; timestamps are UTC DateTimes by default" do
    {:ok, cols} = API.history(["AAPL"], interval: "1d", start: "2024-01-02", end: "2024-01-05")
    assert_dataframe_columns(cols)

    assert cols["timestamp"] ==
             Enum.map(
               [2, 3, 4, 5],
               &DateTime.new!(Date.new!(2024, 1, &1), ~T[00:00:00], "Etc/UTC")
             )

    assert Enum.all?(cols["close"], &(is_float(&1) and &1 > 0))
    assert Enum.all?(cols["volume"], &is_integer/1)
    assert Enum.uniq(cols["currency"]) == ["usd"]

    # the bars equal the simulator's truth: Yahoo's chart for the same days
    chart =
      Sim.get_json!(
        Sim.sim_url() <>
          "/yahoo/v8/finance/chart/AAPL?interval=1d&period1=1704153600&period2=1704499199"
      )

    [res] = chart["chart"]["result"]
    [q] = res["indicators"]["quote"]
    assert cols["close"] == q["close"]
    assert cols["open"] == q["open"]
    assert cols["volume"] == q["volume"]

    # fields as a list: adj_close joins the columns, in the schema's order
    {:ok, adj} =
      API.history("AAPL",
        start: ~D[2024-01-02],
        end: ~D[2024-01-05],
        fields: [:ohlcv, :adj_close],
        return: :answer
      )

    assert adj.query["fields"] =~ "adj_close"

    assert Enum.take(adj.column_names, 8) ==
             ~w(symbol timestamp open high low close volume adj_close)

    [adjclose] = res["indicators"]["adjclose"]
    assert adj.columns["adj_close"] == adjclose["adjclose"]
  end

  test "a repeated or narrower history makes zero upstream calls; the first one is counted by the simulator" do
    args = ["MSFT", [interval: "1d", start: ~D[2024-02-01], end: ~D[2024-04-30], return: :answer]]
    {:ok, stats0} = API.cache_stats()
    {{:ok, first}, calls} = Sim.calls_during(fn -> apply(API, :history, args) end)
    assert calls >= 1
    assert first.cache_info["api_calls_made"] == calls
    {:ok, stats1} = API.cache_stats()
    assert stats1["api_calls"] - stats0["api_calls"] == calls

    {{:ok, again}, calls} = Sim.calls_during(fn -> apply(API, :history, args) end)
    assert calls == 0
    assert again.cache_info["api_calls_made"] == 0
    assert again.columns == first.columns

    {{:ok, narrow}, calls} =
      Sim.calls_during(fn ->
        API.history("MSFT", interval: "1d", start: ~D[2024-03-01], end: ~D[2024-03-31])
      end)

    assert calls == 0
    first_march = Enum.filter(first.columns["timestamp"], &(&1.month == 3))
    assert narrow["timestamp"] == first_march
  end

  test "quote and search answer columns" do
    {:ok, q} = API.quote(["AAPL", "MSFT"], return: :answer)
    assert_dataframe_columns(q.columns)
    assert q.columns["symbol"] == ["AAPL", "MSFT"]
    assert Enum.all?(q.columns["price"], &(is_number(&1) and &1 > 0))
    assert Enum.all?(q.columns["timestamp"], &match?(%DateTime{}, &1))
    assert Enum.take(q.column_names, 3) == ~w(symbol price change)

    {:ok, s} = API.search("apple", limit: 5)
    assert_dataframe_columns(s)
    assert "AAPL" in s["symbol"]
    assert length(s["symbol"]) <= 5
  end

  test "finex's problem+json details come back as Finex.Problem" do
    assert {:error, %Problem{status: 400, code: "invalid_interval", param: "interval"} = p} =
             API.history("AAPL", interval: "7x")

    assert p.detail =~ "7x"
    assert is_binary(p.request_id)
    assert Exception.message(p) =~ "invalid_interval"

    assert {:error, %Problem{status: 404, code: "unknown_symbol"}} = API.quote("ZZZZNOPE")
    assert {:error, %Problem{status: 400, param: "q"}} = API.search("bad\u0001query")
  end

  test "a provider failure with nothing cached: 502 with the provider and its upstream status" do
    # CoinGecko is used by no other test through serve, so its breaker opening
    # here changes nothing else.
    set_faults = fn json ->
      {:ok, %{status: 200}} =
        Finex.HTTP.request(:post, Sim.sim_url() <> "/_sim/faults", body: json)
    end

    set_faults.(~s({"down":["coingecko"]}))
    on_exit(fn -> set_faults.("{}") end)

    assert {:error, %Problem{} = p} =
             API.history("bitcoin", provider: "coingecko", interval: "1h", period: "5d")

    assert p.status == 502
    assert p.code == "provider_unavailable"
    assert p.provider == "coingecko"
    assert p.upstream_status == 503
    assert p.body["upstream_status"] == 503
  end

  test "calls refused before sending, and an unreachable finex" do
    assert API.history("AAPL", intervall: "1d") == {:error, {:invalid_option, :intervall}}
    assert {:error, {:invalid_argument, _}} = API.history([], [])
    assert {:error, {:invalid_argument, _}} = API.history("AAPL", start: ~N[2024-01-02 00:00:00])
    assert {:error, {:invalid_argument, _}} = API.history("AAPL", return: :frame)

    assert {:error, {:http_error, _}} =
             API.cache_stats(base_url: "http://127.0.0.1:1", timeout: 2000)
  end

  test "invalidate_cache needs the admin token, then the next history is fetched again" do
    args = [
      "GOOGL",
      [interval: "1d", start: ~D[2024-01-02], end: ~D[2024-01-31], return: :answer]
    ]

    {:ok, _} = apply(API, :history, args)
    {{:ok, _}, 0} = Sim.calls_during(fn -> apply(API, :history, args) end)

    # FINEX_ADMIN_TOKEN is unset in the test environment: no Authorization header
    assert {:error, %Problem{status: 401, code: "unauthorized"}} =
             API.invalidate_cache("finex:GOOGL:*")

    assert {:error, %Problem{status: 403, code: "forbidden"}} =
             API.invalidate_cache("finex:GOOGL:*", admin_token: "wrong")

    {{:ok, _}, 0} = Sim.calls_during(fn -> apply(API, :history, args) end)

    assert {:ok, %{"removed" => removed, "pattern" => "finex:GOOGL:*"}} =
             API.invalidate_cache("finex:GOOGL:*", admin_token: token())

    assert removed >= 1
    {{:ok, refetched}, calls} = Sim.calls_during(fn -> apply(API, :history, args) end)
    assert calls >= 1
    assert refetched.cache_info["api_calls_made"] >= 1
  end

  test "warm_cache fills the cache: the warmed range then costs no upstream call" do
    assert {:error, %Problem{status: 401}} =
             API.warm_cache(["NVDA"], ["1d"], start: ~D[2024-05-01], end: ~D[2024-05-31])

    {{:ok, st}, calls} =
      Sim.calls_during(fn ->
        API.warm_cache(["NVDA", "META"], ["1d"],
          start: ~D[2024-05-01],
          end: ~D[2024-05-31],
          admin_token: token()
        )
      end)

    assert st["state"] == "done"
    assert st["completed"] == st["total"] and st["total"] >= 2
    assert st["errors"] == []
    assert calls >= 2

    for sym <- ["NVDA", "META"] do
      {{:ok, ans}, calls} =
        Sim.calls_during(fn ->
          API.history(sym,
            interval: "1d",
            start: ~D[2024-05-01],
            end: ~D[2024-05-31],
            return: :answer
          )
        end)

      assert calls == 0, sym
      assert ans.cache_info["api_calls_made"] == 0
      # May 2024: 22 NYSE sessions (Memorial Day closed)
      assert length(ans.columns["timestamp"]) == 22
    end

    assert {:error, {:invalid_argument, _}} =
             API.warm_cache(["NVDA"], ["1d"], admin_token: token())

    assert {:error, %Problem{status: 400, param: "intervals"}} =
             API.warm_cache(["NVDA"], ["7x"],
               ranges: [{"2024-05-01", "2024-05-02"}],
               admin_token: token()
             )
  end
end
