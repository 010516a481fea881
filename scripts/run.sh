#!/usr/bin/env bash
# Compile a reference model and train it:
#   scripts/run.sh mnist_mlp [krun flags...]
# Datasets come from --data, else $KCC_DATA, else ../shared/datasets.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-mnist_mlp}"
shift || true
export KCC_DATA="${KCC_DATA:-$root/../shared/datasets}"
mkdir -p "$root/build/models"
"$root/build/release/bin/kcc" "$root/models/$model.json" -o "$root/build/models/$model.bin"
exec "$root/build/release/bin/krun" "$root/build/models/$model.bin" "$@"
