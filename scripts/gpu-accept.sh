#!/usr/bin/env bash
# The GPU acceptance run (issue #12), on the GPU machine, inside the folder
# scripts/gpu-pack.sh made: finds the CUDA libraries the machine's Python
# packages carry (cuBLAS, cuDNN, NCCL, the CUDA runtime), then runs
# gpu_accept.py: preflight, CUDA against CPU on the same batches (1 and 10
# steps), determinism, seconds per epoch; one table, and RESULTS/gpu-accept.json.
#
#   ./gpu-accept.sh [RESULTS]     default RESULTS: $OUT if set (the device tool's), else ./results
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

# Every lib folder of the nvidia-* wheels (torch and jax bring them).
site_libs=$("$python" -c '
import glob, os, site
dirs = set()
for r in site.getsitepackages() + [site.getusersitepackages()]:
    for so in glob.glob(os.path.join(r, "nvidia", "**", "lib*.so*"), recursive=True):
        dirs.add(os.path.dirname(so))
print(":".join(sorted(dirs)))
')
cuda_libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib; do
  [[ -d "$d" ]] && cuda_libs="$cuda_libs:$d"
done
export LD_LIBRARY_PATH="$here/lib:${site_libs}${cuda_libs}:${LD_LIBRARY_PATH:-}"
version=$(cat "$here/VERSION" 2>/dev/null || echo unknown)
echo "gpu-accept: kcc $version; CUDA libraries from: ${site_libs:-none in the packages of $python}"
exec "$python" "$here/gpu_accept.py" "$@"
