#!/usr/bin/env bash
# Production mode on one machine, in the foreground: PostgreSQL (conversations and bookings),
# Redis (conversation locks), RASA_REPLICAS Rasa servers and ACTION_REPLICAS action servers
# behind nginx. Visitors use nginx on PORT (default 5005); every other port is loopback-only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

PORT=${PORT:-5005}                      # public: /webhooks/* and /socket.io/ only
LISTEN=${LISTEN:-127.0.0.1}
ADMIN_PORT=${ADMIN_PORT:-5006}          # HTTP API, loopback only, token required
ACTIONS_PORT=${ACTIONS_PORT:-5055}      # action servers, loopback only
RASA_BASE_PORT=${RASA_BASE_PORT:-5100}  # replica i listens on RASA_BASE_PORT + i
ACTIONS_BASE_PORT=${ACTIONS_BASE_PORT:-5150}
RASA_REPLICAS=${RASA_REPLICAS:-2}
ACTION_REPLICAS=${ACTION_REPLICAS:-2}
STATE_DIR=${STATE_DIR:-$root/.state/prod}
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1} POSTGRES_PORT=${POSTGRES_PORT:-5432}
export POSTGRES_USER=${POSTGRES_USER:-postgres} POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}
export POSTGRES_DB=${POSTGRES_DB:-weho}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-1}
export REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-weho}
export DATABASE_URL=${DATABASE_URL:-postgresql+psycopg2://$POSTGRES_USER${POSTGRES_PASSWORD:+:$POSTGRES_PASSWORD}@$POSTGRES_HOST:$POSTGRES_PORT/$POSTGRES_DB}
export ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTIONS_PORT/webhook"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"  # for channels.*, massage.* and the log filter
export FORCE_JSON_LOGGING=1  # structured events as JSON, the form the redaction reads
export SANIC_WORKERS=1
one_tf_thread=(env TF_INTER_OP_PARALLELISM_THREADS=1 TF_INTRA_OP_PARALLELISM_THREADS=1)  # per Rasa replica (see scripts/run.sh)

scripts/install-nginx.sh >/dev/null
model=${MODEL:-$(scripts/model.sh)}
mkdir -p "$STATE_DIR/nginx-tmp" "$STATE_DIR/pids"
chmod 700 "$STATE_DIR"

if [ -z "${RASA_TOKEN:-}" ]; then
  # The HTTP API is never open without a token: make one for this machine and keep it private.
  if [ ! -s .state/rasa_token ]; then
    (umask 077; mkdir -p .state; .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > .state/rasa_token)
  fi
  RASA_TOKEN=$(cat .state/rasa_token)
  echo "RASA_TOKEN not set: the HTTP API token is in .state/rasa_token"
fi
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT:-8080} http://127.0.0.1:${WEB_PORT:-8080}"}

# The database, its schema and the provider directory (the tracker tables Rasa makes itself).
.venv/bin/python - <<'PY'
import os, psycopg2
conn = psycopg2.connect(host=os.environ["POSTGRES_HOST"], port=os.environ["POSTGRES_PORT"],
                        user=os.environ["POSTGRES_USER"], password=os.environ["POSTGRES_PASSWORD"] or None,
                        dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (os.environ["POSTGRES_DB"],))
    if cur.fetchone() is None:
        cur.execute(f'CREATE DATABASE "{os.environ["POSTGRES_DB"]}"')
PY
.venv/bin/python -m massage.db upgrade
# Rasa's conversation table, made here so that the replicas can all start at once: starting
# together, they would race to create it (a duplicate-key error in PostgreSQL's catalog).
.venv/bin/python - <<'PY'
import os
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
SQLTrackerStore.Base.metadata.create_all(sa.create_engine(os.environ["DATABASE_URL"]))
PY

trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT INT TERM
logging=(--logging-config-file deploy/logging.yml)

wait_for() {  # url, seconds, pid file of the server that should answer
  for _ in $(seq "$2"); do
    curl -fs -o /dev/null "$1" && return 0
    if [ -n "${3:-}" ] && ! kill -0 "$(cat "$3")" 2>/dev/null; then echo "the server for $1 exited" >&2; return 1; fi
    sleep 1
  done
  echo "$1 did not answer" >&2; return 1
}

start_actions() {
  .venv/bin/rasa run actions --port "$((ACTIONS_BASE_PORT + $1))" --actions actions "${logging[@]}" &
  echo $! > "$STATE_DIR/pids/actions-$1.pid"
}
rasa_servers="" action_servers=""
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  start_actions "$i"
  action_servers+="        server 127.0.0.1:$((ACTIONS_BASE_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
done

start_replica() {
  local port=$((RASA_BASE_PORT + $1))
  # shellcheck disable=SC2086
  "${one_tf_thread[@]}" .venv/bin/rasa run --model "$model" --interface 127.0.0.1 --port "$port" --endpoints endpoints.prod.yml \
    --credentials "${CREDENTIALS:-credentials.yml}" --enable-api --auth-token "$RASA_TOKEN" \
    --cors $CORS_ORIGINS "${logging[@]}" &
  echo $! > "$STATE_DIR/pids/rasa-$1.pid"
}
for i in $(seq 0 $((RASA_REPLICAS - 1))); do start_replica "$i"; done
for i in $(seq 0 $((RASA_REPLICAS - 1))); do
  rasa_servers+="        server 127.0.0.1:$((RASA_BASE_PORT + i)) max_fails=1 fail_timeout=5s;"$'\n'
  wait_for "http://127.0.0.1:$((RASA_BASE_PORT + i))/" 600 "$STATE_DIR/pids/rasa-$i.pid"
done
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  wait_for "http://127.0.0.1:$((ACTIONS_BASE_PORT + i))/health" 120 "$STATE_DIR/pids/actions-$i.pid"
done

STATE="$STATE_DIR" PUBLIC_PORT="$PORT" LISTEN="$LISTEN" ADMIN_PORT="$ADMIN_PORT" ACTIONS_PORT="$ACTIONS_PORT" \
RASA_SERVERS="$rasa_servers" ACTION_SERVERS="$action_servers" .venv/bin/python - <<'PY' > "$STATE_DIR/nginx.conf"
import os, re, sys
template = open("deploy/nginx.conf.template").read()
sys.stdout.write(re.sub(r"@([A-Z_]+)@", lambda m: os.environ.get(m.group(1), m.group(0)).rstrip("\n"), template))
PY
/usr/sbin/nginx -p "$STATE_DIR" -c "$STATE_DIR/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
echo "$nginx_pid" > "$STATE_DIR/pids/nginx.pid"
wait_for "http://127.0.0.1:$PORT/health" 30
echo "Production mode ready: http://localhost:$PORT/webhooks/rest/webhook ($RASA_REPLICAS Rasa replicas, $ACTION_REPLICAS action servers)"

# A server that dies is restarted; meanwhile nginx sends its work to the others.
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 2
  for i in $(seq 0 $((RASA_REPLICAS - 1))); do
    if ! kill -0 "$(cat "$STATE_DIR/pids/rasa-$i.pid")" 2>/dev/null; then
      echo "Rasa replica $i exited; restarting it" >&2
      start_replica "$i"
    fi
  done
  for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
    if ! kill -0 "$(cat "$STATE_DIR/pids/actions-$i.pid")" 2>/dev/null; then
      echo "Action server $i exited; restarting it" >&2
      start_actions "$i"
    fi
  done
done
