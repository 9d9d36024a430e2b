#!/usr/bin/env bash
# Ensures models/ holds a model trained on the current config, domain, data and components/
# (the custom NLU component and policy, and the Rasa core replacements loaded with them), and
# prints its path on stdout (what it is doing goes to stderr).
# Models are cached by a fingerprint of what they are trained from, so an unchanged
# assistant is never retrained (Rasa's own check needs the old model in models/, which a
# clean clone lacks).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/progress.sh
cache_root="${WEHO_CACHE:-$HOME/.cache/weho-massage}/models"
fingerprint=$( (cat requirements.txt config.yml domain.yml; find components data/nlu data/rules data/stories -name '*.yml' -o -name '*.py' | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)
model="models/weho-$fingerprint.tar.gz"
# How long the last training on this machine took: the estimate for the next one.
timing="$cache_root/last-training-seconds"


if [ ! -f "$model" ]; then
  mkdir -p "$cache_root" models
  # One training at a time on this machine: two checkouts asking for the same model wait for
  # the first instead of both spending the CPU.
  exec 9>"$cache_root/.train.lock"
  if ! flock -n 9; then
    say "Waiting for another training on this machine to finish (its model may be this one) ..."
    flock 9
  fi
  if [ ! -f "$cache_root/weho-$fingerprint.tar.gz" ]; then
    if [ -s "$timing" ]; then estimate=$(cat "$timing") basis="the last training here took $(minutes "$estimate")"
    else estimate=240 basis="about 3 to 4 min on a 2-core machine"; fi
    say "Training the assistant (config.yml, domain.yml or data/ changed; $basis)."
    say "  Rasa's own output: $LOGS/train.log"
    start=$(date +%s)
    # Logged at INFO (not --quiet) for the component and epoch lines the progress reads.
    with_progress "training" "$estimate" "$LOGS/train.log" rasa_training_detail \
      .venv/bin/rasa train --config config.yml --domain domain.yml --data data/nlu data/rules data/stories \
      --out "$cache_root" --fixed-model-name "weho-$fingerprint"
    echo $(($(date +%s) - start)) >"$timing"
  fi
  find models -name 'weho-*.tar.gz' -delete
  cp "$cache_root/weho-$fingerprint.tar.gz" "$model"
fi
echo "$model"
