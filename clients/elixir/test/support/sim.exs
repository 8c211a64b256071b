defmodule Finex.TestSim do
  @moduledoc false
  # Helpers over the simulator's control routes and raw HTTP, for assertions
  # that must not go through the code under test.

  def sim_url, do: System.fetch_env!("FINEX_SIM_URL")
  def finex_url, do: System.fetch_env!("FINEX_URL")

  # GET /_sim/stats: {"total": N, "calls": {...}, "by_route": {"yahoo /v8/finance/chart": N}}
  def stats do
    {:ok, %{status: 200, body: body}} = Finex.HTTP.request(:get, sim_url() <> "/_sim/stats")
    Finex.JSON.decode!(body)
  end

  def total, do: stats()["total"]
  def route(name), do: stats()["by_route"][name] || 0

  # Upstream calls made while running fun: {result, delta}.
  def calls_during(fun) do
    before = total()
    result = fun.()
    {result, total() - before}
  end

  def get_json!(url) do
    {:ok, %{status: 200, body: body}} = Finex.HTTP.request(:get, url)
    Finex.JSON.decode!(body)
  end
end
