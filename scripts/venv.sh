#!/usr/bin/env bash
# Creates .venv from requirements.txt. The venv is cached outside the clone, keyed by the
# fingerprint of requirements.txt, so a fresh clone (CI) reuses it instead of reinstalling 2.7 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
cache_root="${WEHO_CACHE:-$HOME/.cache/weho-massage}"
fingerprint=$( (cat requirements.txt; "$(scripts/python310.sh)" --version) | sha256sum | cut -c1-16)
cached="$cache_root/venv-$fingerprint"

if [ ! -x "$cached/bin/rasa" ] || [ ! -f "$cached/.complete" ]; then
  rm -rf "$cached"
  mkdir -p "$cache_root"
  "$(scripts/python310.sh)" -m venv "$cached"
  "$cached/bin/pip" install --quiet --upgrade pip==24.0
  "$cached/bin/pip" install --quiet --no-deps -r requirements.txt
  "$cached/bin/pip" check
  touch "$cached/.complete"
fi
if [ "$(readlink .venv 2>/dev/null)" != "$cached" ]; then
  rm -rf .venv
  ln -s "$cached" .venv
fi
