#!/usr/bin/env bash
# Build, on this machine, everything the GPU acceptance run needs (issue #12)
# into one folder, and its xz archive (under 64 MiB), since nothing of kcc can
# be built on the GPU machine (it has CUDA, cuDNN/cuBLAS/NCCL in its Python
# packages, no MLIR):
#
#   bin/krun, lib/ (the CUDA and MPI plugins and every library they and krun
#   load that is neither glibc's nor CUDA's), models/ (the five reference
#   models for sm_90 and for a generic x86-64 CPU, the reference side),
#   batches/ (the first batch each model trains on, real data, as --batch
#   reads it), data/ (MNIST and bAbI; CIFAR-10 is synthesized there: it does
#   not fit), gpu-accept.sh and gpu_accept.py.
#
#   scripts/gpu-pack.sh [OUT]        default OUT: build/gpu-pack (and build/gpu-pack.tar.xz)
#   (on the GPU machine:  mkdir p && tar -xJf gpu-pack.tar.xz -C p && p/gpu-accept.sh [RESULTS])
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/build/gpu-pack}"
bin="$root/build/release/bin"
lib="$root/build/release/lib"
data="${KCC_DATA:-$root/../shared/datasets}"
arch="${KCC_GPU_ARCH:-sm_90}"

[[ -x "$bin/kcc" && -x "$bin/krun" ]] || { echo "gpu-pack: build kcc first (scripts/setup.sh)" >&2; exit 1; }
[[ -f "$lib/libkcc_cuda_backend.so" ]] ||
  { echo "gpu-pack: $lib/libkcc_cuda_backend.so is missing: build where CUDA 13 and cuDNN are installed" >&2; exit 1; }
[[ -d "$data/mnist" && -d "$data/babi" ]] || { echo "gpu-pack: no MNIST/bAbI under $data (set KCC_DATA)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"/{bin,lib,models,batches,data}
cp "$bin/krun" "$out/bin/"
cp "$lib/libkcc_cuda_backend.so" "$out/lib/"
[[ -f "$lib/libkcc_mpi.so" ]] && cp "$lib/libkcc_mpi.so" "$out/lib/"

# The libraries krun and the plugins load, but not glibc's (the GPU machine's
# own must be used) nor CUDA's (driver, runtime libraries from its packages).
ldd "$out/bin/krun" "$out"/lib/*.so | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u |
  while read -r so; do
    case "$(basename "$so")" in
      libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | ld-linux* | libresolv.so*) ;;
      libcuda.so* | libcudart.so* | libcublas* | libcudnn* | libnccl* | libnvrtc* | libnvJitLink*) ;;
      libmpi* | libopen-* | libhwloc* | libevent* | libpmix*) ;; # MPI: the GPU machine runs one process
      *) cp -L "$so" "$out/lib/" ;;
    esac
  done

models=(mnist_mlp mnist_cnn cifar10_cnn mnist_hierarchical_rnn babi_rnn)
for m in "${models[@]}"; do
  "$bin/kcc" "$root/models/$m.json" --target=cuda --cuda-arch="$arch" -o "$out/models/$m.cuda.bin" >/dev/null
  "$bin/kcc" "$root/models/$m.json" --cpu=x86-64 -o "$out/models/$m.cpu.bin" >/dev/null
  "$bin/krun" "$out/models/$m.cpu.bin" --data "$data" --steps 1 -q --dump-batch "$out/batches/$m" \
    --log-json "$out/batches/$m.log.json" >/dev/null
  rm -f "$out/batches/$m.log.json"
done
cp -r "$data/mnist" "$data/babi" "$out/data/"
cp "$root/scripts/gpu-accept.sh" "$root/scripts/gpu_accept.py" "$out/"
git -C "$root" rev-parse --short HEAD >"$out/VERSION" 2>/dev/null || echo unknown >"$out/VERSION"

# The folder is over 64 MiB (oneDNN alone is 40); the device tool carries
# the xz archive of it.
tar -C "$out" -cJf "$out.tar.xz" .
bytes=$(stat -c %s "$out.tar.xz")
echo "gpu-pack: $out.tar.xz: $((bytes / 1048576)) MiB ($(find "$out" -type f | wc -l) files, kcc $(cat "$out/VERSION"), $arch)"
if ((bytes > 64 * 1048576)); then
  echo "gpu-pack: over the 64 MiB a run may carry" >&2
  exit 1
fi
