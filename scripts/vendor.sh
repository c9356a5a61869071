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
  local name=${pkg#@}  # @scope/pkg → scope-pkg: no "@" in static paths
  local dest="static/vendor/${name//\//-}-$version"
  rm -rf "$dest"; mkdir -p "$dest"
  for f in "$@"; do
    mkdir -p "$dest/$(dirname "$f")"
    cp -r "node_modules/$pkg/$f" "$dest/$f"
  done
  echo "$dest"
}

vendor ol dist/ol.js ol.css LICENSE.md
# The maps (/peta/): Leaflet, clustering, vector tiles; Geoman for the editing issue (not used yet).
vendor leaflet dist/leaflet.js dist/leaflet.css dist/images LICENSE
vendor leaflet.markercluster dist/leaflet.markercluster.js dist/MarkerCluster.css \
  dist/MarkerCluster.Default.css MIT-LICENCE.txt
vendor leaflet.vectorgrid dist/Leaflet.VectorGrid.bundled.min.js
vendor @geoman-io/leaflet-geoman-free dist/leaflet-geoman.min.js dist/leaflet-geoman.css LICENSE
# The transparency page's heat map of open complaints (/transparansi/).
vendor leaflet.heat dist/leaflet-heat.js LICENSE
# The wilayah dashboards' charts (/wilayah/<code>/): the UMD build, a `Chart` global.
vendor chart.js dist/chart.umd.min.js LICENSE.md
