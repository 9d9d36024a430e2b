#!/usr/bin/env bash
# Prints this machine's key for the health answers at rest, made once into .state/intake_key
# (private, as .state/rasa_token). Production sets INTAKE_ENCRYPTION_KEYS from its secrets instead.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -s .state/intake_key ]; then
  (umask 077; mkdir -p .state
   .venv/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > .state/intake_key)
fi
cat .state/intake_key
