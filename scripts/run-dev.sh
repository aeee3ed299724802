#!/usr/bin/env bash
# The development server and one background worker together (`make run`): the worker acts
# on deadlines and sends the emails (printed here). With DEMO_PROVIDER_PORT set (`make run
# SSO=1`), the demo's OpenID provider too (oidc-provider-mock, knowing
# demo/sso_identities.json). Ctrl-C stops them all, and so does any one stopping by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
address=${ADDRESS:-127.0.0.1:8000}

# Each process leads a process group of its own, so that stopping it also stops the
# child that Django's autoreloader runs. Neither reads the terminal (to debug with
# breakpoint(), run `manage.py runserver` on its own).
set -m
"$python" manage.py runserver "$address" </dev/null &
web=$!
"$python" manage.py db_worker </dev/null &
worker=$!
processes=("$web" "$worker")
if [[ -n "${DEMO_PROVIDER_PORT:-}" ]]; then
  "$python" -m oidc_provider_mock --port "$DEMO_PROVIDER_PORT" \
    --user-claims-file demo/sso_identities.json </dev/null &
  processes+=("$!")
fi
set +m

stop() {
  trap - INT TERM EXIT
  kill -TERM -- "${processes[@]/#/-}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# Whichever stops first (Ctrl-C interrupts this wait), the trap stops the others.
wait -n "${processes[@]}"
