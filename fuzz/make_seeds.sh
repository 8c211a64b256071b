#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into <outdir>/<target>/:
# provider bodies from ../shared/data/provider-responses (when present) and
# the adapters' testdata, requests/queries/keys/configs/warm bodies from the
# shapes the tests and docs use. Large bodies are cut to 32 KiB (a cut JSON
# document still exercises the error paths). Nothing here is committed: the
# committed corpora are the minimized result of a run (fuzz/run.sh --minimize).
#   fuzz/make_seeds.sh <outdir>
set -euo pipefail
out="${1:?usage: make_seeds.sh <outdir>}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${FINEX_SHARED_DATA:-$repo/../shared/data}"
mkdir -p "$out"

# seed <target> <name> <bytes...>: one file from printf-style text.
seed() {
  local t="$1" n="$2"
  shift 2
  mkdir -p "$out/$t"
  printf "$@" >"$out/$t/$n"
}

# Provider bodies: first byte = status/interval selector (0 = 200, daily),
# then the body.
provider_seeds() {
  local target="$1"
  shift
  mkdir -p "$out/$target"
  local i=0 f
  for dir in "$@"; do
    [ -d "$dir" ] || continue
    while IFS= read -r -d '' f; do
      case "$f" in *.meta.json) continue ;; esac
      i=$((i + 1))
      { printf '\000'; head -c 32768 "$f"; } >"$out/$target/s$i"
      # The same body as a 429 and an intraday answer (selector 7, 10).
      { printf '\007'; head -c 4096 "$f"; } >"$out/$target/s${i}_429"
      { printf '\012'; head -c 32768 "$f"; } >"$out/$target/s${i}_1m"
    done < <(find "$dir" -type f -print0 | sort -z)
  done
}
pr="$shared/provider-responses"
src="$repo/src/finex/provider"
provider_seeds provider_yahoo "$pr/yahoo" "$src/yahoo/testdata"
provider_seeds provider_binance "$pr/binance" "$src/binance/testdata"
provider_seeds provider_alpha_vantage "$pr/alphavantage" "$src/alpha_vantage/testdata"
provider_seeds provider_twelve_data "$pr/twelvedata" "$src/twelve_data/testdata"
provider_seeds provider_coingecko "$pr/coingecko" "$src/coingecko/testdata"

# HTTP requests (one connection's bytes).
h=http_request
seed $h get 'GET /v1/quote?symbols=AAPL,MSFT HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n'
seed $h head 'HEAD /v1/history?symbols=AAPL&interval=1d&start=2024-01-02 HTTP/1.1\r\nHost: h\r\n\r\n'
seed $h post_cl 'POST /v1/cache/warm HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"symbols":["AAPL"],"x"}'
seed $h post_chunked 'POST /v1/cache/warm HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n'
seed $h pipeline 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b?x=%%41 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n'
seed $h absolute 'GET http://example.com:8080/v1/search?q=apple HTTP/1.1\r\nHost: example.com\r\n\r\n'
seed $h http10 'GET /healthz HTTP/1.0\r\n\r\n'
seed $h obs_fold 'GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n'
seed $h conflict 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
seed $h delete 'DELETE /v1/cache?pattern=finex:AAPL:* HTTP/1.1\r\nHost: [::1]:80\r\nExpect: 100-continue\r\n\r\n'

# Query strings.
q=query_params
seed $q history 'symbols=AAPL,MSFT&interval=1d&start=2024-01-02&end=2024-03-01T00:00:00Z&format=csv'
seed $q period 'symbols=BTC-USD&interval=1h&period=5d&provider=binance&fields=close,volume'
seed $q epoch 'symbols=EURUSD%%3DX&start=1704153600&end=2024-01-09T09:30:00-05:00&currency=usd'
seed $q quote 'symbols=AAPL&provider=yahoo&format=json'
seed $q search 'q=apple+inc&limit=5'
seed $q ytd 'symbols=GC%%3DF&period=ytd&adjust=split&interval=1mo'

# Cache keys and patterns ("pattern\nkey").
k=cache_key
seed $k key 'finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1'
seed $k adj 'finex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv+adj_close_v1'
seed $k pattern_key 'finex:AAPL:*\nfinex:AAPL:1d:1704067200:1706918400:yahoo:usd:ohlcv_v1'
seed $k mid_star 'finex:*:1h:*:*:binance:*\nfinex:BTC-USDT:1h:1704067200:1704150000:binance:usdt:close+volume_v1'
seed $k exact 'finex:DELISTED:1d:1704067200:1706918400:yahoo:usd:empty_v1\nfinex:DELISTED:1d:1704067200:1706918400:yahoo:usd:empty_v1'

# Warm bodies.
w=warm_body
seed $w full '{"symbols":["AAPL","MSFT"],"intervals":["1d","1h"],"ranges":[{"start":"2024-01-02","end":"2024-03-01"},{"start":1704153600,"end":1704240000}],"provider":"yahoo"}'
seed $w minimal '{"symbols":["BTC-USD"]}'

# Config files: the documented example plus small variations.
c=config
mkdir -p "$out/$c"
if [ -f "$repo/docs/config.md" ]; then
  awk '/^```toml/{on=1;next} /^```/{on=0} on' "$repo/docs/config.md" >"$out/$c/doc_example.toml"
fi
seed $c small '[server]\nlisten = "127.0.0.1:8080"\nthreads = 2\n[cache]\nbackend = "memory"\n[providers]\norder = ["yahoo", "binance"]\n'
seed $c bad_types '[server]\nthreads = "two"\nmax_connections = -1\n[cache.memory]\nmax_bytes = 1e99\n'
echo "seeds: $(find "$out" -type f | wc -l) files in $out"
