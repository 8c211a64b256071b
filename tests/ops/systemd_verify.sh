#!/usr/bin/env bash
# deploy/systemd/finex.service checked by `systemd-analyze verify` (CTest:
# ops_systemd_verify): the unit as shipped, with ExecStart pointed at the
# built binary (verify requires it to exist), must verify with no message at
# all, and must keep the properties the issue asks for. Exits 77 (skipped)
# without systemd-analyze.
set -uo pipefail
FINEX=${1:?usage: systemd_verify.sh path/to/finex}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
UNIT="$ROOT/deploy/systemd/finex.service"
if ! command -v systemd-analyze >/dev/null; then echo "SKIP: systemd-analyze not installed"; exit 77; fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sed "s|^ExecStart=/usr/local/bin/finex |ExecStart=$FINEX |" "$UNIT" >"$WORK/finex.service"
grep -q "^ExecStart=$FINEX serve" "$WORK/finex.service" || { echo "FAIL: ExecStart not found"; exit 1; }
out=$(systemd-analyze verify "$WORK/finex.service" 2>&1)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
  echo "FAIL: systemd-analyze verify (rc=$rc):"; echo "$out"; exit 1
fi
fail=0
for want in '^User=finex$' '^StateDirectory=finex$' '^CacheDirectory=finex$' '^NoNewPrivileges=yes$' \
            '^ProtectSystem=strict$' '^Restart=on-failure$' '^KillSignal=SIGTERM$' '^TimeoutStopSec=' \
            '^ExecStart=.* serve '; do
  grep -Eq "$want" "$UNIT" || { echo "FAIL: $UNIT lacks $want"; fail=1; }
done
# The graceful stop must outlast finex's own drain (server.drain_ms, 10 s).
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$UNIT")
[ "${stop:-0}" -gt 10 ] || { echo "FAIL: TimeoutStopSec=${stop}s does not outlast the 10 s drain"; fail=1; }
# A broken unit must fail the same check (the check can fail).
sed 's/^ProtectSystem=strict$/ProtectSystem=sideways/' "$WORK/finex.service" >"$WORK/bad.service"
if bad=$(systemd-analyze verify "$WORK/bad.service" 2>&1) && [ -z "$bad" ]; then
  echo "FAIL: a unit with ProtectSystem=sideways verified cleanly"; fail=1
fi
[ $fail -eq 0 ] && echo "PASS: finex.service verifies cleanly"
exit $fail
