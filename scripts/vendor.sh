#!/usr/bin/env bash
# Copy the pinned front-end libraries from npm into static/vendor/<name>-<version>/.
# The copies are committed, so running the app needs neither npm nor the internet; run this
# only to add or upgrade a library (then commit static/vendor and package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --ignore-scripts >/dev/null

vendor() { # vendor <package> <file>...
  local pkg=$1; shift
  local version; version=$(node -p "require('./node_modules/$pkg/package.json').version")
  local dest="static/vendor/${pkg//\//-}-$version"
  rm -rf "$dest"; mkdir -p "$dest"
  for f in "$@"; do
    mkdir -p "$dest/$(dirname "$f")"
    cp -r "node_modules/$pkg/$f" "$dest/$f"
  done
  echo "$dest"
}

vendor ol dist/ol.js ol.css LICENSE.md
