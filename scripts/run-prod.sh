#!/usr/bin/env bash
# Production mode on one machine, in the foreground: PostgreSQL (conversations and bookings),
# Redis (conversation locks), RASA_REPLICAS Rasa servers and ACTION_REPLICAS action servers
# behind nginx, and the notices worker. Visitors use nginx on PORT (default 5005); every other
# port is loopback-only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

PORT=${PORT:-5005}                      # public: /webhooks/* and /socket.io/ only
LISTEN=${LISTEN:-127.0.0.1}
ADMIN_PORT=${ADMIN_PORT:-5006}          # HTTP API, loopback only, token required
ACTIONS_PORT=${ACTIONS_PORT:-5055}      # action servers, loopback only
CONSOLE_PORT=${CONSOLE_PORT:-5007}      # the care team's console, through nginx
CONSOLE_LISTEN=${CONSOLE_LISTEN:-127.0.0.1}  # not public: loopback, or a staff-only interface
CONSOLE_BACKEND_PORT=${CONSOLE_BACKEND_PORT:-5170}
RASA_BASE_PORT=${RASA_BASE_PORT:-5100}  # replica i listens on RASA_BASE_PORT + i
ACTIONS_BASE_PORT=${ACTIONS_BASE_PORT:-5150}
RASA_REPLICAS=${RASA_REPLICAS:-2}
ACTION_REPLICAS=${ACTION_REPLICAS:-2}
# nginx gives a replica this long to answer a message before it gives the message to the next
# replica (which then has all the time it needs), and an action server this long before it
# tries the other one; the replicas' own deadline for an action call covers both tries
# (channels/action_deadline.py).
REPLICA_TRY_SECONDS=${REPLICA_TRY_SECONDS:-3}
ACTION_TRY_SECONDS=${ACTION_TRY_SECONDS:-3}
export ACTION_CALL_TIMEOUT_SECONDS=$((2 * ACTION_TRY_SECONDS + 1))
# A server that has answered its health check once and then fails HUNG_AFTER checks in a row,
# each given HEALTH_SECONDS, without using the CPU in between, is hung (paused, stuck in a
# blocking call: it accepts connections but its event loop never answers) and is killed and
# started again. One that misses them while working (overloaded: its loop answers late) is left
# to finish its queue; nginx sends the messages it does not answer in time to the other replica.
HEALTH_SECONDS=${HEALTH_SECONDS:-3}
HUNG_AFTER=${HUNG_AFTER:-2}
STATE_DIR=${STATE_DIR:-$root/.state/prod}
export POSTGRES_HOST=${POSTGRES_HOST:-127.0.0.1} POSTGRES_PORT=${POSTGRES_PORT:-5432}
export POSTGRES_USER=${POSTGRES_USER:-postgres} POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}
export POSTGRES_DB=${POSTGRES_DB:-weho}
export REDIS_HOST=${REDIS_HOST:-127.0.0.1} REDIS_PORT=${REDIS_PORT:-6379} REDIS_DB=${REDIS_DB:-1}
export REDIS_KEY_PREFIX=${REDIS_KEY_PREFIX:-weho}
export DATABASE_URL=${DATABASE_URL:-postgresql+psycopg2://$POSTGRES_USER${POSTGRES_PASSWORD:+:$POSTGRES_PASSWORD}@$POSTGRES_HOST:$POSTGRES_PORT/$POSTGRES_DB}
export ACTION_ENDPOINT_URL="http://127.0.0.1:$ACTIONS_PORT/webhook"
# socket.io rooms shared by the replicas, so a console message sent through one reaches a widget on another.
export SOCKETIO_REDIS_URL=${SOCKETIO_REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB}
export SOCKETIO_REDIS_CHANNEL=${SOCKETIO_REDIS_CHANNEL:-$REDIS_KEY_PREFIX-socketio}
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"  # for channels.*, massage.* and the log filter
export FORCE_JSON_LOGGING=1  # structured events as JSON, the form the redaction reads
export SANIC_WORKERS=1
# Channels: REST needs an integration's credential (REST_CREDENTIALS), the web chat an allowed
# Origin (CORS_ORIGINS); see channels/public_access.py.
export WEHO_MODE=production
# nginx's limit per client address on /webhooks/ and socket.io handshakes (README: Security).
export PUBLIC_RATE_PER_SECOND=${PUBLIC_RATE_PER_SECOND:-5} PUBLIC_BURST=${PUBLIC_BURST:-20}
# Rasa's conversation lock lifetime: tickets are renewed while their replica lives, so a paused
# replica gives up its conversations within 3 s (channels/lock_store.py).
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-3}
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
export CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT:-8080} http://127.0.0.1:${WEB_PORT:-8080}"}
if [ -z "${INTAKE_ENCRYPTION_KEYS:-}" ]; then
  # Health answers are stored encrypted (massage/intake_encryption.py): a key for this machine.
  INTAKE_ENCRYPTION_KEYS=$(scripts/intake-key.sh)
  echo "INTAKE_ENCRYPTION_KEYS not set: the key is in .state/intake_key"
