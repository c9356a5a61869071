#!/usr/bin/env bash
# `make run`: database, migrations, demo data, then the task worker and the web server. Ctrl-C
# stops what it started (the local cluster too, if this script started it).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
started_db=0
if [ -z "${DATABASE_URL:-}" ] && ! python3 -m sig.localdb status | grep -q running; then
  python3 -m sig.localdb start
  started_db=1
fi
cleanup() {
  trap - INT TERM EXIT
  # runserver's autoreloader runs the server as a child process: stop both.
  for pid in $(jobs -p); do pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ $started_db = 1 ]; then python3 -m sig.localdb stop && echo "Local PostGIS stopped."; fi
}
trap cleanup INT TERM EXIT

$PY manage.py migrate --noinput
$PY manage.py seed_demo --if-empty
echo "SIG: http://${SIG_HOST:-127.0.0.1}:${SIG_PORT:-8000}/   (admin: /admin/, user 'admin', password 'admin' on the demo)"
# Background work (the upload wizard's imports) runs in a procrastinate worker that takes its
# jobs from the same PostgreSQL; one worker process next to the web server is enough here.
$PY manage.py procrastinate worker &
$PY manage.py runserver "${SIG_HOST:-127.0.0.1}:${SIG_PORT:-8000}" &
wait
