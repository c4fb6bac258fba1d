#!/usr/bin/env python3
"""Training-step throughput of the same small CNN and MLP in Strata (Swift) and PyTorch (Python).

Both sides use Debian's libtorch 1.13, the same batch, the same thread count and SGD with
momentum. The two are interleaved for several rounds and the best round of each is kept, so
that noise on a shared machine hurts both alike. Prints images/s and the Swift/PyTorch ratio,
and the 1024x1024 matrix-product GFLOP/s (a reference-BLAS install shows here at once).

    make bench-torch        # or: bench/torch_step.py --binary .build/release/strata-bench
"""
import argparse
import json
import subprocess
import time

import torch
import torch.nn as nn


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 10))


def python_rate(build, batch, steps, warmup=3):
    model = build()
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for i in range(warmup + steps):
        if i == warmup:
            start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return batch * steps / (time.perf_counter() - start)


def swift_rates(binary, threads, batch, steps):
    out = subprocess.run([binary, "torch-step", "--threads", str(threads), "--batch", str(batch),
                          "--steps", str(steps)], check=True, capture_output=True, text=True).stdout
    return {r["model"]: r["images_per_s"] for r in map(json.loads, out.splitlines())}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=".build/release/strata-bench")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    best = {("swift", m): 0.0 for m in ("mlp", "cnn")} | {("python", m): 0.0 for m in ("mlp", "cnn")}
    for _ in range(a.rounds):
        for m, rate in swift_rates(a.binary, a.threads, a.batch, a.steps).items():
            best["swift", m] = max(best["swift", m], rate)
        for m, build in (("mlp", mlp), ("cnn", cnn)):
            best["python", m] = max(best["python", m], python_rate(build, a.batch, a.steps))
    print(f"training step, batch {a.batch}, {a.threads} threads, best of {a.rounds} rounds (images/s)")
    print(f"{'model':6} {'Strata':>10} {'PyTorch':>10} {'ratio':>7}")
    for m in ("mlp", "cnn"):
        s, t = best["swift", m], best["python", m]
        print(f"{m:6} {s:10.0f} {t:10.0f} {s / t:7.2f}")
    swift_mm = json.loads(subprocess.run([a.binary, "matmul", "--threads", str(a.threads)], check=True,
                                         capture_output=True, text=True).stdout)["gflops"]
    x, y = torch.randn(1024, 1024), torch.randn(1024, 1024)
    x @ y
    start = time.perf_counter()
    for _ in range(10):
        x @ y
    torch_mm = 2 * 1024 ** 3 * 10 / (time.perf_counter() - start) / 1e9
    print(f"matmul 1024x1024 GFLOP/s: Strata {swift_mm:.1f}, PyTorch {torch_mm:.1f} "
          f"(below ~5 means libtorch is on the reference BLAS: install libopenblas0-pthread)")


if __name__ == "__main__":
    main()
