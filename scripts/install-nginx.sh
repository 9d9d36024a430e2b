#!/usr/bin/env bash
# Installs Debian's nginx for production mode (`make run-prod`). Idempotent. nginx is run by
# scripts/run-prod.sh as a child process with its own generated config, never as a system service.
set -euo pipefail
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nginx-light >/dev/null 2>&1 \
      || apt-get install -y -qq --no-install-recommends nginx >/dev/null
    # Debian's package starts a system nginx on port 80; production mode does not use it.
    if [ -f /run/nginx.pid ]; then kill "$(cat /run/nginx.pid)" 2>/dev/null || true; fi
fi
/usr/sbin/nginx -v
