#!/usr/bin/env bash
# Builds every libFuzzer target with clang (-fsanitize=fuzzer,address,undefined),
# generates the seed corpora (fuzz/make_seeds.sh; Parquet seeds from
# parquet_seed_corpus, plus DuckDB files when tests/interop has its node deps)
# and fuzzes each target for <seconds> (default 60), one after another.
#   fuzz/run.sh [seconds] [target...]       targets: see `fuzz/run.sh --list`
#   fuzz/run.sh --minimize [target...]      merge the run's corpus into the
#                                           committed fuzz/corpus/<target>/
# Env: FINEX_FUZZ_BUILD (build dir, default build/fuzz), FINEX_FUZZ_JOBS (default 1),
#      FINEX_FUZZ_CMAKE_SOURCE (CMake source dir, default the repo root),
#      FINEX_FUZZ_NO_BUILD=1 (use the fuzzers already built in the build dir).
# Findings (crash-*, leak-*, timeout-*, oom-*) land in build/fuzz/artifacts/<target>/;
# per-target runs/executions go to build/fuzz/stats.tsv (docs/security.md).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${FINEX_FUZZ_BUILD:-$repo/build/fuzz}"
src="${FINEX_FUZZ_CMAKE_SOURCE:-$repo}"
all_targets=(http_request query_params warm_body cache_key config provider_yahoo
  provider_binance provider_alpha_vantage provider_twelve_data provider_coingecko parquet_reader)
if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${all_targets[@]}"
  exit 0
fi
minimize=0
secs=60
if [ "${1:-}" = "--minimize" ]; then
  minimize=1
  shift
elif [ $# -gt 0 ]; then
  secs="$1"
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
command -v clang++ >/dev/null || { echo "fuzz/run.sh needs clang++ (and libclang-rt-14-dev)"; exit 1; }
if [ "${FINEX_FUZZ_NO_BUILD:-0}" != 1 ]; then
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DFINEX_BUILD_FUZZERS=ON -DFINEX_BUILD_TESTS=OFF -DFINEX_BUILD_BENCHMARKS=OFF >/dev/null
ninja_targets=()
for t in "${targets[@]}"; do ninja_targets+=("${t}_fuzzer"); done
[[ " ${targets[*]} " == *" parquet_reader "* ]] && ninja_targets+=(parquet_seed_corpus)
ninja -C "$build" -j"${FINEX_FUZZ_NINJA_JOBS:-2}" "${ninja_targets[@]}"
fi
binary() { find "$build" -name "$1" -type f -perm -u+x | head -1; }

seeds="$build/seeds/$$"  # per run, so runs of different targets may overlap
trap 'rm -rf "$seeds"' EXIT
if [ "$minimize" = 0 ]; then
  "$repo/fuzz/make_seeds.sh" "$seeds" >/dev/null
fi
if [ "$minimize" = 0 ] && [[ " ${targets[*]} " == *" parquet_reader "* ]]; then
  mkdir -p "$seeds/parquet_reader"
  "$(binary parquet_seed_corpus)" "$seeds/parquet_reader"
  if command -v node >/dev/null 2>&1 &&
    [ -f "$repo/tests/interop/node_modules/@duckdb/node-api/package.json" ]; then
    (cd "$repo/tests/interop" && node make_fuzz_seeds.mjs "$seeds/parquet_reader") ||
      echo "fuzz: DuckDB seeds skipped"
  fi
fi

jobs="${FINEX_FUZZ_JOBS:-1}"
extra=()
if [ "$jobs" -gt 1 ]; then extra=(-jobs="$jobs" -workers="$jobs"); fi
stats="$build/stats.tsv"
[ -f "$stats" ] || printf 'target\tseconds\truns\texec_per_s\tcorpus_files\tresult\n' >"$stats"
status=0
for t in "${targets[@]}"; do
  fuzzer="$(binary "${t}_fuzzer")"
  corpus="$build/corpus/$t"
  committed="$repo/fuzz/corpus/$t"
  mkdir -p "$corpus" "$seeds/$t" "$build/artifacts/$t"
  if [ "$minimize" = 1 ]; then
    # Keep only inputs that add coverage, at most 4 KiB each, into the
    # committed corpus (replayed by CTest: fuzz_replay_<target>).
    rm -rf "$committed.new"
    mkdir -p "$committed.new"
    dirs=("$corpus")
    [ -d "$committed" ] && dirs+=("$committed")
    "$fuzzer" -merge=1 -max_len=4096 "$committed.new" "${dirs[@]}" 2>/dev/null
    rm -rf "$committed"
    mv "$committed.new" "$committed"
    echo "fuzz: $t: $(find "$committed" -type f | wc -l) files, $(du -sk --apparent-size "$committed" | cut -f1) KiB committed"
    continue
  fi
  seed_dirs=("$seeds/$t")
  [ -d "$committed" ] && seed_dirs+=("$committed")
  log="$build/$t.log"
  echo "== fuzz $t for ${secs}s"
  set +e
  "$fuzzer" "$corpus" "${seed_dirs[@]}" -max_total_time="$secs" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$build/artifacts/$t/" \
    -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  files=$(find "$corpus" -type f | wc -l)
  result=ok
  if [ "$rc" != 0 ]; then
    result="finding (rc $rc, see $log)"
    status=1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$secs" "${runs:-?}" "${eps:-?}" "$files" "$result" | tee -a "$stats"
done
exit $status
