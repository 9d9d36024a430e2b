#!/usr/bin/env bash
# What can be checked of the deployment without a container engine or a cluster: deploy/k8s/
# against the Kubernetes API schemas, and deploy/k8s/ and the Dockerfiles by checkov's policies.
# A finding is fixed, or skipped beside the line it concerns with its reason
# (`# checkov:skip=<check id>: <why>`).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(scripts/tools-venv.sh)
# The Kubernetes version the manifests are written for.
"$tools/bin/kubernetes-validate" --strict --kubernetes-version 1.30.0 deploy/k8s/*.yaml
"$tools/bin/checkov" --quiet --compact --skip-download --framework kubernetes dockerfile \
  --directory deploy --output cli
