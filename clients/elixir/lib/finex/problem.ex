defmodule Finex.Problem do
  @moduledoc """
  An error answer from `finex serve`: its RFC 9457 `application/problem+json`
  body (API.md "Errors"), as `{:error, %Finex.Problem{}}`.

  `code` is finex's machine-readable code (`"invalid_interval"`,
  `"unknown_symbol"`, `"unauthorized"`, `"rate_limited"`, ...), `param` names
  the bad parameter, `retry_after_seconds` comes from the body or the
  `Retry-After` header. `body` keeps every member, including ones this struct
  has no field for. It is an exception, so `raise problem` works.
  """

  defexception [
    :status,
    :code,
    :title,
    :detail,
    :param,
    :request_id,
    :provider,
    :upstream_status,
    :retry_after_seconds,
    type: "about:blank",
    body: %{}
  ]

  @type t :: %__MODULE__{
          status: integer,
          code: String.t() | nil,
          title: String.t() | nil,
          detail: String.t() | nil,
          param: String.t() | nil,
          request_id: String.t() | nil,
          provider: String.t() | nil,
          upstream_status: integer | nil,
          retry_after_seconds: number | nil,
          type: String.t(),
          body: map
        }

  @impl true
  def message(%__MODULE__{} = p) do
    where = if p.param, do: " (param #{p.param})", else: ""
    "finex #{p.status} #{p.code || p.title}: #{p.detail}#{where}"
  end

  @doc """
  Builds a problem from an HTTP answer with a non-2xx status. A body that is
  not problem+json (e.g. from a proxy in front of finex) still gives a
  problem: its status, `code: "http_<status>"` and the body as `detail`.
  """
  @spec from_response(%{status: integer, body: binary, headers: list}) :: t
  def from_response(%{status: status, body: body} = resp) do
    retry_after =
      case Finex.HTTP.header(resp, "retry-after") do
        nil -> nil
        v -> with {n, ""} <- Integer.parse(v), do: n, else: (_ -> nil)
      end

    case Finex.JSON.decode(body) do
      {:ok, %{} = j} ->
        %__MODULE__{
          status: j["status"] || status,
          code: j["code"],
          title: j["title"],
          detail: j["detail"],
          param: j["param"],
          request_id: j["request_id"],
          provider: j["provider"],
          upstream_status: j["upstream_status"],
          retry_after_seconds: j["retry_after_seconds"] || retry_after,
          type: j["type"] || "about:blank",
          body: j
        }

      _ ->
        %__MODULE__{
          status: status,
          code: "http_#{status}",
          detail: String.slice(body, 0, 512),
          retry_after_seconds: retry_after
        }
    end
  end
end
