#!/usr/bin/env bash
# govcheck on itself: its own policy files validate, the compliant example passes and the
# example with planted violations fails with findings (exit 1, not a crash or a config
# error). Run by the project's pre-commit hook and by the test suite (so by CI).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if command -v govcheck >/dev/null 2>&1; then
  govcheck=(govcheck)
else  # not installed: run from this checkout
  govcheck=("${PYTHON:-python3}" -m govcheck)
  export PYTHONPATH="$root/src${PYTHONPATH:+:$PYTHONPATH}"
fi

"${govcheck[@]}" validate policies/*.yaml

EXAMPLE=compliant-repo bash examples/run-example.sh --no-mlflow >/dev/null
echo "examples/compliant-repo: no findings"

status=0
EXAMPLE=ml-repo bash examples/run-example.sh --no-mlflow --format json >/dev/null || status=$?
if [ "$status" -ne 1 ]; then
  echo "examples/ml-repo: expected exit 1 (findings), got $status" >&2
  exit 1
fi
echo "examples/ml-repo: findings reported, as planted"
