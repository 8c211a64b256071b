#!/usr/bin/env bash
# Backend benchmarks with anchors measured in the same run (issue 6):
#   finex_bench BM_Redis*, BM_Postgres*, BM_ParquetDir*, BM_Memory*  (8 KiB values, 1 client)
#   anchors: redis-benchmark GET/SET (-d 8192, 1 client, no pipelining) on the
#            same redis-server; BM_LibpqPlainGet (bare libpq prepared SELECT)
#            and pgbench (-M prepared, 1 client) on the same PostgreSQL.
#   issue 15: BM_RedisSentinel* (master + replica + 3 sentinels), BM_RedisCluster*
#            (3 masters + 3 replicas; anchor: redis-benchmark --cluster on the
#            same cluster), BM_Influx* (influxd; no stock anchor: a raw
#            HTTP round trip of the same SELECT is printed beside it).
# Starts its own redis-server, PostgreSQL 15 (as the postgres user when run
# as root), Sentinel group, Cluster and influxd (as the influxdb user when
# root) on free loopback ports in a temp dir; removes them at exit. Sentinel,
# Cluster and InfluxDB are skipped when redis-sentinel / influxd are missing.
#
# Usage: bench/backends/run.sh [path/to/finex_bench]   (default: build/release/bench/finex_bench)
# Env:   MIN_TIME (default 1s per benchmark), REPS (default 3; medians reported), PGBIN (default /usr/lib/postgresql/15/bin)
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bench=${1:-$here/build/release/bench/finex_bench}
[ -x "$bench" ] || { echo "run.sh: $bench not found; build finex_bench first" >&2; exit 2; }
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MIN_TIME=${MIN_TIME:-1}
command -v redis-server >/dev/null || { echo "run.sh: redis-server missing (scripts/setup)" >&2; exit 2; }
[ -x "$PGBIN/initdb" ] || { echo "run.sh: $PGBIN/initdb missing (scripts/setup)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/finex-bench-XXXXXX)
redis_pid=""; pg_started=""; extra_pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  for p in "${extra_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$pg_started" ] && as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" \
  --logfile "$tmp/redis.log" --daemonize no >/dev/null 2>&1 &
redis_pid=$!
for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done

pport=$(free_port)
[ "$(id -u)" = 0 ] && chown postgres "$tmp"
as_pg "$PGBIN/initdb" -D "$tmp/pg" -U finex -A trust --no-sync -E UTF8 --locale=C >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w start \
  -o "-p $pport -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" >/dev/null
pg_started=1
dsn="host=127.0.0.1 port=$pport user=finex dbname=postgres"

start_redis() {  # port dir [args...]
  local p=$1 d=$2; shift 2; mkdir -p "$d"
  redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" \
    --logfile "$d/redis.log" --daemonize no "$@" >/dev/null 2>&1 &
  extra_pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && return 0; sleep 0.05; done
}
# Redis Sentinel: master + replica + 3 sentinels (quorum 2).
if command -v redis-sentinel >/dev/null; then
  smaster=$(free_port); sreplica=$(free_port)
  start_redis "$smaster" "$tmp/s-master"
  start_redis "$sreplica" "$tmp/s-replica" --replicaof 127.0.0.1 "$smaster"
  surl="redis-sentinel://"
  for i in 1 2 3; do
    sp=$(free_port); mkdir -p "$tmp/sentinel$i"
    printf 'port %s\nbind 127.0.0.1\nprotected-mode no\ndir %s\nsentinel monitor finex 127.0.0.1 %s 2\nsentinel down-after-milliseconds finex 5000\n' \
      "$sp" "$tmp/sentinel$i" "$smaster" > "$tmp/sentinel$i/sentinel.conf"
    redis-sentinel "$tmp/sentinel$i/sentinel.conf" >/dev/null 2>&1 & extra_pids+=($!)
    [ $i -gt 1 ] && surl+=","
    surl+="127.0.0.1:$sp"
  done
  for _ in $(seq 100); do redis-cli -p "$sp" ping >/dev/null 2>&1 && break; sleep 0.05; done
  export FINEX_BENCH_REDIS_SENTINEL_URL="$surl/0#finex"
fi
# Redis Cluster: 3 masters + 3 replicas.
cports=()
for i in 1 2 3 4 5 6; do
  cp=$(free_port); cports+=("$cp")
  start_redis "$cp" "$tmp/cluster$i" --cluster-enabled yes --cluster-config-file nodes.conf \
    --cluster-port "$(free_port)"  # not port+10000: that overflows for high ports
