#!/usr/bin/env bash
# Prints the path of the tools virtualenv (kubernetes-validate, checkov) after making it if
# needed. Its pins (requirements-tools.txt) cannot live beside Rasa's, so it is a venv of its
# own, cached outside the clone by the fingerprint of its pins as scripts/venv.sh caches .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cache_root="${WEHO_CACHE:-$HOME/.cache/weho-massage}"
fingerprint=$( (cat requirements-tools.txt; "$(scripts/python310.sh)" --version) | sha256sum | cut -c1-16)
cached="$cache_root/tools-$fingerprint"

if [ ! -f "$cached/.complete" ]; then
  rm -rf "$cached"
  mkdir -p "$cache_root"
  "$(scripts/python310.sh)" -m venv "$cached"
  "$cached/bin/pip" install --quiet --upgrade pip==24.0 >&2
  # --no-deps: requirements-tools.txt is the complete, checked freeze of the tools' venv.
  "$cached/bin/pip" install --quiet --no-deps -r requirements-tools.txt >&2
  "$cached/bin/pip" check >&2
  touch "$cached/.complete"
fi
echo "$cached"
