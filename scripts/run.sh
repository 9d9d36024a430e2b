#!/usr/bin/env bash
# `make run`: trains if needed, then serves the assistant in the foreground (Ctrl-C stops it),
# saying each step and, once everything answers, its addresses. What the servers print goes to
# .state/logs/. RASA_PORT (5005), ACTIONS_PORT (5055), WEB_PORT (8080), CONSOLE_PORT (8090) and
# MAILCATCHER_PORT (8025, SMTP on MAILCATCHER_SMTP_PORT 1025) move it elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh
source scripts/processes.sh
RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055} WEB_PORT=${WEB_PORT:-8080}
CONSOLE_PORT=${CONSOLE_PORT:-8090} MAILCATCHER_PORT=${MAILCATCHER_PORT:-8025} MAILCATCHER_SMTP_PORT=${MAILCATCHER_SMTP_PORT:-1025}

say "[1/3] The trained model"
model=$(scripts/model.sh)
say "  $model"

say "[2/3] Upgrading the database schema"
{ .venv/bin/python -m massage.db upgrade && .venv/bin/python -m massage.conversation_id_migration; } \
  >"$LOGS/migrations.log" 2>&1 || { tail -n 25 "$LOGS/migrations.log" >&2; exit 1; }

if [ -z "${RASA_TOKEN:-}" ]; then
  # The HTTP API is never open without a token: make one for this machine and keep it private.
  if [ ! -s .state/rasa_token ]; then
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > .state/rasa_token)
  fi
  RASA_TOKEN=$(cat .state/rasa_token)
  token_note="RASA_TOKEN is not set: the token is in .state/rasa_token"
else
  token_note="its token is RASA_TOKEN"
fi
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT"}
endpoints=endpoints.yml
if [ "$ACTIONS_PORT" != 5055 ]; then
  sed "s#localhost:5055/#localhost:$ACTIONS_PORT/#" endpoints.yml >.state/endpoints.yml
  endpoints=.state/endpoints.yml
fi
if [ -z "${INTAKE_ENCRYPTION_KEYS:-}" ]; then
  # Health answers are stored encrypted (massage/intake_encryption.py): a key for this machine.
  INTAKE_ENCRYPTION_KEYS=$(scripts/intake-key.sh)
  key_note="INTAKE_ENCRYPTION_KEYS is not set: the key that encrypts health answers is in .state/intake_key"
fi
export INTAKE_ENCRYPTION_KEYS
if [ -z "${SMTP_HOST:-}" ]; then
  # No SMTP server set: confirmations and reminders go to a local mail catcher (a real SMTP
  # server on loopback) whose page shows them (README, Notices).
  export SMTP_HOST=127.0.0.1 SMTP_PORT=$MAILCATCHER_SMTP_PORT SMTP_TLS=none
  mail_catcher=1
fi

# Logs are redacted (no phone numbers, emails, addresses or health answers); Rasa finds
# massage.privacy on PYTHONPATH, and silently drops the logging config without it.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
# Rasa's structured events print as JSON even on a terminal, the form the redaction reads.
export FORCE_JSON_LOGGING=1
# One TensorFlow thread for the Rasa server: the models are small, so a thread pool costs more
# than it saves (10% of a turn, measured with bench/), and replicas use more cores. Not for the
# action server: with these set, Rasa's CLI loads TensorFlow there too (+370 MB).
one_tf_thread=(env TF_INTER_OP_PARALLELISM_THREADS=1 TF_INTRA_OP_PARALLELISM_THREADS=1)
logging=(--logging-config-file deploy/logging.yml)

say "[3/3] Starting the servers (loading the model: about a minute, more on a busy machine)"
trap 'kill "${served_pids[@]}" 2>/dev/null || true' EXIT
trap 'say "Stopping."; exit 0' INT TERM
# Loopback only: REST needs no credential here (README: Security).
serve "action server" "http://localhost:$ACTIONS_PORT/health" "http://127.0.0.1:$ACTIONS_PORT/health" \
  env SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port "$ACTIONS_PORT" --actions actions "${logging[@]}"
# shellcheck disable=SC2086
serve "Rasa server (REST channel)" "http://localhost:$RASA_PORT/webhooks/rest/webhook" "http://127.0.0.1:$RASA_PORT/" \
  "${one_tf_thread[@]}" .venv/bin/rasa run --model "$model" --interface 127.0.0.1 --port "$RASA_PORT" \
  --endpoints "$endpoints" --credentials "${RASA_CREDENTIALS:-credentials.yml}" --enable-api --auth-token "$RASA_TOKEN" \
  --cors $CORS_ORIGINS "${logging[@]}"
serve "web chat demo" "http://localhost:$WEB_PORT" "http://127.0.0.1:$WEB_PORT/" \
  .venv/bin/python web/serve.py --port "$WEB_PORT" --rasa-url "http://localhost:$RASA_PORT"
# Accounts: .venv/bin/python -m massage.staff add <email>
serve "care team console" "http://localhost:$CONSOLE_PORT" "http://127.0.0.1:$CONSOLE_PORT/health" \
  env RASA_URL="http://127.0.0.1:$RASA_PORT" RASA_TOKEN="$RASA_TOKEN" .venv/bin/python -m console --port "$CONSOLE_PORT"
[ -z "${mail_catcher:-}" ] || serve "mail catcher (confirmations, reminders)" "http://localhost:$MAILCATCHER_PORT" \
  "http://127.0.0.1:$MAILCATCHER_PORT/" \
  .venv/bin/python -m notices.mailcatcher --smtp-port "$MAILCATCHER_SMTP_PORT" --web-port "$MAILCATCHER_PORT"
# A reminder leaves the booking's reference in the client's conversation through the HTTP API.
serve "notices worker" "-" "-" \
  env RASA_URL="http://127.0.0.1:$RASA_PORT" RASA_TOKEN="$RASA_TOKEN" .venv/bin/python -m notices.worker
await_ready 600

say ""
say "Ready. The assistant answers at:"
print_addresses
say "  Rasa HTTP API: http://localhost:$RASA_PORT ($token_note)"
[ -z "${key_note:-}" ] || say "  $key_note"
say "Try:  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{\"sender\": \"me\", \"message\": \"do I need to tip?\"}'"
say "Ctrl-C stops everything."
keep_serving
