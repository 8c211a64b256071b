#!/usr/bin/env bash
# CTest entry for the Elixir client (clients/elixir): run_elixir_test.sh <finex> <work dir>
# Starts `finex sim` and `finex serve --sim` (admin token set) on free loopback
# ports, fetches one history answer with curl (JSON and CSV) for the tests to
# compare against, then runs `mix test` (ExUnit, no Hex packages) with
#   FINEX_URL              finex serve's base URL
#   FINEX_SIM_URL          the simulator's base URL (GET /_sim/stats counts upstream calls)
#   FINEX_TEST_ADMIN_TOKEN the token serve was started with (FINEX_ADMIN_TOKEN itself is
#                          unset for the tests, so "no token" is really tested)
#   FINEX_TEST_WORK        where the curl answers are
#   FINEX_TEST_SERVE_COMPAT 1 when serve answers the provider prefixes (/yahoo, ...)
# Exit 77 (CTest SKIP_RETURN_CODE) only when elixir/mix are not installed.
set -uo pipefail
FINEX=${1:?usage: run_elixir_test.sh path/to/finex work-dir}
WORK=${2:?usage: run_elixir_test.sh path/to/finex work-dir}
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT=$(cd "$HERE/../../clients/elixir" && pwd)

if ! command -v mix >/dev/null 2>&1 || ! command -v elixir >/dev/null 2>&1; then
  echo "SKIP: elixir/mix are not installed; scripts/setup installs Debian's elixir package"
  exit 77
fi
[ -x "$FINEX" ] || { echo "FAIL: $FINEX is not an executable"; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"
cleanup() {
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null
  wait 2>/dev/null
}
trap cleanup EXIT

wait_for() {  # file pattern: the processes print their URL once listening
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "FAIL: timed out waiting for '$2' in $1"; cat "$1"; return 1
}

"$FINEX" sim --listen 127.0.0.1:0 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for "$WORK/sim.log" "listening" || exit 1
SIM_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/sim.log" | head -1)

TOKEN="elixir-test-$$-$RANDOM"
# Prefetch off: its background calls (when a market is open) would make the
# upstream call counts the tests assert depend on the time of day.
FINEX_ADMIN_TOKEN="$TOKEN" FINEX_CACHE__PREFETCH_ENABLED=false XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" \
  "$FINEX" serve --listen 127.0.0.1:0 --sim "$SIM_URL" 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on" || exit 1
BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -1)
echo "sim $SIM_URL, serve $BASE"

# The reference answers, fetched by curl (the Elixir client must give the same columns).
Q="symbols=AAPL&interval=1d&start=2024-01-02&end=2024-03-28"
curl -fsS "$BASE/v1/history?$Q&format=json" -o "$WORK/aapl_history.json" ||
  { echo "FAIL: curl $BASE/v1/history?$Q&format=json"; exit 1; }
curl -fsS "$BASE/v1/history?$Q&format=csv" -o "$WORK/aapl_history.csv" ||
  { echo "FAIL: curl $BASE/v1/history?$Q&format=csv"; exit 1; }

# Does serve answer the provider-compatible routes (API.md)? Only finex's own
# 404 "route_not_found" means it does not; anything else runs those tests.
probe=$(curl -sS "$BASE/yahoo/v8/finance/chart/AAPL?interval=1d&period1=1704153600&period2=1704239999")
if printf '%s' "$probe" | grep -q '"code":"route_not_found"'; then
  echo "NOTE: this finex serve has no provider-compatible routes: tests of Finex.QuantHttpClient through serve are excluded"
  export FINEX_TEST_SERVE_COMPAT=0
else
  export FINEX_TEST_SERVE_COMPAT=1
fi

cd "$CLIENT" || exit 1
export MIX_HOME="$WORK/mix" MIX_BUILD_PATH="$WORK/_build" MIX_ENV=test
export FINEX_URL="$BASE" FINEX_SIM_URL="$SIM_URL" FINEX_TEST_ADMIN_TOKEN="$TOKEN" FINEX_TEST_WORK="$WORK"
unset FINEX_ADMIN_TOKEN
mix format --check-formatted 2>&1 || { echo "FAIL: clients/elixir is not mix-formatted (run: mix format)"; exit 1; }
mix test 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  echo "--- serve.log (tail)"; tail -n 30 "$WORK/serve.log"
  echo "--- sim.log (tail)"; tail -n 10 "$WORK/sim.log"
fi
exit $rc
