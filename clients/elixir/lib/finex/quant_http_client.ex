defmodule Finex.QuantHttpClient do
  @moduledoc """
  An HTTP client for Quant.Explorer that sends its five providers' requests to
  finex instead, so an existing Quant.Explorer program gets finex's cache by
  changing one line of configuration:

      # config/config.exs of the program that uses Quant.Explorer
      config :quant, http_client: Finex.QuantHttpClient
      config :finex, base_url: "http://127.0.0.1:8080"   # finex serve (or FINEX_URL)

  ## The contract it implements

  Quant.Explorer (Hex package `quant`, repository
  https://github.com/the-nerd-company/quant, read at commit
  `554c6b9bd7a624d74ea9ec57e6c43389fe10eadd`) hard-codes each provider's base
  URL as a module attribute (`@base_url "https://query1.finance.yahoo.com"` in
  `lib/quant_explorer/providers/yahoo_finance.ex`, `"https://api.binance.com"`,
  `"https://www.alphavantage.co/query"`, `"https://api.twelvedata.com"`,
  `"https://api.coingecko.com/api/v3"` / `"https://pro-api.coingecko.com/api/v3"`).
  Every provider request goes through `Quant.Explorer.HttpClientConfig`
  (`lib/quant_explorer/http_client_config.ex`), whose `http_client/0` returns
  `Application.get_env(:quant, :http_client)` (default
  `Quant.Explorer.HttpClient`) and calls on it, with no `@callback`
  declaration (the contract is the module's functions, as in its test mock
  `test/support/http_client_mock.ex`):

    * `get(url, params, opts)` — `params` a map or keyword list appended as a
      query string; `opts` carry `:headers` and `:timeout`;
    * `post(url, body, opts)`;
    * `decode_json(body)` — `{:ok, term}` with string-keyed maps, or
      `{:error, {:parse_error, reason}}`;

  and expects `{:ok, %{status: integer, body: binary, headers: [{k, v}]}}` or
  `{:error, reason}` back. This module has the same functions with the same
  answers.

  ## Rewriting

  `https://query1.finance.yahoo.com/v8/finance/chart/AAPL?interval=1d` becomes
  `BASE/yahoo/v8/finance/chart/AAPL?interval=1d`: the provider's host is
  replaced by the finex base URL plus the provider's prefix (finex's
  "Provider-compatible routes", the same prefixes `finex sim` serves); path
  and query are kept byte for byte. See `hosts/0` for the table.

  A URL whose host is not one of them is refused with
  `{:error, {:unknown_host, host}}` (so no request silently reaches a paid
  provider), unless `config :finex, unknown_hosts: :passthrough`, which
  sends such requests unchanged.

  Options (besides Quant.Explorer's `:headers`, `:timeout`): `:retries`
  (transport failures only, default 0; finex itself retries its providers),
  `:retry_delay` (ms, default 200, doubled per attempt), `:base_url` (overrides
  the configured one).
  """

  alias Finex.HTTP

  @hosts %{
    "query1.finance.yahoo.com" => "/yahoo",
    "query2.finance.yahoo.com" => "/yahoo",
    # the cookie page real Yahoo clients open first (finex answers /yahoo/quote/{symbol})
    "finance.yahoo.com" => "/yahoo",
    "api.binance.com" => "/binance",
    "api1.binance.com" => "/binance",
    "api2.binance.com" => "/binance",
    "api3.binance.com" => "/binance",
    "api4.binance.com" => "/binance",
    "www.alphavantage.co" => "/alpha_vantage",
    "alphavantage.co" => "/alpha_vantage",
    "api.twelvedata.com" => "/twelve_data",
    "api.coingecko.com" => "/coingecko",
    "pro-api.coingecko.com" => "/coingecko"
  }

  @default_base_url "http://127.0.0.1:8080"

  @type url :: String.t()
  @type headers :: [{String.t(), String.t()}]
  @type params :: keyword | map
  @type response ::
          {:ok, %{status: integer, body: binary, headers: headers}} | {:error, term}

  @doc "The provider hosts this client rewrites, each with its finex prefix."
  @spec hosts() :: %{String.t() => String.t()}
  def hosts, do: @hosts

  @doc """
  The finex base URL in use: `opts[:base_url]`, else `config :finex, :base_url`,
  else the `FINEX_URL` environment variable, else `#{@default_base_url}`.
  """
  @spec base_url(keyword) :: String.t()
  def base_url(opts \\ []) do
    opts[:base_url] || Application.get_env(:finex, :base_url) || System.get_env("FINEX_URL") ||
      @default_base_url
  end

  @doc """
  Rewrites a provider URL onto `base` (an `http://` or `https://` URL without
  query or fragment; a trailing `/` is ignored).

  Returns `{:ok, url}`, `{:passthrough, url}` for an unknown host when
  unknown hosts pass through, or `{:error, reason}`:
  `{:invalid_url, url}`, `{:invalid_base_url, base}`, `{:unknown_host, host}`.
  """
  @spec rewrite_url(url, String.t(), keyword) ::
          {:ok, url} | {:passthrough, url} | {:error, term}
  def rewrite_url(url, base, opts \\ []) do
    unknown =
      Keyword.get(opts, :unknown_hosts, Application.get_env(:finex, :unknown_hosts, :error))

    with {:ok, base} <- check_base(base),
         {:ok, uri} <- check_url(url) do
      case Map.fetch(@hosts, String.downcase(uri.host)) do
        {:ok, prefix} ->
          path = uri.path || ""
          query = if uri.query, do: "?" <> uri.query, else: ""
          {:ok, base <> prefix <> path <> query}

        :error when unknown == :passthrough ->
          {:passthrough, url}

        :error ->
          {:error, {:unknown_host, uri.host}}
      end
    end
  end

  defp check_base(base) when is_binary(base) do
    uri = URI.parse(base)

    cond do
      uri.scheme not in ["http", "https"] or uri.host in [nil, ""] ->
        {:error, {:invalid_base_url, base}}

      uri.query != nil or uri.fragment != nil or uri.userinfo != nil ->
        {:error, {:invalid_base_url, base}}

      true ->
        {:ok, String.trim_trailing(base, "/")}
    end
  end

  defp check_base(base), do: {:error, {:invalid_base_url, base}}

  defp check_url(url) when is_binary(url) do
    uri = URI.parse(url)

    if uri.scheme in ["http", "https"] and is_binary(uri.host) and uri.host != "" do
      {:ok, uri}
    else
      {:error, {:invalid_url, url}}
    end
  end

  defp check_url(url), do: {:error, {:invalid_url, url}}

  @doc """
  `Quant.Explorer.HttpClient.get/3`: GET `url` with `params` appended as a
  query string, rewritten to finex.
  """
  @spec get(url, params, keyword) :: response
  def get(url, params \\ %{}, opts \\ []) do
    perform(:get, with_params(url, params), opts)
  end

  @doc "`Quant.Explorer.HttpClient.post/3`: POST `body` (`:content_type`, default JSON)."
  @spec post(url, binary, keyword) :: response
  def post(url, body, opts \\ []) do
    perform(:post, url, Keyword.put(opts, :body, body))
  end

  @doc """
  `Quant.Explorer.HttpClient.decode_json/1`: `{:ok, term}` (string-keyed maps)
  or `{:error, {:parse_error, reason}}`.
  """
  @spec decode_json(binary) :: {:ok, term} | {:error, {:parse_error, term}}
  def decode_json(body) do
    case Finex.JSON.decode(body) do
      {:ok, data} -> {:ok, data}
      {:error, reason} -> {:error, {:parse_error, reason}}
    end
  end

  @doc """
  Appends `params` to `url` as Quant.Explorer.HttpClient's
  `build_url_with_params/2` does (`URI.encode_www_form/1` on keys and values,
  `?` or `&`).
  """
  @spec with_params(url, params) :: url
  def with_params(url, params) when params == %{} or params == [], do: url

  def with_params(url, params) do
    qs =
      Enum.map_join(params, "&", fn {k, v} ->
        URI.encode_www_form(to_string(k)) <> "=" <> URI.encode_www_form(to_string(v))
      end)

    if String.contains?(url, "?"), do: url <> "&" <> qs, else: url <> "?" <> qs
  end

  defp perform(method, url, opts) do
    case rewrite_url(url, base_url(opts), opts) do
      {:error, reason} ->
        {:error, reason}

      {_, target} ->
        http_opts = [
          headers: Keyword.get(opts, :headers, []),
          timeout: Keyword.get(opts, :timeout, 10_000),
          body: Keyword.get(opts, :body, ""),
          content_type: Keyword.get(opts, :content_type, "application/json")
        ]

        attempt(
          method,
          target,
          http_opts,
          Keyword.get(opts, :retries, 0),
          Keyword.get(opts, :retry_delay, 200)
        )
    end
  end

  defp attempt(method, url, http_opts, retries, delay) do
    case HTTP.request(method, url, http_opts) do
      {:ok, resp} ->
        {:ok, resp}

      {:error, _} when retries > 0 ->
        Process.sleep(delay)
        attempt(method, url, http_opts, retries - 1, delay * 2)

      {:error, reason} ->
        # Quant.Explorer.HttpClient's shape for a request that failed for good.
        {:error, {:http_error, reason}}
    end
  end
end