fi
export INTAKE_ENCRYPTION_KEYS

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
.venv/bin/python -m massage.conversation_id_migration
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
  # SANIC_HOST: the action server listens on loopback only (Rasa SDK's default is every interface).
  SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port "$((ACTIONS_BASE_PORT + $1))" --actions actions "${logging[@]}" &
  echo $! > "$STATE_DIR/pids/actions-$1.pid"
}
# The console calls the HTTP API through nginx's operator listener (any replica); its session
# cookie is Secure (browsers send it to https:// and to http://localhost).
start_console() {
  RASA_URL="http://127.0.0.1:$ADMIN_PORT" RASA_TOKEN="$RASA_TOKEN" CONSOLE_SECURE_COOKIES=${CONSOLE_SECURE_COOKIES:-1} \
    .venv/bin/python -m console --port "$CONSOLE_BACKEND_PORT" >/dev/null &
  echo $! > "$STATE_DIR/pids/console.pid"
}
# max_fails=0: nginx never marks a server down for a while after a failure. A refused connection
# (dead, restarting) costs nothing to retry, a hung server costs one try's timeout until the
# supervisor below kills it; and under overload, two slow turns in a row no longer mark both
# replicas down, which answered every visitor "restarting" for the fail_timeout.
rasa_servers="" next_replicas="" action_servers=""
# The notices worker: its own process, restarted if it exits (several may run: they share the
# outbox through row locks).
start_worker() {
  # A reminder leaves the booking's reference in the client's conversation through the HTTP API.
  RASA_URL="http://127.0.0.1:$ADMIN_PORT" RASA_TOKEN="$RASA_TOKEN" .venv/bin/python -m notices.worker &
  echo $! > "$STATE_DIR/pids/notices-worker.pid"
}
if [ -z "${SMTP_HOST:-}" ]; then
  echo "SMTP_HOST not set: email notices wait for an SMTP server on 127.0.0.1:${SMTP_PORT:-1025}" \
       "(python -m notices.status shows them)" >&2
fi
start_worker
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  start_actions "$i"
  action_servers+="        server 127.0.0.1:$((ACTIONS_BASE_PORT + i)) max_fails=0;"$'\n'
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
  rasa_servers+="        server 127.0.0.1:$((RASA_BASE_PORT + i)) max_fails=0;"$'\n'
  next_replicas+="        127.0.0.1:$((RASA_BASE_PORT + i)) 127.0.0.1:$((RASA_BASE_PORT + (i + 1) % RASA_REPLICAS));"$'\n'
  wait_for "http://127.0.0.1:$((RASA_BASE_PORT + i))/" 600 "$STATE_DIR/pids/rasa-$i.pid"
done
for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
  wait_for "http://127.0.0.1:$((ACTIONS_BASE_PORT + i))/health" 120 "$STATE_DIR/pids/actions-$i.pid"
done
start_console
wait_for "http://127.0.0.1:$CONSOLE_BACKEND_PORT/health" 60 "$STATE_DIR/pids/console.pid"

