defmodule Finex.HTTP do
  @moduledoc """
  One HTTP request over OTP's `:httpc` (no Hex packages), shared by
  `Finex.QuantHttpClient` and `Finex.CachedAPI`.

  Answers are `{:ok, %{status: integer, body: binary, headers: [{name, value}]}}`
  with header names lower-cased, or `{:error, reason}` for a transport failure
  (connection refused, timeout, TLS). HTTPS verifies the peer against the
  operating system's CA store (`:public_key.cacerts_get/0`) and checks the host
  name. Thread-safety: every function may be called from any process; `:httpc`
  keeps its own connection pool (the `:default` profile).
  """

  @type response :: %{status: integer, body: binary, headers: [{String.t(), String.t()}]}

  @default_timeout 10_000

  @doc """
  Performs `method` (`:get`, `:post`, `:delete`, `:head`) on `url`.

  Options: `:headers` (`[{name, value}]` strings), `:body` (binary, for POST),
  `:content_type` (default `"application/json"`), `:timeout` (ms, default
  #{@default_timeout}), `:connect_timeout` (ms, default the timeout).
  """
  @spec request(atom, String.t(), keyword) :: {:ok, response} | {:error, term}
  def request(method, url, opts \\ []) when is_binary(url) do
    {:ok, _} = Application.ensure_all_started(:inets)
    {:ok, _} = Application.ensure_all_started(:ssl)
    timeout = Keyword.get(opts, :timeout, @default_timeout)
    headers = for {k, v} <- Keyword.get(opts, :headers, []), do: {to_charlist(k), to_charlist(v)}

    http_opts = [
      timeout: timeout,
      connect_timeout: Keyword.get(opts, :connect_timeout, timeout),
      autoredirect: false
    ]

    http_opts =
      if String.starts_with?(url, "https:"),
        do: [{:ssl, ssl_opts(url)} | http_opts],
        else: http_opts

    req = build(method, String.to_charlist(url), headers, opts)

    case :httpc.request(method, req, http_opts, body_format: :binary) do
      {:ok, {{_, status, _}, resp_headers, body}} ->
        {:ok,
         %{
           status: status,
           body: IO.iodata_to_binary(body),
           headers: for({k, v} <- resp_headers, do: {String.downcase(to_string(k)), to_string(v)})
         }}

      {:error, reason} ->
        {:error, reason}
    end
  end

  defp build(method, url, headers, _opts) when method in [:get, :head, :delete, :options],
    do: {url, headers}

  defp build(_method, url, headers, opts) do
    content_type = Keyword.get(opts, :content_type, "application/json")
    {url, headers, to_charlist(content_type), Keyword.get(opts, :body, "")}
  end

  defp ssl_opts(url) do
    host = URI.parse(url).host |> to_charlist()

    [
      verify: :verify_peer,
      cacerts: :public_key.cacerts_get(),
      server_name_indication: host,
      customize_hostname_check: [match_fun: :public_key.pkix_verify_hostname_match_fun(:https)]
    ]
  end

  @doc "The value of header `name` (lower-case) in a response, or nil."
  @spec header(response, String.t()) :: String.t() | nil
  def header(%{headers: headers}, name) do
    Enum.find_value(headers, fn {k, v} -> if k == name, do: v end)
  end
end
