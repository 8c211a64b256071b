#!/usr/bin/env bash
# Multi-node end-to-end (issue 6): two `finex serve` nodes sharing one
# redis-server, `finex sim` behind them. Checks, each printed PASS/FAIL:
#   1. node A warms a year of AAPL 1d; node B answers sub-ranges with 0 provider calls
#   2. an invalidation on B is seen by A (A refetches)
#   3. 100 concurrent identical misses spread over both nodes -> 1 provider call
#   4. redis-server killed under load on both nodes: 0 failed client requests;
#      once it is back (accepting connections) both nodes write to it again
#      within 1 s (measured)
# Usage: tests/integration/multinode_test.sh [path/to/finex]   (exit 1 if any check fails,
# 77 = skipped: finex not built or redis-server missing)
set -uo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
finex=${1:-$here/build/release/src/finex/cli/finex}
[ -x "$finex" ] || { echo "SKIP: $finex not built"; exit 77; }
command -v redis-server >/dev/null || { echo "SKIP: redis-server missing"; exit 77; }
tmp=$(mktemp -d /tmp/finex-multinode-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; [ -n "${rpid:-}" ] && kill "$rpid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
fails=0
check() { if [ "$1" = 0 ]; then echo "PASS: $2"; else echo "FAIL: $2"; fails=$((fails+1)); fi; }

rport=$(port); sport=$(port); aport=$(port); bport=$(port)
start_redis() {
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
    --logfile "$tmp/redis.log" >/dev/null 2>&1 &
  rpid=$!
  for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && return 0; sleep 0.02; done
}
start_redis
"$finex" sim --listen "127.0.0.1:$sport" >"$tmp/sim.log" 2>&1 & pids+=($!)
wait_http "http://127.0.0.1:$sport/_sim/stats" || { echo "FAIL: sim did not start"; exit 1; }
export FINEX_ADMIN_TOKEN=multinode-secret XDG_CONFIG_HOME="$tmp/cfg" XDG_CACHE_HOME="$tmp/cache"
for p in $aport $bport; do
  "$finex" serve --listen "127.0.0.1:$p" --sim "http://127.0.0.1:$sport" \
    --set cache.backend=redis --set "backends.redis.url=redis://127.0.0.1:$rport/0" >"$tmp/serve-$p.log" 2>&1 &
  pids+=($!)
done
wait_http "http://127.0.0.1:$aport/healthz" && wait_http "http://127.0.0.1:$bport/healthz" || {
  echo "FAIL: finex serve did not start"; tail -5 "$tmp"/serve-*.log; exit 1; }
A=http://127.0.0.1:$aport; B=http://127.0.0.1:$bport; SIM=http://127.0.0.1:$sport
sim_total() { curl -fs "$SIM/_sim/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'; }
sim_reset() { curl -fs -X POST "$SIM/_sim/reset" >/dev/null; }
hist() { curl -fs -o /dev/null -w '%{http_code}' "$1/v1/history?symbols=$2&interval=1d&start=$3&end=$4&provider=yahoo"; }

# 1. warm on A, sub-ranges on B
code=$(hist "$A" AAPL 2023-01-01 2023-12-31); [ "$code" = 200 ] || echo "warm answered $code"
sim_reset
ok=0
for r in "2023-02-01 2023-02-28" "2023-06-05 2023-09-15" "2023-12-01 2023-12-29" "2023-01-03 2023-12-29"; do
  set -- $r; c=$(hist "$B" AAPL "$1" "$2"); [ "$c" = 200 ] || ok=1
done
n=$(sim_total); echo "   provider calls for B's sub-ranges: $n"
[ "$n" = 0 ] && [ $ok = 0 ]; check $? "node B answers sub-ranges of A's warm-up with 0 provider calls"

# 2. invalidation on B seen by A
c=$(curl -fs -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $FINEX_ADMIN_TOKEN" \
  "$B/v1/cache?pattern=finex:AAPL:*"); echo "   DELETE on B: $c"
sim_reset
hist "$A" AAPL 2023-02-01 2023-02-28 >/dev/null
n=$(sim_total); echo "   provider calls on A after B's invalidation: $n"
[ "$n" -ge 1 ]; check $? "an invalidation on B is seen by A"

# 3. 100 concurrent identical misses over both nodes
sim_reset
cpids=()
for i in $(seq 100); do
  if [ $((i % 2)) = 0 ]; then h=$A; else h=$B; fi
  curl -fs -o /dev/null "$h/v1/history?symbols=MSFT&interval=1d&start=2022-03-01&end=2022-03-31&provider=yahoo" &
  cpids+=($!)
done
wait "${cpids[@]}"
n=$(sim_total); echo "   provider calls for 100 concurrent identical misses: $n"
[ "$n" = 1 ]; check $? "100 concurrent identical misses over both nodes -> 1 provider call"

# 4. kill redis under load
hist "$A" NVDA 2023-01-01 2023-06-30 >/dev/null; hist "$B" NVDA 2023-01-01 2023-06-30 >/dev/null
: > "$tmp/codes"
load() { local end=$((SECONDS + 4)); while [ $SECONDS -lt $end ]; do
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 "$1/v1/history?symbols=NVDA&interval=1d&start=2023-02-01&end=2023-03-31&provider=yahoo" >> "$tmp/codes"; done; }
load "$A" & l1=$!; load "$B" & l2=$!
sleep 1; kill -9 "$rpid"; wait "$rpid" 2>/dev/null; sleep 1
start_redis; t0=$(date +%s%N)
# Both nodes must write to the restarted (empty) Redis within 1 s of it coming
# back (accepting connections; its own start-up is not finex's time): ask each
# for a new series and watch the shared index. A series fetched while the node
# still saw Redis down is stored in its L1 only (writes are not replayed), so
# every attempt asks for a series the node has not seen (AMZN, AMZNA, AMZNB...).
back() { local node=$1 base=$2 i=0 sym; while :; do
  sym=$base; [ $i -gt 0 ] && sym=$base$(printf "\\$(printf %o $((64 + (i - 1) % 26 + 1)))")$( [ $i -gt 26 ] && echo Z)
  i=$((i + 1))
  hist "$node" "$sym" 2023-01-03 2023-01-31 >/dev/null
  [ "$(redis-cli -p "$rport" zscore finex:series "finex:$sym:1d")" != "" ] && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return; }
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 5000 ] && { echo 99999; return; }
  sleep 0.01; done; }
# Both nodes are measured at once, from the same t0.
back "$A" AMZN > "$tmp/ma" & b1=$!
back "$B" META > "$tmp/mb" & b2=$!
wait $b1 $b2 $l1 $l2
ma=$(cat "$tmp/ma"); mb=$(cat "$tmp/mb")
total=$(wc -l < "$tmp/codes"); bad=$(grep -vc '^200$' "$tmp/codes")
echo "   requests during the fault: $total, non-200: $bad; Redis used again after restart: A ${ma} ms, B ${mb} ms"
[ "$bad" = 0 ]; check $? "zero failed client requests while redis-server was killed"
# The 1 s goal is a measured figure (printed); the pass/fail bound is
# FINEX_MULTINODE_RECOVERY_MS (default 1000 by hand; CTest, sharing 2 noisy
# cores with other tests, asserts recovery without a restart within 5 s).
budget=${FINEX_MULTINODE_RECOVERY_MS:-1000}
if [ "$ma" -lt 1000 ] && [ "$mb" -lt 1000 ]; then echo "   goal (1 s): met"; else echo "   goal (1 s): NOT met this run"; fi
[ "$ma" -lt "$budget" ] && [ "$mb" -lt "$budget" ]; check $? "both nodes use Redis again, without a restart, within $budget ms of it coming back"
echo "multinode: $fails check(s) failed"
[ $fails = 0 ]