REPLICA_TRY_SECONDS="$REPLICA_TRY_SECONDS" ACTION_TRY_SECONDS="$ACTION_TRY_SECONDS" \
STATE="$STATE_DIR" PUBLIC_PORT="$PORT" LISTEN="$LISTEN" ADMIN_PORT="$ADMIN_PORT" ACTIONS_PORT="$ACTIONS_PORT" \
CONSOLE_PORT="$CONSOLE_PORT" CONSOLE_LISTEN="$CONSOLE_LISTEN" CONSOLE_BACKEND_PORT="$CONSOLE_BACKEND_PORT" \
RASA_SERVERS="$rasa_servers" NEXT_REPLICAS="$next_replicas" ACTION_SERVERS="$action_servers" .venv/bin/python - <<'PY' > "$STATE_DIR/nginx.conf"
import os, re, sys
template = open("deploy/nginx.conf.template").read()
sys.stdout.write(re.sub(r"@([A-Z_]+)@", lambda m: os.environ.get(m.group(1), m.group(0)).rstrip("\n"), template))
PY
/usr/sbin/nginx -p "$STATE_DIR" -c "$STATE_DIR/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
echo "$nginx_pid" > "$STATE_DIR/pids/nginx.pid"
wait_for "http://127.0.0.1:$PORT/health" 30
echo "Production mode ready: http://localhost:$PORT/webhooks/rest/webhook ($RASA_REPLICAS Rasa replicas, $ACTION_REPLICAS action servers)"
echo "Care team console: http://$CONSOLE_LISTEN:$CONSOLE_PORT (accounts: .venv/bin/python -m massage.staff add <email>)"

# A server that dies or hangs is restarted; meanwhile nginx sends its work to the others.
declare -A answered misses cpu_ticks
cpu_used() {  # pid: whether it used CPU time since the last call for this key
  local key=$1 pid=$2 stat ticks
  read -r -a stat < "/proc/$pid/stat" || return 1
  ticks=$((stat[13] + stat[14]))  # utime + stime (the command name has no spaces: python3.10)
  [ "$ticks" != "${cpu_ticks[$key]:-}" ] && { cpu_ticks[$key]=$ticks; return 0; }
  return 1
}
healthy() {  # name, pid file key, health URL; false if the server is gone or was just killed as hung
  local name=$1 key=$2 pid
  pid=$(cat "$STATE_DIR/pids/$key.pid")
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "$name exited; restarting it" >&2
  elif curl -fs -m "$HEALTH_SECONDS" -o /dev/null "$3"; then
    answered[$key]=1 misses[$key]=0
    return 0
  elif [ "${answered[$key]:-0}" = 0 ]; then
    return 0  # still loading (a Rasa replica takes a minute)
  elif cpu_used "$key" "$pid"; then
    misses[$key]=0  # busy, not hung
    return 0
  elif [ $((misses[$key] += 1)) -lt "$HUNG_AFTER" ]; then
    return 0
  else
    echo "$name does not answer its health check (hung); restarting it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  answered[$key]=0 misses[$key]=0
  return 1
}
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 2
  for i in $(seq 0 $((RASA_REPLICAS - 1))); do
    healthy "Rasa replica $i" "rasa-$i" "http://127.0.0.1:$((RASA_BASE_PORT + i))/" || start_replica "$i"
  done
  for i in $(seq 0 $((ACTION_REPLICAS - 1))); do
    healthy "Action server $i" "actions-$i" "http://127.0.0.1:$((ACTIONS_BASE_PORT + i))/health" \
      || start_actions "$i"
  done
  if ! kill -0 "$(cat "$STATE_DIR/pids/console.pid")" 2>/dev/null; then
    echo "The console exited; restarting it" >&2
    start_console
  fi
  if ! kill -0 "$(cat "$STATE_DIR/pids/notices-worker.pid")" 2>/dev/null; then
    echo "Notices worker exited; restarting it" >&2
    start_worker
  fi
done
