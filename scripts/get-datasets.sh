#!/usr/bin/env bash
# Download the built-in datasets from their canonical sources, where the
# internet is reachable, into the layout krun reads (--data DIR / KCC_DATA):
#
#   scripts/get-datasets.sh [DIR] [mnist] [cifar10] [babi]
#
# DIR defaults to $KCC_DATA, else ~/kcc-datasets; with no names, all three.
#   DIR/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz   sha256-checked
#   DIR/cifar10/cifar-10-batches-bin/*.bin.gz                   md5 as published
#   DIR/babi/tasks_1-20_v1-2.tar.gz                             contents checked
# Files already there and correct are kept. Needs only python3 (setup.sh
# installs it): downloads go through its urllib.
#
# Without the internet: copy the files into that layout by hand, or keep
# Keras's own downloads in ~/.keras/datasets (mnist.npz from
# keras.datasets.mnist.load_data(), babi-tasks-v1-2.tar.gz from the Keras bAbI
# example), which krun reads when neither --data nor KCC_DATA is given.
set -euo pipefail

dir="${KCC_DATA:-$HOME/kcc-datasets}"
if [[ $# -gt 0 && "$1" != mnist && "$1" != cifar10 && "$1" != babi ]]; then
  dir="$1"
  shift
fi
names=("$@")
((${#names[@]})) || names=(mnist cifar10 babi)
for n in "${names[@]}"; do
  case "$n" in mnist | cifar10 | babi) ;; *) echo "get-datasets: unknown dataset '$n' (mnist, cifar10, babi)" >&2; exit 2 ;; esac
done
mkdir -p "$dir"

# fetch URL FILE ALGO DIGEST: download unless FILE is there with that digest.
fetch() {
  python3 - "$@" <<'EOF'
import hashlib, os, sys, urllib.request
url, path, algo, digest = sys.argv[1:5]
def good():
    if not os.path.isfile(path) or algo == "none":
        return os.path.isfile(path)
    h = hashlib.new(algo)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest() == digest
if good():
    print("get-datasets: %s is already there" % path)
    sys.exit(0)
os.makedirs(os.path.dirname(path), exist_ok=True)
tmp = path + ".part"
print("get-datasets: %s -> %s" % (url, path), flush=True)
try:
    with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            f.write(chunk)
except OSError as e:
    if os.path.exists(tmp):
        os.remove(tmp)
    sys.exit("get-datasets: cannot download %s (%s). Without the internet, put the file at %s "
             "yourself (see the comment at the top of scripts/get-datasets.sh)" % (url, e, path))
os.replace(tmp, path)
if not good():
    os.remove(path)
    sys.exit("get-datasets: %s does not have the published %s %s; removed it" % (path, algo, digest))
EOF
}

for n in "${names[@]}"; do
  case "$n" in
  mnist)
    base=https://storage.googleapis.com/cvdf-datasets/mnist
    while read -r file sha; do
      fetch "$base/$file" "$dir/mnist/$file" sha256 "$sha"
    done <<'EOF'
train-images-idx3-ubyte.gz 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609
train-labels-idx1-ubyte.gz 3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c
t10k-images-idx3-ubyte.gz 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6
t10k-labels-idx1-ubyte.gz f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6
EOF
    ;;
  cifar10)
    out="$dir/cifar10/cifar-10-batches-bin"
    if [[ -f "$out/test_batch.bin.gz" ]]; then
      echo "get-datasets: $out is already there"
      continue
    fi
    tarball="$dir/cifar10/cifar-10-binary.tar.gz"
    # The md5 the CIFAR page publishes for the binary version.
    fetch https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz "$tarball" md5 c32a1d4ab5d03f1284b67883e8d87530
    tmp="$(mktemp -d)"
    tar -xzf "$tarball" -C "$tmp"
    mkdir -p "$out"
    for b in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
      gzip -c "$tmp/cifar-10-batches-bin/$b.bin" > "$out/$b.bin.gz.part" && mv "$out/$b.bin.gz.part" "$out/$b.bin.gz"
    done
    cp "$tmp/cifar-10-batches-bin/batches.meta.txt" "$out/"
    rm -rf "$tmp" "$tarball"
    ;;
  babi)
    archive="$dir/babi/tasks_1-20_v1-2.tar.gz"
    # No checksum is published for this archive: its contents are checked.
    fetch https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz "$archive" none none
    count="$(tar -tzf "$archive" | grep -c '^tasks_1-20_v1-2/en/qa[0-9]*_.*_\(train\|test\)\.txt$' || true)"
    if [[ "$count" != 40 ]]; then
      rm -f "$archive"
      echo "get-datasets: $archive does not hold the 40 en/ task files of bAbI v1.2 (found $count); removed it" >&2
      exit 1
    fi
    ;;
  esac
done
echo "get-datasets: done; train with --data $dir or: export KCC_DATA=$dir"
