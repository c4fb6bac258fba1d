#!/usr/bin/env bash
# Measurement overhead of a quick.yaml-sized run: resnet18 k=8 on 300 noisy Fashion-MNIST images,
# 30 epochs, with configs/quick.yaml's measurement settings (measure.log=10: 10 checkpoints, linear CKA on
# 200 examples, probes on every tap, one decision plane at R=20). Prints the time by stage and the
# ratio measured / trained, then the measurement's share of the whole run. Training and measurement run in
# the same process, one after the other, so machine noise touches both alike.
#
#   bench/measurement_overhead.sh [path/to/strata] [threads]
set -euo pipefail
strata=${1:-.build/release/strata}
threads=${2:-1}
sets=(dataset=fashion-mnist train_size=300 test_size=300 label_noise=0.2 batch_size=32 epochs=30
      arch=resnet18 width=8 optimizer=adam lr=0.002 threads="$threads"
      measure.log=10 measure.examples=200 measure.probe_train=200 measure.probe_test=100
      measure.planes=1 measure.resolution=20 measure.pictures=1)
args=()
for s in "${sets[@]}"; do args+=(--set "$s"); done
stages=$("$strata" train "${args[@]}" 2>&1 >/dev/null | grep '^time by stage:')
echo "$stages"
python3 - "$stages" <<'PY'
import re, sys
t = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+)s", sys.argv[1])}
measured = sum(t.get(k, 0) for k in ("forward", "cka", "probes", "planes"))
print(f"training {t['training']:.1f}s; per-epoch evaluation {t.get('evaluation', 0):.1f}s; measurement {measured:.1f}s "
      f"(forward {t.get('forward', 0):.1f}, CKA {t.get('cka', 0):.1f}, probes {t.get('probes', 0):.1f}, "
      f"planes {t.get('planes', 0):.1f}) = {100 * measured / t['training']:.0f}% of training")
run = t['training'] + t.get('evaluation', 0) + measured
print(f"the whole run (training, per-epoch evaluation, measurement) {run:.1f}s: measurement {100 * measured / run:.0f}% of it")
PY
