#!/usr/bin/env bash
# CTest entry for the DuckDB interop test: run_interop.sh <parquet_interop_tool> <work dir>
# Installs @duckdb/node-api into tests/interop/node_modules when missing.
# Exit 77 (CTest SKIP_RETURN_CODE) only when node or npm is absent; a node that
# cannot load DuckDB is a failure.
set -uo pipefail
tool="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node/npm are not installed; the DuckDB interop test needs them (scripts/setup installs them)"
  exit 77
fi
cd "$here" || exit 1
if [ ! -f node_modules/@duckdb/node-api/package.json ]; then
  echo "installing @duckdb/node-api (npm ci)" >&2
  npm ci --prefer-offline --no-audit --no-fund >&2 || npm install --no-audit --no-fund >&2 || {
    echo "FAIL: could not install @duckdb/node-api with npm"
    exit 1
  }
fi
exec node "$here/interop.mjs" "$tool" "$work"