done
if redis-cli --cluster create $(printf '127.0.0.1:%s ' "${cports[@]}") --cluster-replicas 1 \
     --cluster-yes >/dev/null 2>&1; then
  for _ in $(seq 200); do
    redis-cli -p "${cports[0]}" cluster info 2>/dev/null | grep -q cluster_state:ok && break; sleep 0.05
  done
  export FINEX_BENCH_REDIS_CLUSTER_URL="redis-cluster://127.0.0.1:${cports[0]},127.0.0.1:${cports[1]},127.0.0.1:${cports[2]}"
fi
# InfluxDB 1.x.
if command -v influxd >/dev/null; then
  iport=$(free_port); irpc=$(free_port); mkdir -p "$tmp/influx"
  printf 'reporting-disabled = true\nbind-address = "127.0.0.1:%s"\n[meta]\n  dir = "%s/meta"\n[data]\n  dir = "%s/data"\n  wal-dir = "%s/wal"\n  query-log-enabled = false\n[monitor]\n  store-enabled = false\n[http]\n  bind-address = "127.0.0.1:%s"\n  log-enabled = false\n  max-body-size = 0\n' \
    "$irpc" "$tmp/influx" "$tmp/influx" "$tmp/influx" "$iport" > "$tmp/influx/influxdb.conf"
  if [ "$(id -u)" = 0 ]; then chown -R influxdb "$tmp/influx"; chmod o+x "$tmp"
    runuser -u influxdb -- influxd -config "$tmp/influx/influxdb.conf" >"$tmp/influx/log" 2>&1 &
  else influxd -config "$tmp/influx/influxdb.conf" >"$tmp/influx/log" 2>&1 & fi
  extra_pids+=($!)
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$iport/ping" >/dev/null 2>&1 && break; sleep 0.05; done
  export FINEX_BENCH_INFLUX_URL="http://127.0.0.1:$iport"
fi

export FINEX_BENCH_REDIS_URL="redis://127.0.0.1:$rport/0" FINEX_BENCH_PG_DSN="$dsn" FINEX_BENCH_DIR="$tmp"
echo "== finex_bench (backends) =="
"$bench" --benchmark_filter="${BENCH_FILTER:-BM_(Redis|Postgres|ParquetDir|LibpqPlain|Influx)}" \
  --benchmark_min_time="$MIN_TIME" --benchmark_repetitions="${REPS:-3}" --benchmark_report_aggregates_only=true \
  --benchmark_out="$tmp/bench.json" --benchmark_out_format=json \
  --benchmark_counters_tabular=true

echo "== anchor: redis-benchmark (8 KiB, 1 client, no pipeline) =="
redis-benchmark -p "$rport" -t set,get -d 8192 -n 20000 -c 1 -P 1 --csv | tee "$tmp/rb.csv"

: > "$tmp/rbc.csv"
if [ -n "${FINEX_BENCH_REDIS_CLUSTER_URL:-}" ]; then
  echo "== anchor: redis-benchmark --cluster (8 KiB, 1 client, no pipeline) on the same cluster =="
  redis-benchmark --cluster -p "${cports[0]}" -t set,get -d 8192 -n 20000 -c 1 -P 1 --csv | tee "$tmp/rbc.csv"
fi
: > "$tmp/influx.txt"
if [ -n "${FINEX_BENCH_INFLUX_URL:-}" ]; then
  echo "== anchor: InfluxDB raw HTTP round trip (Python urllib, 200 x the SELECT a finex Get sends) =="
  python3 - "$FINEX_BENCH_INFLUX_URL" <<'PY' | tee "$tmp/influx.txt"
import sys, time, urllib.parse, urllib.request
u = sys.argv[1]
# The query a finex Get sends, for one of the benchmark's keys (tag k = hex(key)).
k = "finex:BENCH:1d:0:1:yahoo:usd:ohlcv_v1".encode().hex()
q = urllib.parse.urlencode({"db": "finex", "q": 'SELECT "c","d","g","h","n","x","k" FROM "finex_kv"."fragments" WHERE "k"=\'' + k + "'"})
lat = []
for _ in range(200):
    t = time.perf_counter(); urllib.request.urlopen(u + "/query?" + q).read(); lat.append(time.perf_counter() - t)
lat.sort()
print(f"influx raw SELECT: {len(lat) / sum(lat):.0f}/s p50 {lat[100] * 1e6:.0f} us p99 {lat[197] * 1e6:.0f} us")
PY
fi

