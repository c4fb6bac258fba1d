#!/usr/bin/env bash
# GPU check: Strata on a borrowed GPU machine (one NVIDIA GPU, a Python with a CUDA PyTorch, no Swift
# toolchain, no network, a small upload), against PyTorch eager on the same GPU.
#
# Two halves:
#
#   bench/gpu_check.sh bundle [TORCH_VERSION]
#       Here, with the Swift toolchain: builds Strata against the libtorch of PyTorch TORCH_VERSION (default
#       2.11.0, the GPU machine's; its wheel's headers and CPU libraries, fetched with pip into
#       .deps/libtorch-VERSION), with Swift's runtime linked statically, into bench/out/gpu/: both
#       executables (strata, and strata-train, the engine that `strata train` and `strata info` hand over
#       to), together with the shared libraries they need beyond glibc, libstdc++ and libtorch (ZeroMQ and
#       its dependencies, SQLite, zlib). libtorch itself comes from the GPU machine's PyTorch at run time.
#
#   bench/gpu_check.sh run [OUTDIR]
#       There (bench/out/gpu carried along): points the loader at python3's torch/lib and its nvidia/*/lib
#       folders, then
#         1. `strata info` (CUDA must load and see the GPU),
#         2. writes CIFAR-shaped data (3x32x32, CIFAR-10's binary layout),
#         3. `strata train` of resnet18 k=64 on it for a few epochs on CUDA, measurement on (CKA, probes,
#            planes), training images/s from its epoch events,
#         4. the same model trained in PyTorch eager on the same GPU, images/s,
#         5. one short run on CPU and on CUDA with the same spec: largest differences of epoch metrics and
#            CKA rows.
#       GPU_CHECK_WIDTH, GPU_CHECK_TRAIN and GPU_CHECK_EPOCHS (64, 10000, 4) size step 3.
#       Results (JSON lines and logs) go to OUTDIR (default: $OUT when set, else bench/out/gpu-results).
#       Without a GPU (STRATA_GPU_CHECK_DEVICE=cpu) the same steps run on the CPU: a dry run of the script
#       (STRATA_GPU_CHECK_TORCHLIB=.deps/libtorch-2.11.0/lib then stands in for the Python's torch/lib).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bundle="$root/bench/out/gpu"

case "${1:-}" in
bundle)
    version="${2:-2.11.0}"
    lt="$root/.deps/libtorch-$version"
    if [[ ! -f "$lt/lib/libtorch_cpu.so" || ! -f "$lt/include/torch/csrc/api/include/torch/torch.h" ]]; then
        echo "gpu_check: fetching PyTorch $version's wheel for its headers and CPU libraries"
        wheels="$(mktemp -d)"
        python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheels" "torch==$version"
        rm -rf "$lt.partial"
        mkdir -p "$lt.partial"
        unzip -q "$wheels"/torch-*.whl 'torch/include/*' 'torch/lib/libtorch_cpu.so' 'torch/lib/libc10.so' \
            'torch/lib/libgomp*' -d "$lt.partial"
        rm -rf "$wheels" "$lt"
        mv "$lt.partial/torch" "$lt"
        rmdir "$lt.partial"
    fi
    for product in strata strata-train; do
        LIBTORCH="$lt" swift build -c release --product "$product" --scratch-path "$root/.build-gpu" \
            --static-swift-stdlib
    done
    rm -rf "$bundle"
    mkdir -p "$bundle/lib"
    # Libraries beyond glibc, the C++ runtime and libtorch (which the GPU machine's PyTorch provides).
    ldd "$root/.build-gpu/release/strata" "$root/.build-gpu/release/strata-train" \
        | awk '/=> \// { print $1, $3 }' | sort -u | while read -r name path; do
        case "$name" in
        libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|ld-linux*|libstdc++*|libgcc_s*) ;;
        libtorch*|libc10*|libgomp*) ;;
        *) cp -L "$path" "$bundle/lib/$name" ;;
        esac
    done
    # Compressed: the upload to a borrowed machine is small (64 MiB with the whole working tree).
    for product in strata strata-train; do
        cp "$root/.build-gpu/release/$product" "$bundle/$product"
        strip "$bundle/$product"
        xz -T0 -6 "$bundle/$product"
    done
    echo "$version" > "$bundle/TORCH_VERSION"
    du -sh "$bundle"
    echo "gpu_check: bundle ready in bench/out/gpu (carry it: bench/out/gpu); then on the GPU machine:"
    echo "  bash bench/gpu_check.sh run"
    ;;
