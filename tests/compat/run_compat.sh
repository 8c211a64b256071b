#!/usr/bin/env bash
# CTest entry for the provider-client compatibility test:
#   run_compat.sh <finex binary> <work dir>
# Installs the pinned clients into tests/compat/node_modules when missing.
# Exit 77 (CTest SKIP_RETURN_CODE) only when node or npm is absent.
set -uo pipefail
finex="$1"
work="$2"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "SKIP: node/npm are not installed; the client compatibility test needs them (scripts/setup installs them)"
  exit 77
fi
cd "$here" || exit 1
missing=0
for pkg in yahoo-finance2 ccxt alphavantage @coingecko/coingecko-typescript; do
  [ -f "node_modules/$pkg/package.json" ] || missing=1
done
if [ "$missing" = 1 ]; then
  echo "installing the provider clients (npm ci)" >&2
  npm ci --prefer-offline --no-audit --no-fund >&2 || {
    echo "FAIL: could not install the provider clients with npm"
    exit 1
  }
fi
exec node "$here/compat.mjs" "$finex" "$work"