echo "== anchor: pgbench (prepared SELECT of one 8 KiB row, 1 client, 5 s) =="
# (pgbench substitutes :name even inside string literals, so the key's ':' are built with chr(58).)
echo "\\set k random(0, 999)
SELECT value FROM finex_bench WHERE key = replace('finex#BENCH#1d#' || CAST(:k AS text) || '#1#yahoo#usd#ohlcv_v1', '#', chr(58));" > "$tmp/get.sql"
"$PGBIN/pgbench" -h 127.0.0.1 -p "$pport" -U finex -n -M prepared -c 1 -T 5 -f "$tmp/get.sql" postgres 2>&1 \
  | tee "$tmp/pgbench.txt" | grep -E "tps|latency|rror" || true

echo "== summary (median of ${REPS:-3} repetitions: items/s; p99 µs) =="
python3 - "$tmp/bench.json" "$tmp/rb.csv" "$tmp/pgbench.txt" "$tmp/rbc.csv" "$tmp/influx.txt" <<'PY'
import csv, json, re, sys
# Medians over the repetitions (the machine is shared; single runs are noisy).
b = {x["run_name"]: x for x in json.load(open(sys.argv[1]))["benchmarks"]
     if "error_occurred" not in x and x.get("aggregate_name", "median") == "median"}
rb = {row[0].strip('"'): float(row[1].strip('"')) for row in csv.reader(open(sys.argv[2])) if len(row) > 1 and row[0] != "test"}
m = re.search(r"tps = ([0-9.]+)", open(sys.argv[3]).read())
pgb = float(m.group(1)) if m else None
def ips(n): return b[n]["items_per_second"] if n in b else None
def p99(n): return b[n].get("p99_us") if n in b else None
def p50(n): return b[n].get("p50_us") if n in b else None
for n in sorted(b):
    print(f"{n:40s} {ips(n):10.0f}/s  p50 {p50(n):8.1f} µs  p99 {p99(n):9.1f} µs")
rbp50 = {row[0].strip('"'): float(row[4].strip('"')) * 1000 for row in csv.reader(open(sys.argv[2])) if len(row) > 4 and row[0] != "test"}
for t in ("GET", "SET"):
    if t in rb: print(f"{'redis-benchmark ' + t:40s} {rb[t]:10.0f}/s  p50 {rbp50.get(t, 0):8.1f} µs")
if pgb: print(f"{'pgbench prepared SELECT':40s} {pgb:10.0f}/s")
rbc = {row[0].strip('"'): float(row[1].strip('"')) for row in csv.reader(open(sys.argv[4])) if len(row) > 1 and row[0] != "test"}
for t in ("GET", "SET"):
    if t in rbc: print(f"{'redis-benchmark --cluster ' + t:40s} {rbc[t]:10.0f}/s")
print(open(sys.argv[5]).read().strip())
def ratio(a, c, label):
    if a and c: print(f"{label:58s} {a / c:6.2f}x")
print("-- ratios to anchors (same machine, same run) --")
ratio(ips("BM_RedisGet/real_time"), rb.get("GET"), "finex Redis Get / redis-benchmark GET")
ratio(rbp50.get("GET"), p50("BM_RedisGet/real_time"), "redis-benchmark GET p50 / finex Redis Get p50 (1 = same latency)")
ratio(ips("BM_RedisPut/real_time"), rb.get("SET"), "finex Redis Put (SET+2 ZADD, pipelined) / redis-benchmark SET")
ratio(ips("BM_RedisGetMultiple16/real_time"), rb.get("GET"), "finex Redis GetMultiple16 keys/s / redis-benchmark GET")
ratio(ips("BM_RedisSentinelGet/real_time"), rb.get("GET"), "finex Redis Sentinel Get / redis-benchmark GET (single server)")
ratio(ips("BM_RedisClusterGet/real_time"), rbc.get("GET"), "finex Redis Cluster Get / redis-benchmark --cluster GET")
ratio(ips("BM_RedisClusterPut/real_time"), rbc.get("SET"), "finex Redis Cluster Put / redis-benchmark --cluster SET")
ratio(ips("BM_PostgresGet/real_time"), ips("BM_LibpqPlainGet/real_time"), "finex Postgres Get / plain libpq prepared SELECT")
ratio(ips("BM_PostgresGet/real_time"), pgb, "finex Postgres Get / pgbench prepared SELECT tps")
PY
