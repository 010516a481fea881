#!/usr/bin/env bash
# Run run_conformance.py with the repository's test venv (.venv, created or
# updated on demand by scripts/python-env.sh). Arguments go to the harness.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("$here/../../scripts/python-env.sh" -q)"
# --script NAME runs another of this folder's scripts (eval_vs_keras.py).
script=run_conformance.py
if [[ "${1:-}" == --script ]]; then
  script="$2"
  shift 2
fi
exec "$venv/bin/python" "$here/$script" "$@"
