# Integration tests (tag :integration) talk to a real `finex serve` in front of
# `finex sim`; tests/elixir/run_elixir_test.sh starts both and sets FINEX_URL
# and FINEX_SIM_URL. Run by hand without them, only the offline tests run.
excluded =
  if System.get_env("FINEX_URL") in [nil, ""] or System.get_env("FINEX_SIM_URL") in [nil, ""] do
    IO.puts(
      "note: FINEX_URL/FINEX_SIM_URL not set: integration tests excluded " <>
        "(tests/elixir/run_elixir_test.sh runs them against finex serve + finex sim)"
    )

    [:integration]
  else
    []
  end

# Tests through serve's provider-compatible routes: the harness sets
# FINEX_TEST_SERVE_COMPAT=1 when serve answers /yahoo/... (not finex's 404
# route_not_found).
excluded =
  if System.get_env("FINEX_TEST_SERVE_COMPAT") == "1" do
    excluded
  else
    IO.puts(
      "note: FINEX_TEST_SERVE_COMPAT is not 1: tests through serve's provider routes excluded"
    )

    [:serve_compat | excluded]
  end

ExUnit.configure(exclude: excluded)
Code.require_file("support/sim.exs", __DIR__)
ExUnit.start()
