#!/usr/bin/env bash
# HTTP benchmark: finex serve vs nginx proxy_cache serving the identical bytes.
#
#   bench/wrk/run.sh [path/to/finex] [duration_s]
#
# Starts `finex sim` (upstream), `finex serve --sim` pinned to CPU 0 with one
# I/O thread, and nginx (one worker, also pinned to CPU 0) as a caching
# reverse proxy in front of finex, configured as a user tuning it would:
# keepalive_requests high (nginx's default of 1000 closes every wrk connection
# each 1000 requests, which would handicap it), a long keepalive_timeout, and
# sendfile on / tcp_nopush on as Debian's nginx.conf ships them.
# After warming both caches it runs wrk
# pinned to CPU 1 with 64 connections against:
#   - a cached /v1/quote (JSON)
#   - a cached 1-year daily /v1/history (JSON, ~30 KB)
#   - a cached Yahoo-compatible 1-year daily chart
#     (/yahoo/v8/finance/chart/AAPL?range=1y&interval=1d, Yahoo's JSON)
# for finex directly and for nginx's proxy_cache, checks the bodies are
# byte-identical, and prints requests/s and the finex/nginx ratio.
#
# It also prints the server CPU time per request (user + system time of the
# finex process, or of the nginx worker, over the wrk run, from /proc, divided
# by the requests wrk counted) and the ratio of those: on a machine shared
# with other work, requests/s swing with the scheduler, while CPU per request
# is what each server spends and stays comparable.
set -euo pipefail
FINEX=${1:-$(dirname "$0")/../../build/release/src/finex/cli/finex}
DUR=${2:-10}
CONNS=64
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)"; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "nginx not installed (apt-get install nginx-light)"; exit 1; }
[ -x "$FINEX" ] || { echo "finex binary not found at $FINEX"; exit 1; }
CPUS=$(nproc)
SERVER_CPU=0
CLIENT_CPU=$(( CPUS > 1 ? 1 : 0 ))

WORK=$(mktemp -d)
SIM_PORT=${SIM_PORT:-19100}
FINEX_PORT=${FINEX_PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
cleanup() {
  for p in ${NGINX_PID:-} ${SERVE_PID:-} ${SIM_PID:-}; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_for() {
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1"; cat "$1"; exit 1
}

"$FINEX" sim --listen 127.0.0.1:$SIM_PORT 2>"$WORK/sim.log" &
SIM_PID=$!
wait_for "$WORK/sim.log" listening
XDG_CONFIG_HOME="$WORK" XDG_CACHE_HOME="$WORK" taskset -c $SERVER_CPU "$FINEX" serve \
  --listen 127.0.0.1:$FINEX_PORT --threads 1 --sim http://127.0.0.1:$SIM_PORT 2>"$WORK/serve.log" &
SERVE_PID=$!
wait_for "$WORK/serve.log" "listening on"

mkdir -p "$WORK/nginx/cache" "$WORK/nginx/tmp"
NGINX_USER=""
# As root, nginx workers would switch to "nobody" and could not use the
# private temp directory.
[ "$(id -u)" = 0 ] && NGINX_USER="user root;"
cat > "$WORK/nginx/nginx.conf" <<CONF
$NGINX_USER
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  # Debian's shipped nginx.conf: cached bodies go out with sendfile(2).
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  proxy_cache_path $WORK/nginx/cache levels=1:2 keys_zone=finex:10m max_size=1g inactive=60m use_temp_path=off;
  upstream finex { server 127.0.0.1:$FINEX_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    # A fair anchor: nginx keeps client connections as long as finex does.
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    location / {
      proxy_pass http://finex;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache finex;
      proxy_cache_key \$request_uri;
      proxy_cache_valid 200 10m;
      proxy_ignore_headers Cache-Control Expires Set-Cookie;
      add_header X-Cache-Status \$upstream_cache_status;
    }
  }
}
CONF
taskset -c $SERVER_CPU "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx.log" &
NGINX_PID=$!
sleep 0.5

QUOTE="/v1/quote?symbols=AAPL"
HIST="/v1/history?symbols=AAPL&interval=1d&start=2023-01-01&end=2023-12-31"
CHART="/yahoo/v8/finance/chart/AAPL?range=1y&interval=1d"

# Warm finex (first call fetches from the simulator, later ones are cache hits)
# and nginx's cache; then compare the bodies byte for byte.
for u in "$QUOTE" "$HIST" "$CHART"; do
  for _ in 1 2 3; do curl -fsS "http://127.0.0.1:$FINEX_PORT$u" -o /dev/null; done
  for _ in 1 2 3; do
    curl -fsS "http://127.0.0.1:$NGINX_PORT$u" -o /dev/null || { cat "$WORK/nginx/error.log"; exit 1; }
  done
done
check_same() {
  # finex's body carries response_time_ms and freshness, which change as
  # data ages; nginx serves the bytes it cached, so compare within one
  # answer-cache window: fetch nginx's copy, then finex's, and compare sizes
  # and the data member exactly.
  curl -fsS "http://127.0.0.1:$NGINX_PORT$1" -o "$WORK/n.body" -D "$WORK/n.head"
  curl -fsS "http://127.0.0.1:$FINEX_PORT$1" -o "$WORK/f.body"
  grep -qi "x-cache-status: HIT" "$WORK/n.head" || { echo "nginx did not serve $1 from cache"; exit 1; }
  python3 - "$WORK/n.body" "$WORK/f.body" "$1" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
# finex's own routes: the "data" member; provider-compatible ones: the whole body.
assert a.get("data", a) == b.get("data", b), "data differs for " + sys.argv[3]
print(f"  identical data for {sys.argv[3]}: {len(open(sys.argv[1],'rb').read())} bytes (nginx) / {len(open(sys.argv[2],'rb').read())} bytes (finex)")
PY
}
echo "bodies:"
check_same "$QUOTE"
check_same "$HIST"
check_same "$CHART"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
NGINX_WORKER=$(pgrep -P "$NGINX_PID" | head -1)
[ -n "$NGINX_WORKER" ] || { echo "nginx worker not found"; cat "$WORK/nginx/error.log"; exit 1; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))

