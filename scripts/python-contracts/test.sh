#!/usr/bin/env bash
# CI check of the Python contracts: installs python/pipeline_contracts with pip from the repository
# path, as a Python agent's author would, into a venv of its own (outside the repo; PY_CONTRACTS_VENV,
# default $TMPDIR/pipeline-contracts-venv, rebuilt each run so the install itself is tested), then
# reads every golden vector with it (tests/test_golden.py).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PY_CONTRACTS_VENV:-${TMPDIR:-/tmp}/pipeline-contracts-venv}"
rm -rf "$venv"
python3 -m venv "$venv"
# Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds, and the
# work tree must stay as it is (two test runs may install at once).
cp -R "$root/python/pipeline_contracts" "$venv/source"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$venv/source"
# From another folder: the test must use the installed package, not the source tree.
cd "$venv"
"$venv/bin/python" -m unittest discover -v -s "$root/python/pipeline_contracts/tests" -t "$root/python/pipeline_contracts/tests"
