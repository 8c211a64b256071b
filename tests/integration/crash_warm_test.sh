#!/usr/bin/env bash
# Crash consistency of the CLI's parquet_dir store (issue 16): `finex warm`
# SIGKILLed at random moments, again and again, on one cache directory; then
# every series must read back whole and equal to a clean reference, the
# read (which opens the store) must leave none of the dead writer's temp
# files or pending sidecars behind, and a
# complete warm plus a read must refetch only what the kills left missing —
# after that, reading again costs zero provider calls.
#   crash_warm_test.sh <finex> [rounds=12]
# Seeds the random moments from FINEX_TEST_SEED (printed). Exit 0 = pass.
set -euo pipefail
FINEX="$1"
ROUNDS="${2:-12}"
SEED="${FINEX_TEST_SEED:-$RANDOM}"
echo "crash_warm_test: FINEX_TEST_SEED=$SEED rounds=$ROUNDS"
RANDOM=$SEED
WORK=$(mktemp -d)
cleanup() {
  [ -n "${SIM_PID:-}" ] && kill "$SIM_PID" 2>/dev/null || true
  [ -n "${WARM_PID:-}" ] && kill -9 "$WARM_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$FINEX" sim --listen 127.0.0.1:$PORT 2>"$WORK/sim.log" &
SIM_PID=$!
for _ in $(seq 1 200); do grep -q listening "$WORK/sim.log" && break; sleep 0.05; done
SIM="http://127.0.0.1:$PORT"
export FINEX_SIM_URL="$SIM"
calls() { curl -fsS "$SIM/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
SYMS=$(python3 -c 'print(",".join(f"CR{i}" for i in range(12)))')
WARM=(warm "$SYMS" --intervals 1d,1h --start 2024-01-01 --end 2024-06-28)
read_all() {  # <cache_home> <out>
  XDG_CACHE_HOME="$1" XDG_CONFIG_HOME="$WORK" "$FINEX" history "$SYMS" --interval 1d \
    --start 2024-01-01 --end 2024-06-28 --format csv >"$2"
  XDG_CACHE_HOME="$1" XDG_CONFIG_HOME="$WORK" "$FINEX" history "$SYMS" --interval 1h \
    --start 2024-05-01 --end 2024-06-28 --format csv >>"$2"
}
# The reference: a clean cache, warmed to completion.
XDG_CACHE_HOME="$WORK/ref" XDG_CONFIG_HOME="$WORK" "$FINEX" "${WARM[@]}" >/dev/null 2>&1
read_all "$WORK/ref" "$WORK/ref.csv"

# Temp files and pending sidecars (*.fxn) in the crashed cache.
leftovers() { find "$WORK/crash" \( -name '.tmp-*' -o -name '*.fxn' \) 2>/dev/null | wc -l; }
killed=0
midwrite=0
for r in $(seq 1 "$ROUNDS"); do
  XDG_CACHE_HOME="$WORK/crash" XDG_CONFIG_HOME="$WORK" "$FINEX" "${WARM[@]}" \
    >/dev/null 2>&1 &
  WARM_PID=$!
  sleep "0.$(printf '%03d' $((RANDOM % 400)))"
  if kill -9 "$WARM_PID" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$WARM_PID" 2>/dev/null || true
  WARM_PID=
  # Temp files or pending sidecars (*.fxn) of the killed warm: it was writing.
  if [ "$(leftovers)" -gt 0 ]; then midwrite=$((midwrite + 1)); fi
  # Whatever the kill left must read back without error and equal the reference.
  read_all "$WORK/crash" "$WORK/got.csv" || { echo "round $r: reading after the kill failed"; exit 1; }
  # Opening the store settled what the dead writer left.
  [ "$(leftovers)" = 0 ] || { echo "round $r: leftovers of the killed warm survived a read:"; \
    find "$WORK/crash" \( -name '.tmp-*' -o -name '*.fxn' \) | head -5; exit 1; }
  cmp -s "$WORK/ref.csv" "$WORK/got.csv" || {
    echo "round $r: data differs from the reference after a kill"
    diff "$WORK/ref.csv" "$WORK/got.csv" | head -20
    exit 1
  }
done
echo "crash_warm_test: $killed of $ROUNDS warm runs were still running when killed ($midwrite mid-write); every read matched the reference and left no temp file"
# Complete, then nothing more to fetch.
XDG_CACHE_HOME="$WORK/crash" XDG_CONFIG_HOME="$WORK" "$FINEX" "${WARM[@]}" >/dev/null 2>&1
before=$(calls)
read_all "$WORK/crash" "$WORK/got.csv"
after=$(calls)
cmp -s "$WORK/ref.csv" "$WORK/got.csv" || { echo "final read differs from the reference"; exit 1; }
[ "$before" = "$after" ] || { echo "final read made $((after - before)) provider calls, want 0"; exit 1; }
echo "crash_warm_test: ok (final read: 0 provider calls)"
