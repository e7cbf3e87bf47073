#!/usr/bin/env bash
# Checks the repository as a stranger gets it: `git clone` into an empty temporary folder, with
# nothing beside the checkout (no ../shared), then the README's two Quick start commands, which
# must both pass. The test run must also say which checks it skips without ../shared (never
# silently). Run by .ci/run; takes about as long as `npm ci && npx projen test` itself.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
checkout="$work/plain/cdk8s-netpol"
mkdir -p "$work/plain"
git clone --quiet "$repo" "$checkout"
cd "$checkout"
if [ -e ../shared ]; then
  echo "plain-clone: $work/plain/shared exists; the check needs a folder with nothing beside the checkout" >&2
  exit 1
fi
# The environment must not point the tests at the shared folder either.
unset CDK8S_NETPOL_SHARED

echo "== plain clone at $(git rev-parse --short HEAD): npm ci && npx projen synth-examples"
npm ci --no-audit --no-fund > "$work/npm-ci.log" 2>&1 || { cat "$work/npm-ci.log" >&2; exit 1; }
npx projen synth-examples > "$work/synth-examples.log" 2>&1 || { cat "$work/synth-examples.log" >&2; exit 1; }

echo "== plain clone: npm ci && npx projen test"
npm ci --no-audit --no-fund > "$work/npm-ci-2.log" 2>&1 || { cat "$work/npm-ci-2.log" >&2; exit 1; }
npx projen test > "$work/test.log" 2>&1 || { tail -200 "$work/test.log" >&2; echo "plain-clone: npx projen test failed" >&2; exit 1; }
grep -E '^Tests:' "$work/test.log"
for part in schemas upstream; do
  if ! grep -q "shared/$part not found: skipping" "$work/test.log"; then
    echo "plain-clone: the test run did not say that it skips what ../shared/$part adds" >&2
    exit 1
  fi
done
echo "plain-clone: both README commands passed on a clone with nothing beside it"
