#!/usr/bin/env bash
# Runs the real `cdk8s synth` of cdk8s-cli in examples/pipeline, whose cdk8s.yaml loads this
# package's NetpolValidation plugin from lib/ (run `npx projen compile` first):
# the example must pass as it is, and fail, naming the rule, with a planted mistake.
set -uo pipefail
cd "$(dirname "$0")/../examples/pipeline"
out=$(mktemp -d)
trap 'rm -rf "$out" dist' EXIT

if ! npx cdk8s synth --no-check-upgrade --output "$out/clean" > "$out/clean.log" 2>&1; then
  cat "$out/clean.log" >&2
  echo "pipeline-example: cdk8s synth failed on the clean example" >&2
  exit 1
fi

if NETPOL_PLANT_MISTAKE=1 npx cdk8s synth --no-check-upgrade --output "$out/planted" > "$out/planted.log" 2>&1; then
  cat "$out/planted.log" >&2
  echo "pipeline-example: cdk8s synth passed although a broken policy was planted" >&2
  exit 1
fi
if ! grep -q "policy-types-mismatch" "$out/planted.log"; then
  cat "$out/planted.log" >&2
  echo "pipeline-example: cdk8s synth failed, but not on the planted policy-types-mismatch" >&2
  exit 1
fi
echo "pipeline-example: clean synth passed; planted mistake failed the synth with policy-types-mismatch"
