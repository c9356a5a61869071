#!/usr/bin/env bash
# Install the Debian/Ubuntu packages SIG needs, only those missing. `run` or `test` (default).
# As root it calls apt-get directly; as a normal user it uses sudo when it must install.
set -euo pipefail
PG=${SIG_PG_VERSION:-15}
want=(postgresql-$PG postgresql-$PG-postgis-3 postgresql-client-$PG gdal-bin gettext)
[ "${1:-test}" = test ] && want+=(chromium fonts-dejavu-core)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Python 3.11+ with venv and pip (Debian's python3-venv, or an existing interpreter).
if ! ${PYTHON:-python3} -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  missing+=(python3 python3-venv python3-dev)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Missing packages and no root: ask an administrator to install: ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged cluster on install; SIG uses its own, so leave that one alone
# unless it was already wanted — it listens on 5432 and does not conflict with our socket.
