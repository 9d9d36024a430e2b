# Sourced by the scripts of `make run`: what they tell the person running them. Steps are said
# on stderr (stdout carries results, e.g. model.sh's model path); what libraries print goes to
# a log file under .state/logs/, whose path is said instead.
LOGS=${LOGS:-.state/logs}
mkdir -p "$LOGS"

say() { printf '%s\n' "$*" >&2; }

minutes() {  # seconds -> "4m05s"
  printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# with_progress LABEL ESTIMATE_SECONDS LOG DETAIL_FUNCTION COMMAND...
# Runs COMMAND with its output in LOG, saying every few seconds how long it has run, about how
# long is left (from ESTIMATE_SECONDS) and what DETAIL_FUNCTION LOG prints (e.g. the epoch).
# On a terminal the line is redrawn in place; in a log (CI) a line every 30 s. On failure the
# end of LOG is shown.
with_progress() {
  local label=$1 estimate=$2 log=$3 detail=$4 start now elapsed left line last_print=0
  shift 4
  "$@" >"$log" 2>&1 &
  local pid=$! status=0
  start=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    now=$(date +%s) elapsed=$((now - start))
    if [ "$elapsed" -lt "$estimate" ]; then left="about $(minutes $((estimate - elapsed))) left"
    else left="taking longer than the $(minutes "$estimate") expected"; fi
    line="  $label: $(minutes "$elapsed"), $left$("$detail" "$log")"
    if [ -t 2 ]; then
      printf '\r\033[K%s' "${line:0:$(( ${COLUMNS:-120} - 1 ))}" >&2
    elif [ $((now - last_print)) -ge 30 ]; then
      say "$line" && last_print=$now
    fi
  done
  wait "$pid" || status=$?
  [ -t 2 ] && printf '\r\033[K' >&2
  if [ "$status" -ne 0 ]; then
    say "  $label failed (exit $status). The end of $log:"
    tail -n 25 "$log" >&2
    return "$status"
  fi
  say "  $label: done in $(minutes $(($(date +%s) - start)))."
}

no_detail() { :; }

# What Rasa's training log (at INFO) says it is doing: the component, and its epoch.
rasa_training_detail() {
  local component epoch
  component=$(grep -o "Starting to train component '[^']*'" "$1" | tail -n 1 | cut -d"'" -f2 || true)
  epoch=$(tail -c 3000 "$1" | tr '\r' '\n' | grep -o 'Epochs: .*| *[0-9]*/[0-9]*' | tail -n 1 | grep -o '[0-9]*/[0-9]*$' || true)
  [ -n "$component" ] && printf '; training %s' "$component"
  [ -n "$epoch" ] && printf ', epoch %s' "$epoch"
  return 0
}
