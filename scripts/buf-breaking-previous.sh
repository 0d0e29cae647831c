#!/usr/bin/env bash
# CI check: the contracts stay wire-compatible with the previous commit (buf's WIRE rules, buf.yaml),
# besides the seed (pnpm buf:breaking). New messages and fields with new numbers pass; a changed or
# reused field number fails. A clone without the previous commit (shallow) has nothing to compare with.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! git rev-parse --verify --quiet HEAD~1 >/dev/null; then
  echo "buf breaking: no previous commit in this clone (shallow?); compared with the seed only"
  exit 0
fi
exec pnpm exec buf breaking proto --against ".git#ref=HEAD~1,subdir=proto"
