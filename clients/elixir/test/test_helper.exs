# Integration tests (tag :integration) talk to a real `finex serve` in front of
# `finex sim`; tests/elixir/run_elixir_test.sh starts both and sets FINEX_URL
# and FINEX_SIM_URL. Run by hand without them, only the offline tests run.
if System.get_env("FINEX_URL") in [nil, ""] or System.get_env("FINEX_SIM_URL") in [nil, ""] do
  IO.puts(
    "note: FINEX_URL/FINEX_SIM_URL not set: integration tests excluded " <>
      "(tests/elixir/run_elixir_test.sh runs them against finex serve + finex sim)"
  )

  ExUnit.configure(exclude: [:integration])
end

Code.require_file("support/sim.exs", __DIR__)
ExUnit.start()
