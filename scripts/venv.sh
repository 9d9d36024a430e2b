#!/usr/bin/env bash
# Creates .venv from requirements.txt. The venv is cached outside the clone, keyed by the
# fingerprint of requirements.txt, so a fresh clone (CI) reuses it instead of reinstalling 2.7 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh
cache_root="${WEHO_CACHE:-$HOME/.cache/weho-massage}"
fingerprint=$( (cat requirements.txt; "$(scripts/python310.sh)" --version) | sha256sum | cut -c1-16)
cached="$cache_root/venv-$fingerprint"

install() {
  rm -rf "$cached"
  mkdir -p "$cache_root"
  "$(scripts/python310.sh)" -m venv "$cached"
  "$cached/bin/pip" install --upgrade pip==24.0
  "$cached/bin/pip" install --no-deps -r requirements.txt
  "$cached/bin/pip" check
}

if [ ! -x "$cached/bin/rasa" ] || [ ! -f "$cached/.complete" ]; then
  say "Installing the Python packages of requirements.txt into $cached"
  say "  (once per machine and requirements.txt: about 5 min; pip's output: $LOGS/install.log)"
  with_progress "installing" 300 "$LOGS/install.log" no_detail install
  touch "$cached/.complete"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$cached" ]; then
  rm -rf .venv
  ln -s "$cached" .venv
fi
