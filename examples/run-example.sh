#!/usr/bin/env bash
# Check govcheck's bundled example repository and show the findings.
#
#   bash examples/run-example.sh                   # text report
#   bash examples/run-example.sh --format sarif    # any `govcheck check` option passes through
#   EXAMPLE=compliant-repo bash examples/run-example.sh   # the compliant one: exits 0
#
# The example is kept as plain files (a nested .git cannot be committed), so it is copied
# to a temporary directory and made a git repository first. Exits with govcheck's code:
# 0 no findings, 1 findings, 2 usage error, 3 data source error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="${EXAMPLE:-ml-repo}"
if [ ! -d "$here/$example" ]; then
  echo "run-example.sh: no example named '$example' in $here" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/govcheck-example.XXXXXX")"
trap 'rm -rf "$work"' EXIT
repo="$work/$example"
cp -R "$here/$example" "$repo"

git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name="govcheck example" -c user.email="example@govcheck.invalid" \
  -c commit.gpgsign=false commit -q -m "Example repository"

if command -v govcheck >/dev/null 2>&1; then
  govcheck=(govcheck)
else  # not installed: run from this checkout
  govcheck=("${PYTHON:-python3}" -m govcheck)
  export PYTHONPATH="$here/../src${PYTHONPATH:+:$PYTHONPATH}"
fi

echo "govcheck check --repo $repo $*" >&2
status=0
"${govcheck[@]}" check --repo "$repo" "$@" || status=$?
exit "$status"
