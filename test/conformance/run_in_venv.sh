#!/usr/bin/env bash
# Run run_conformance.py with the repository's test venv (.venv, created or
# updated on demand by scripts/python-env.sh). Arguments go to the harness.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$("$here/../../scripts/python-env.sh" -q)"
exec "$venv/bin/python" "$here/run_conformance.py" "$@"
