#!/usr/bin/env bash
# Builds the Parquet reader fuzzer with clang (-fsanitize=fuzzer,address,undefined),
# generates the seed corpus (finex files, plus DuckDB files when tests/interop
# has its node deps) and fuzzes for <seconds> (default 60).
#   fuzz/run.sh [seconds]
# Env: FINEX_FUZZ_BUILD (build dir, default build/fuzz), FINEX_FUZZ_JOBS (default 1),
#      FINEX_FUZZ_CMAKE_SOURCE (CMake source dir, default the repo root).
# Findings (crash-*, leak-*, timeout-*, oom-*) land in build/fuzz/artifacts/.
set -euo pipefail
secs="${1:-60}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="${FINEX_FUZZ_BUILD:-$repo/build/fuzz}"
src="${FINEX_FUZZ_CMAKE_SOURCE:-$repo}"
command -v clang++ >/dev/null || { echo "fuzz/run.sh needs clang++ (and libclang-rt-14-dev)"; exit 1; }
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DFINEX_BUILD_FUZZERS=ON -DFINEX_BUILD_TESTS=OFF -DFINEX_BUILD_BENCHMARKS=OFF >/dev/null
ninja -C "$build" -j2 parquet_reader_fuzzer parquet_seed_corpus
fuzzer="$(find "$build" -name parquet_reader_fuzzer -type f -perm -u+x | head -1)"
seeder="$(find "$build" -name parquet_seed_corpus -type f -perm -u+x | head -1)"
mkdir -p "$build/corpus" "$build/seeds" "$build/artifacts"
"$seeder" "$build/seeds"
# DuckDB-written seeds too, when the interop test's node deps are installed.
if command -v node >/dev/null 2>&1 && [ -f "$repo/tests/interop/node_modules/@duckdb/node-api/package.json" ]; then
  (cd "$repo/tests/interop" && node make_fuzz_seeds.mjs "$build/seeds") || echo "fuzz: DuckDB seeds skipped"
fi
jobs="${FINEX_FUZZ_JOBS:-1}"
extra=()
if [ "$jobs" -gt 1 ]; then extra=(-jobs="$jobs" -workers="$jobs"); fi
"$fuzzer" "$build/corpus" "$build/seeds" -max_total_time="$secs" -max_len=16384 -rss_limit_mb=2048 \
  -timeout=10 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "${extra[@]}"
