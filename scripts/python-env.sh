#!/usr/bin/env bash
# Create or update the Python virtual environment .venv in the repository root
# from scripts/requirements-test.txt (Keras 3 + JAX on CPU + numpy).
# Idempotent: a stamp file holding the hash of the requirements makes a
# second run a no-op. Prints the venv path on stdout (last line).
#   scripts/python-env.sh [-q]      -q: only print the venv path
set -euo pipefail

quiet=0
[[ "${1:-}" == "-q" ]] && quiet=1
say() { [[ $quiet == 1 ]] || echo "python-env: $*" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/scripts/requirements-test.txt"
venv="${KCC_VENV:-$root/.venv}"
stamp="$venv/.kcc-requirements.sha256"
py="${PYTHON:-python3}"

want="$( (cat "$req"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  say "up to date"
  echo "$venv"
  exit 0
fi

if ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing python3-venv"
    apt-get install -y -q python3-venv >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q python3-venv >/dev/null; }
  else
    echo "python-env: $py lacks the venv/ensurepip modules (install python3-venv)" >&2
    exit 1
  fi
fi

if [[ ! -x "$venv/bin/python" ]]; then
  say "creating $venv"
  "$py" -m venv "$venv"
fi
pipq=()
[[ $quiet == 1 ]] && pipq=(-q)
say "installing $(grep -v '^#' "$req" | xargs)"
"$venv/bin/python" -m pip install "${pipq[@]}" --disable-pip-version-check -r "$req" >&2
"$venv/bin/python" -c 'import os; os.environ["KERAS_BACKEND"]="jax"; import keras, jax; print("keras", keras.__version__, "jax", jax.__version__)' >&2
echo "$want" > "$stamp"
say "ready"
echo "$venv"
