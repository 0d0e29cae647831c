#!/usr/bin/env bash
# CI check: regenerates the golden vectors into a temp dir and fails (exit 1) when they differ from
# the committed packages/contracts/test/golden/. Installs the pinned Python packages into a venv
# outside the repo first (GOLDEN_VENV, default: $TMPDIR/pipeline-golden-venv), reusing it when its
# requirements match. Set GOLDEN_PYTHON to a python that already has them to skip the venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"

if [[ -n "${GOLDEN_PYTHON:-}" ]]; then
  python="$GOLDEN_PYTHON"
else
  venv="${GOLDEN_VENV:-${TMPDIR:-/tmp}/pipeline-golden-venv}"
  stamp="$venv/.requirements.txt"
  if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$stamp"; then
    echo "golden: installing $(grep -vcE '^\s*(#|$)' "$requirements") pinned packages into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
  python="$venv/bin/python"
fi

exec "$python" "$here/generate.py" --check "$@"
