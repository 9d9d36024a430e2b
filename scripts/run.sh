#!/usr/bin/env bash
# Starts the action server (5055), the Rasa server (5005), the web chat demo (8080), the care
# team's console (8090), the notices worker and, with no SMTP_HOST set, the local mail catcher
# (1025, page on 8025), in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$(scripts/model.sh)
mkdir -p .state
.venv/bin/python -m massage.db upgrade
.venv/bin/python -m massage.conversation_id_migration

if [ -z "${RASA_TOKEN:-}" ]; then
  # The HTTP API is never open without a token: make one for this machine and keep it private.
  if [ ! -s .state/rasa_token ]; then
    (umask 077; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > .state/rasa_token)
  fi
  RASA_TOKEN=$(cat .state/rasa_token)
  echo "RASA_TOKEN not set: the HTTP API token is in .state/rasa_token"
fi
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT:-8080} http://127.0.0.1:${WEB_PORT:-8080}"}
if [ -z "${INTAKE_ENCRYPTION_KEYS:-}" ]; then
  # Health answers are stored encrypted (massage/intake_encryption.py): a key for this machine.
  INTAKE_ENCRYPTION_KEYS=$(scripts/intake-key.sh)
  echo "INTAKE_ENCRYPTION_KEYS not set: the key is in .state/intake_key"
fi
export INTAKE_ENCRYPTION_KEYS

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

trap 'kill $(jobs -p) 2>/dev/null || true' EXIT INT TERM
# Loopback only, as the Rasa server below: REST needs no credential here (README: Security).
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port 5055 --actions actions "${logging[@]}" &
# shellcheck disable=SC2086
"${one_tf_thread[@]}" .venv/bin/rasa run --model "$model" --interface 127.0.0.1 --port 5005 --endpoints endpoints.yml --credentials "${RASA_CREDENTIALS:-credentials.yml}" \
  --enable-api --auth-token "$RASA_TOKEN" --cors $CORS_ORIGINS "${logging[@]}" &
# The demo site with the chat widget: http://localhost:${WEB_PORT:-8080}
.venv/bin/python web/serve.py &
# The care team's console (accounts: python -m massage.staff add <email>); it prints its address.
RASA_URL=http://localhost:5005 RASA_TOKEN="$RASA_TOKEN" .venv/bin/python -m console --port "${CONSOLE_PORT:-8090}" &
# Notices (confirmations, therapist notices, reminders) and the worker that sends them (README,
# Notices). With no SMTP server set, email goes to a local mail catcher (a real SMTP server on
# loopback) whose page shows it.
if [ -z "${SMTP_HOST:-}" ]; then
  MAILCATCHER_SMTP_PORT=${MAILCATCHER_SMTP_PORT:-1025}
  MAILCATCHER_PORT=${MAILCATCHER_PORT:-8025}
  .venv/bin/python -m notices.mailcatcher --smtp-port "$MAILCATCHER_SMTP_PORT" --web-port "$MAILCATCHER_PORT" &
  export SMTP_HOST=127.0.0.1 SMTP_PORT=$MAILCATCHER_SMTP_PORT SMTP_TLS=none
  echo "SMTP_HOST not set: confirmations and reminders go to the local mail catcher;" \
       "read them at http://localhost:$MAILCATCHER_PORT (files in .state/mail/)"
fi
# A reminder leaves the booking's reference in the client's conversation through the HTTP API.
RASA_URL=http://127.0.0.1:5005 RASA_TOKEN="$RASA_TOKEN" .venv/bin/python -m notices.worker &
wait -n
