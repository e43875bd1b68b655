#!/usr/bin/env bash
# Serve the demo: web server in front, background worker (and any live simulation) beside it.
set -euo pipefail
port="${1:-8000}"
export FUWU_SSL_REDIRECT=0 FUWU_SECURE_COOKIES=0 FUWU_HSTS_SECONDS=0
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
.venv/bin/fuwu worker --verbosity 0 > var/worker.log 2>&1 &
pids+=($!)
# The floor's live business day on the real clock (counters no person holds), so the display, lobby and kiosk move.
.venv/bin/fuwu simulate-day --outlet BJ-HD-01 > var/simulate.log 2>&1 &
pids+=($!)
echo "open http://127.0.0.1:${port}/  (Ctrl-C stops; worker log: var/worker.log)"
.venv/bin/fuwu serve --port "$port"