run_wrk() {  # pid port path -> requests/s p99 non-2xx cpu_us_per_request
  local c0 c1
  c0=$(cpu_ticks "$1")
  taskset -c $CLIENT_CPU wrk -t1 -c$CONNS -d${DUR}s --latency "http://127.0.0.1:$2$3" > "$WORK/wrk.out" 2>&1
  c1=$(cpu_ticks "$1")
  local rps p99 errs reqs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  p99=$(awk '/^ *99%/ {print $2}' "$WORK/wrk.out")
  errs=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.out")
  reqs=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
  echo "$rps $p99 ${errs:-0} $(python3 -c "print(f'{($c1 - $c0) * $TICK_US / max(1, $reqs):.1f}')")"
}

printf "\n%-34s %14s %10s %8s %14s\n" "target ($CONNS conns, ${DUR}s, server on CPU $SERVER_CPU)" "req/s" "p99" "non-2xx" "CPU us/req"
declare -A R C
for name in quote history chart; do
  path=$QUOTE; [ $name = history ] && path=$HIST; [ $name = chart ] && path=$CHART
  for who in finex nginx; do
    port=$FINEX_PORT; pid=$SERVE_PID
    [ $who = nginx ] && port=$NGINX_PORT && pid=$NGINX_WORKER
    read -r rps p99 errs cpu < <(run_wrk "$pid" $port "$path")
    R[$who-$name]=$rps
    C[$who-$name]=$cpu
    printf "%-34s %14s %10s %8s %14s\n" "$who $name" "$rps" "$p99" "$errs" "$cpu"
  done
done
echo
for name in quote history chart; do
  ratio=$(python3 -c "print(f'{${R[finex-$name]}/${R[nginx-$name]}:.2f}')")
  cratio=$(python3 -c "print(f'{${C[nginx-$name]}/max(0.01, ${C[finex-$name]}):.2f}')")
  echo "ratio finex/nginx $name: ${ratio}x req/s, ${cratio}x requests per CPU second"
done
