#!/usr/bin/env bash
# Compile a reference model and train it:
#   scripts/run.sh mnist_mlp [krun flags...]
# Datasets come from --data, else $KCC_DATA, else ../shared/datasets when it
# exists, else Keras's own downloads in ~/.keras/datasets (krun says what to
# do when there are none: scripts/get-datasets.sh fetches them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:-mnist_mlp}"
shift || true
if [[ -z "${KCC_DATA:-}" && -d "$root/../shared/datasets" ]]; then
  export KCC_DATA="$root/../shared/datasets"
fi
mkdir -p "$root/build/models"
"$root/build/release/bin/kcc" "$root/models/$model.json" -o "$root/build/models/$model.bin"
exec "$root/build/release/bin/krun" "$root/build/models/$model.bin" "$@"
