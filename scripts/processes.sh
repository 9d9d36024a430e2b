# Sourced by scripts/run.sh (after progress.sh): the processes it serves, each started with one
# line `serve NAME ADDRESS CHECK_URL COMMAND...`, its output in $LOGS/<name>.log. ADDRESS is
# what the person running it is told to open; CHECK_URL answers once the process is ready
# ("-" for a process with no HTTP side: ready once started).
served_names=() served_addresses=() served_checks=() served_pids=() served_logs=()

serve() {
  local name=$1 address=$2 check=$3 log
  shift 3
  log="$LOGS/$(tr 'A-Z' 'a-z' <<<"$name" | tr -cs 'a-z0-9' '-' | sed 's/-$//').log"
  "$@" >"$log" 2>&1 &
  served_names+=("$name") served_addresses+=("$address") served_checks+=("$check")
  served_pids+=($!) served_logs+=("$log")
}

# Says why a served process stopped: its name, and the end of its log.
report_exit() {
  say "The $1 stopped. The end of $2:"
  tail -n 25 "$2" >&2
}

# Waits until every served process answers on its CHECK_URL (each said as it does), at most
# TIMEOUT seconds; fails, with the end of its log, if one exits first.
await_ready() {
  local timeout=$1 start i pending waiting last_print
  start=$(date +%s) last_print=$start
  pending=("${!served_names[@]}")
  while [ "${#pending[@]}" -gt 0 ]; do
    local still=()
    [ -t 2 ] && printf '\r\033[K' >&2  # the waiting line, redrawn below
    for i in "${pending[@]}"; do
      if ! kill -0 "${served_pids[$i]}" 2>/dev/null; then
        report_exit "${served_names[$i]}" "${served_logs[$i]}"
        return 1
      elif [ "${served_checks[$i]}" = "-" ] || curl -fs -o /dev/null --max-time 2 "${served_checks[$i]}"; then
        say "  ready after $(minutes $(($(date +%s) - start))): ${served_names[$i]}"
      else
        still+=("$i")
      fi
    done
    pending=("${still[@]}")
    if [ "${#pending[@]}" -gt 0 ]; then
      waiting="  waiting for: $(for i in "${pending[@]}"; do printf '%s, ' "${served_names[$i]}"; done)"
      waiting="${waiting%, } ($(minutes $(($(date +%s) - start))))"
      if [ -t 2 ]; then printf '%s' "$waiting" >&2
      elif [ $(($(date +%s) - last_print)) -ge 30 ]; then say "$waiting" && last_print=$(date +%s); fi
      if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
        for i in "${pending[@]}"; do say "The ${served_names[$i]} did not answer within ${timeout}s; see ${served_logs[$i]}"; done
        return 1
      fi
      sleep 1
    fi
  done
}

# The table of what is served and where, and where each one's log is.
print_addresses() {
  local i width=0
  for i in "${!served_names[@]}"; do [ ${#served_names[$i]} -gt "$width" ] && width=${#served_names[$i]}; done
  for i in "${!served_names[@]}"; do
    if [ "${served_addresses[$i]}" != "-" ]; then
      printf "  %-${width}s  %s\n" "${served_names[$i]}" "${served_addresses[$i]}" >&2
    fi
  done
  say "Logs (library warnings included): $LOGS/"
  for i in "${!served_names[@]}"; do printf "  %-${width}s  %s\n" "${served_names[$i]}" "${served_logs[$i]}" >&2; done
}

# Runs until one served process exits (then says which, and why, and fails) or a signal ends the script.
keep_serving() {
  local i
  wait -n "${served_pids[@]}" || true
  for i in "${!served_names[@]}"; do
    if ! kill -0 "${served_pids[$i]}" 2>/dev/null; then
      report_exit "${served_names[$i]}" "${served_logs[$i]}"
    fi
  done
  return 1
}