run)
    out="${2:-${OUT:-$root/bench/out/gpu-results}}"
    mkdir -p "$out"
    device="${STRATA_GPU_CHECK_DEVICE:-cuda}"
    for product in strata strata-train; do
        [[ -f "$bundle/$product.xz" ]] || { echo "gpu_check: no $bundle/$product.xz: run 'bench/gpu_check.sh bundle' first" >&2; exit 1; }
    done
    python="${STRATA_PYTHON:-python3}"
    # Both executables in one folder: strata hands `train` and `info` over to the strata-train beside it.
    bin="$(mktemp -d)"
    strata="$bin/strata"
    for product in strata strata-train; do
        "$python" -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
            "$bundle/$product.xz" "$bin/$product"
        chmod +x "$bin/$product"
    done
    # libtorch: the Python's own (STRATA_GPU_CHECK_TORCHLIB names another folder, for a dry run here).
    torchlib="${STRATA_GPU_CHECK_TORCHLIB:-$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')}"
    nvlibs="$("$python" - <<'PY'
import glob, os, site, sys
roots = site.getsitepackages() + [site.getusersitepackages()] + sys.path
print(":".join(sorted({d for r in roots for d in glob.glob(os.path.join(r, "nvidia", "*", "lib"))})))
PY
)"
    # Only Strata gets this loader path (the Python keeps its own libraries).
    libpath="$bundle/lib:$torchlib${nvlibs:+:$nvlibs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    strata() { LD_LIBRARY_PATH="$libpath" "$strata" "$@"; }
    echo "torch: $("$python" -c 'import torch; print(torch.__version__)'), bundle built for $(cat "$bundle/TORCH_VERSION" 2>/dev/null)" \
        | tee "$out/versions.txt"
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null \
        | tee -a "$out/versions.txt" || true
    echo "== 1. strata info"
    strata info | tee "$out/info.txt"
    if [[ "$device" == cuda ]] && ! grep -q 'device(s)' "$out/info.txt"; then
        echo "gpu_check: Strata does not see CUDA (above: why)" >&2
        exit 1
    fi
    width="${GPU_CHECK_WIDTH:-64}" train="${GPU_CHECK_TRAIN:-10000}" epochs="${GPU_CHECK_EPOCHS:-4}"
    echo "== 2. CIFAR-shaped data"
    data="$(mktemp -d)"
    "$python" "$root/bench/gpu_check.py" cifar "$data" "$train" 2000
    common=(--set dataset=cifar10 --set data_dir="$data" --set arch=resnet18 --set optimizer=sgd --set lr=0.05
            --set batch_size=128 --set augment=off --set label_noise=0.2 --set threads=8)
    echo "== 3. Strata: resnet18 k=$width, $train images, $epochs epochs, measurement on, $device"
    strata train "${common[@]}" --set width="$width" --set train_size="$train" --set test_size=2000 \
        --set epochs="$epochs" \
        --set device="$device" --set measure.log=4 --set measure.examples=500 --set measure.planes=1 \
        --json > "$out/strata_train.jsonl" 2> "$out/strata_train.log"
    "$python" "$root/bench/gpu_check.py" rates "$out/strata_train.jsonl" | tee "$out/strata_rates.txt"
    grep '^time by stage' "$out/strata_train.log" | tee -a "$out/strata_rates.txt" || true
    if [[ "$device" == cuda ]]; then
        echo "== 4. PyTorch eager, same model and batch, same GPU"
        "$python" "$root/bench/gpu_check.py" pytorch "$width" 128 100 | tee "$out/pytorch.jsonl"
    fi
    echo "== 5. CPU vs $device: resnet18 k=16, 1,000 images, 2 epochs"
    short=(--set width=16 --set train_size=1000 --set test_size=500 --set epochs=2 --set measure.log=2
           --set measure.examples=200 --set measure.planes=0)
    strata train "${common[@]}" "${short[@]}" --set device=cpu --json > "$out/short_cpu.jsonl" 2>/dev/null
    strata train "${common[@]}" "${short[@]}" --set device="$device" --json > "$out/short_gpu.jsonl" 2>/dev/null
    "$python" "$root/bench/gpu_check.py" compare "$out/short_cpu.jsonl" "$out/short_gpu.jsonl" \
        | tee "$out/agreement.json"
    rm -rf "$data" "$bin"
    echo "gpu_check: done; results in $out"
    ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
