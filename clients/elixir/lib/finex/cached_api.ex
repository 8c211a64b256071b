defmodule Finex.CachedAPI do
  @moduledoc """
  finex's cache operations over its HTTP API (`finex serve`, API.md "HTTP
  service"), under the seed's names: `history/2`, `quote/2`, `search/2`,
  `cache_stats/0`, `warm_cache/3`, `invalidate_cache/1`.

  Reads answer columns — a map of column name to list — that
  `Explorer.DataFrame.new/1` accepts as they are:

      {:ok, cols} = Finex.CachedAPI.history("AAPL", interval: "1d", start: ~D[2024-01-02], end: ~D[2024-03-28])
      df = Explorer.DataFrame.new(cols)

  History columns are Quant.Explorer's standardized schema (`symbol`,
  `timestamp`, `open`, `high`, `low`, `close`, `volume`, then `adj_close` and
  `market_cap` when asked in `:fields`, then `provider`, `currency` and
  `timezone` as finex sends them). `timestamp` values are UTC `DateTime`s
  (a bar's open time; 00:00 UTC of the trading date for daily and longer bars),
  or epoch seconds with `timestamps: :unix`.

  With `return: :answer` a read gives
  `{:ok, %{columns: map, column_names: [String.t()], cache_info: map, query: map}}`
  instead: `column_names` in finex's column order, `cache_info` with
  `"api_calls_made"`, `"hit_rate"`, `"cache_keys_used"`, `"data_freshness_s"`,
  and `query` the request as finex resolved it.

  Errors: `{:error, %Finex.Problem{}}` for an error answer from finex (its
  problem+json details: `status`, `code`, `detail`, `param`, ...),
  `{:error, {:invalid_option, name}}` / `{:error, {:invalid_argument, what}}`
  for a call this module refuses before sending,
  `{:error, {:http_error, reason}}` when finex cannot be reached, and
  `{:error, {:bad_answer, reason}}` for a 2xx body that is not what API.md
  promises.

  Common options: `:base_url` (else `config :finex, :base_url`, else
  `FINEX_URL`, else `http://127.0.0.1:8080`), `:timeout` (ms, default 30 000).
  Admin operations (`warm_cache/3`, `invalidate_cache/1`) send
  `Authorization: Bearer <token>` with `:admin_token`, else
  `config :finex, :admin_token`, else the `FINEX_ADMIN_TOKEN` environment
  variable; without one finex answers 401.
  """

  alias Finex.{HTTP, Problem}

  @history_order ~w(symbol timestamp open high low close volume adj_close market_cap provider currency timezone)
  @quote_order ~w(symbol price change change_percent volume high_24h low_24h market_cap timestamp provider currency market_state)
  @search_order ~w(symbol name type exchange currency country sector industry market_cap provider match_score)

  @common [:base_url, :timeout]
  @read [:return, :timestamps | @common]
  @history_opts [:interval, :start, :end, :period, :provider, :currency, :fields | @read]
  @quote_opts [:provider | @read]
  @search_opts [:provider, :limit | @read]
  @warm_opts [:start, :end, :ranges, :provider, :wait, :wait_timeout, :admin_token | @common]
  @admin_opts [:admin_token | @common]

  @type symbols :: String.t() | [String.t()]
  @type columns :: %{String.t() => list}
  @type error ::
          {:error,
           Problem.t()
           | {:invalid_option, atom}
           | {:invalid_argument, String.t()}
           | {:http_error, term}
           | {:bad_answer, term}}

  # ------------------------------------------------------------------ reads

  @doc """
  Bars for `symbols` (a string, comma-separated string, or list).

  Options: `:interval` (`"1m" "5m" "15m" "30m" "1h" "1d" "1w" "1mo"`),
  `:start`/`:end` (`Date`, `DateTime`, epoch seconds, or a string finex
  accepts; both inclusive) or `:period` (`"1y"`, `"5d"`, ...), `:provider`,
  `:currency`, `:fields` (list or comma-joined: `ohlcv`, `adj_close`,
  `market_cap`), `:timestamps`, `:return`, and the common options.
  """
  @spec history(symbols, keyword) :: {:ok, columns | map} | error
  def history(symbols, opts \\ []) do
    with :ok <- check_opts(opts, @history_opts),
         {:ok, syms} <- symbols_param(symbols),
         {:ok, params} <- history_params(opts) do
      read("/v1/history", [{"symbols", syms} | params], @history_order, opts)
    end
  end

  @doc "Latest quotes for `symbols`. Options: `:provider`, `:timestamps`, `:return`, common."
  @spec quote(symbols, keyword) :: {:ok, columns | map} | error
  def quote(symbols, opts \\ []) do
    with :ok <- check_opts(opts, @quote_opts),
         {:ok, syms} <- symbols_param(symbols) do
      read("/v1/quote", [{"symbols", syms} | take_strings(opts, [:provider])], @quote_order, opts)
    end
  end

  @doc "Symbol search for `query`. Options: `:provider`, `:limit` (1–100), `:return`, common."
  @spec search(String.t(), keyword) :: {:ok, columns | map} | error
  def search(query, opts \\ []) do
    with :ok <- check_opts(opts, @search_opts),
         :ok <-
           if(is_binary(query) and query != "",
             do: :ok,
             else: invalid("query must be a non-empty string")
           ) do
      limit = if l = opts[:limit], do: [{"limit", to_string(l)}], else: []

      read(
        "/v1/search",
        [{"q", query} | take_strings(opts, [:provider])] ++ limit,
        @search_order,
        opts
      )
    end
  end

  # ------------------------------------------------------------------ operations

  @doc """
  finex's counters (`/v1/cache/stats`): `{:ok, map}` with `"hits"`,
  `"misses"`, `"hit_rate"`, `"api_calls"`, `"api_calls_saved"`,
  `"reduction"`, `"by_provider"`, `"by_symbol"`, ... as finex sends them.
  """
  @spec cache_stats(keyword) :: {:ok, map} | error
  def cache_stats(opts \\ []) do
    with :ok <- check_opts(opts, @common),
         {:ok, resp} <- send_req(:get, "/v1/cache/stats", [], opts) do
      json_object(resp)
    end
  end

  @doc """
  Pre-fetches `symbols` × `intervals` over ranges (`POST /v1/cache/warm`).

  Options: `:start` and `:end` (one range) or `:ranges` (`[{start, end}]` or
  `[%{start: .., end: ..}]`, up to 32), `:provider`, `:admin_token`, `:wait`
  (default `true`: poll the job until it is `done` or `failed`, at most
  `:wait_timeout` ms, default 120 000).

  Returns `{:ok, status}` — the job's `%{"id", "state", "completed", "total",
  "errors"}` (with `wait: false`, `%{"id", "status_url"}` as accepted) — or
  `{:error, {:warm_failed, status}}` when the job ends `failed`,
  `{:error, {:warm_timeout, status}}` when it is still running at the deadline.
  """
  @spec warm_cache(symbols, [String.t()] | String.t(), keyword) :: {:ok, map} | error
  def warm_cache(symbols, intervals, opts \\ []) do
    with :ok <- check_opts(opts, @warm_opts),
         {:ok, syms} <- symbol_list(symbols),
         {:ok, ivs} <- string_list(intervals, "intervals"),
         {:ok, ranges} <- warm_ranges(opts),
         body = %{"symbols" => syms, "intervals" => ivs, "ranges" => ranges},
         body = if(p = opts[:provider], do: Map.put(body, "provider", to_string(p)), else: body),
         {:ok, json} <- Finex.JSON.encode(body),
         {:ok, resp} <-
           send_req(:post, "/v1/cache/warm", [], [body: json, headers: auth(opts)] ++ opts),
         {:ok, accepted} <- json_object(resp) do
      if Keyword.get(opts, :wait, true) do
        deadline = System.monotonic_time(:millisecond) + Keyword.get(opts, :wait_timeout, 120_000)
        wait_warm(accepted["id"], deadline, opts)
      else
        {:ok, accepted}
      end
    end
  end

  @doc """
  Removes cached fragments whose keys match `pattern` (`DELETE
  /v1/cache?pattern=`, e.g. `"finex:AAPL:*"`). Needs the admin token.
  Returns `{:ok, %{"removed" => n, "pattern" => pattern}}`.
  """
  @spec invalidate_cache(String.t(), keyword) :: {:ok, map} | error
  def invalidate_cache(pattern, opts \\ []) do
    with :ok <- check_opts(opts, @admin_opts),
         :ok <-
           if(is_binary(pattern) and pattern != "",
             do: :ok,
             else: invalid("pattern must be a non-empty string")
           ),
         {:ok, resp} <-
           send_req(:delete, "/v1/cache", [{"pattern", pattern}], [headers: auth(opts)] ++ opts) do
      json_object(resp)
    end
  end

  # ------------------------------------------------------------------ helpers

  defp wait_warm(id, deadline, opts) when is_binary(id) do
    with {:ok, resp} <-
           send_req(:get, "/v1/cache/warm/" <> URI.encode(id, &URI.char_unreserved?/1), [], opts),
         {:ok, st} <- json_object(resp) do
      cond do
        st["state"] == "done" ->
          {:ok, st}

        st["state"] == "failed" ->
          {:error, {:warm_failed, st}}

        System.monotonic_time(:millisecond) >= deadline ->
          {:error, {:warm_timeout, st}}

        true ->
          # Polling a job's state; the deadline bounds it.
          Process.sleep(25)
          wait_warm(id, deadline, opts)
      end
    end
  end

  defp wait_warm(id, _, _), do: {:error, {:bad_answer, {:warm_id, id}}}

  defp read(path, params, order, opts) do
    with {:ok, resp} <- send_req(:get, path, params ++ [{"format", "json"}], opts),
         {:ok, body} <- json_object(resp),
         {:ok, data} <- columns(body) do
      data = convert_timestamps(data, Keyword.get(opts, :timestamps, :datetime))

      case Keyword.get(opts, :return, :columns) do
        :answer ->
          {:ok,
           %{
             columns: data,
             column_names: ordered_names(data, order),
             cache_info: body["cache_info"] || %{},
             query: body["query"] || %{}
           }}

        _ ->
          {:ok, data}
      end
    end
  end

  # finex answers columnar JSON: {"data": {"col": [..], ...}}, every list as long.
  defp columns(%{"data" => data}) when is_map(data) do
    lengths = data |> Map.values() |> Enum.map(fn l -> if is_list(l), do: length(l), else: -1 end)

    cond do
      Enum.any?(lengths, &(&1 < 0)) -> {:error, {:bad_answer, :column_not_a_list}}
      Enum.uniq(lengths) |> length() > 1 -> {:error, {:bad_answer, :ragged_columns}}
      true -> {:ok, data}
    end
  end

  defp columns(_), do: {:error, {:bad_answer, :no_data_object}}

  defp convert_timestamps(data, :unix), do: data

  defp convert_timestamps(data, :datetime) do
    case data do
      %{"timestamp" => ts} ->
        Map.put(
          data,
          "timestamp",
          Enum.map(ts, fn
            t when is_integer(t) -> DateTime.from_unix!(t)
            t -> t
          end)
        )

      _ ->
        data
    end
  end

  defp ordered_names(data, order) do
    known = Enum.filter(order, &Map.has_key?(data, &1))
    known ++ (data |> Map.keys() |> Enum.reject(&(&1 in order)) |> Enum.sort())
  end

  defp send_req(method, path, params, opts) do
    base = Finex.QuantHttpClient.base_url(opts)
    qs = if params == [], do: "", else: "?" <> URI.encode_query(params, :rfc3986)

    http_opts = [
      timeout: Keyword.get(opts, :timeout, 30_000),
      headers: [{"accept", "application/json"} | Keyword.get(opts, :headers, [])],
      body: Keyword.get(opts, :body, "")
    ]

    case HTTP.request(method, String.trim_trailing(base, "/") <> path <> qs, http_opts) do
      {:ok, %{status: s} = resp} when s in 200..299 -> {:ok, resp}
      {:ok, resp} -> {:error, Problem.from_response(resp)}
      {:error, reason} -> {:error, {:http_error, reason}}
    end
  end

  defp json_object(%{body: body}) do
    case Finex.JSON.decode(body) do
      {:ok, %{} = m} -> {:ok, m}
      {:ok, other} -> {:error, {:bad_answer, {:not_an_object, other}}}
      {:error, reason} -> {:error, {:bad_answer, {:invalid_json, reason}}}
    end
  end

  defp auth(opts) do
    token =
      Keyword.get_lazy(opts, :admin_token, fn ->
        Application.get_env(:finex, :admin_token) || System.get_env("FINEX_ADMIN_TOKEN")
      end)

    if is_binary(token) and token != "", do: [{"authorization", "Bearer " <> token}], else: []
  end

  defp check_opts(opts, allowed) do
    if Keyword.keyword?(opts) do
      case Enum.find(Keyword.keys(opts), &(&1 not in allowed)) do
        nil -> check_values(opts)
        bad -> {:error, {:invalid_option, bad}}
      end
    else
      invalid("options must be a keyword list")
    end
  end

  defp check_values(opts) do
    cond do
      Keyword.get(opts, :return, :columns) not in [:columns, :answer] ->
        invalid("return must be :columns or :answer")

      Keyword.get(opts, :timestamps, :datetime) not in [:datetime, :unix] ->
        invalid("timestamps must be :datetime or :unix")

      not (is_integer(Keyword.get(opts, :timeout, 1)) and Keyword.get(opts, :timeout, 1) > 0) ->
        invalid("timeout must be a positive integer (ms)")

      true ->
        :ok
    end
  end

  defp invalid(what), do: {:error, {:invalid_argument, what}}

  defp symbols_param(symbols) do
    with {:ok, list} <- symbol_list(symbols), do: {:ok, Enum.join(list, ",")}
  end

  defp symbol_list(s) when is_binary(s), do: symbol_list(String.split(s, ","))

  defp symbol_list(list) when is_list(list) and list != [] do
    if Enum.all?(list, &(is_binary(&1) and String.trim(&1) != "")) do
      {:ok, Enum.map(list, &String.trim/1)}
    else
      invalid("symbols must be non-empty strings")
    end
  end

  defp symbol_list(_), do: invalid("symbols must be a string or a non-empty list of strings")

  defp string_list(s, what) when is_binary(s), do: string_list(String.split(s, ","), what)

  defp string_list(list, what) when is_list(list) and list != [] do
    if Enum.all?(list, &(is_binary(&1) or is_atom(&1))),
      do: {:ok, Enum.map(list, &to_string/1)},
      else: invalid("#{what} must be strings")
  end

  defp string_list(_, what), do: invalid("#{what} must be a string or a non-empty list")

  defp take_strings(opts, keys) do
    for k <- keys, v = opts[k], v != nil, do: {Atom.to_string(k), to_string(v)}
  end

  defp history_params(opts) do
    with {:ok, s} <- time_param(opts[:start], "start"),
         {:ok, e} <- time_param(opts[:end], "end"),
         {:ok, fields} <- fields_param(opts[:fields]) do
      times = for {k, v} <- [{"start", s}, {"end", e}], v != nil, do: {k, v}
      {:ok, take_strings(opts, [:interval, :period, :provider, :currency]) ++ times ++ fields}
    end
  end

  defp fields_param(nil), do: {:ok, []}
  defp fields_param(f) when is_binary(f), do: {:ok, [{"fields", f}]}

  defp fields_param(f) when is_list(f) do
    with {:ok, l} <- string_list(f, "fields"), do: {:ok, [{"fields", Enum.join(l, ",")}]}
  end

  defp fields_param(_), do: invalid("fields must be a list or a comma-joined string")

  defp time_param(nil, _), do: {:ok, nil}
  defp time_param(%Date{} = d, _), do: {:ok, Date.to_iso8601(d)}
  defp time_param(%DateTime{} = t, _), do: {:ok, DateTime.to_iso8601(t)}
  defp time_param(t, _) when is_integer(t), do: {:ok, Integer.to_string(t)}
  defp time_param(t, _) when is_binary(t) and t != "", do: {:ok, t}

  defp time_param(%NaiveDateTime{}, name),
    do: invalid("#{name}: a NaiveDateTime has no time zone; pass a DateTime or a Date")

  defp time_param(_, name),
    do: invalid("#{name} must be a Date, DateTime, epoch seconds or string")

  defp warm_ranges(opts) do
    ranges =
      case {opts[:ranges], opts[:start], opts[:end]} do
        {nil, s, e} when s != nil and e != nil -> [{s, e}]
        {nil, _, _} -> :missing
        {r, nil, nil} when is_list(r) and r != [] -> r
        {_, _, _} -> :conflict
      end

    case ranges do
      :missing -> invalid("warm_cache needs :start and :end, or :ranges")
      :conflict -> invalid("give either :start/:end or a non-empty :ranges list, not both")
      list -> Enum.reduce_while(list, {:ok, []}, &warm_range/2) |> reverse_ok()
    end
  end

  defp warm_range(range, {:ok, acc}) do
    {s, e} =
      case range do
        {s, e} -> {s, e}
        %{start: s, end: e} -> {s, e}
        %{"start" => s, "end" => e} -> {s, e}
        _ -> {nil, nil}
      end

    with true <- s != nil and e != nil,
         {:ok, s} <- time_param(s, "start"),
         {:ok, e} <- time_param(e, "end") do
      # epoch seconds go to finex as JSON numbers, the rest as strings
      {:cont, {:ok, [%{"start" => number_or_string(s), "end" => number_or_string(e)} | acc]}}
    else
      false -> {:halt, invalid("each range must be {start, end} or %{start: .., end: ..}")}
      err -> {:halt, err}
    end
  end

  defp number_or_string(v) do
    case Integer.parse(v) do
      {n, ""} -> n
      _ -> v
    end
  end

  defp reverse_ok({:ok, l}), do: {:ok, Enum.reverse(l)}
  defp reverse_ok(err), do: err
end
