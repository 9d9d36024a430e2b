#!/usr/bin/env bash
# Ensures models/ holds a model trained on the current config, domain, data and components/
# (the custom NLU component and policy, and the Rasa core replacements loaded with them).
# Models are cached by a fingerprint of what they are trained from, so an unchanged
# assistant is never retrained (Rasa's own check needs the old model in models/, which a
# clean clone lacks).
set -euo pipefail
cd "$(dirname "$0")/.."
cache_root="${WEHO_CACHE:-$HOME/.cache/weho-massage}/models"
fingerprint=$( (cat requirements.txt config.yml domain.yml; find components data/nlu data/rules data/stories -name '*.yml' -o -name '*.py' | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)
model="models/weho-$fingerprint.tar.gz"

if [ ! -f "$model" ]; then
  mkdir -p "$cache_root" models
  # One training at a time on this machine: two checkouts asking for the same model wait for
  # the first instead of both spending the CPU.
  exec 9>"$cache_root/.train.lock"
  flock 9
  if [ ! -f "$cache_root/weho-$fingerprint.tar.gz" ]; then
    echo "Training the assistant (fingerprint $fingerprint)..."
    start=$(date +%s)
    .venv/bin/rasa train --quiet --config config.yml --domain domain.yml --data data/nlu data/rules data/stories \
      --out "$cache_root" --fixed-model-name "weho-$fingerprint"
    echo "Trained in $(( $(date +%s) - start ))s."
  fi
  find models -name 'weho-*.tar.gz' -delete
  cp "$cache_root/weho-$fingerprint.tar.gz" "$model"
fi
echo "$model"
