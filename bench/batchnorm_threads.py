#!/usr/bin/env python3
"""Training-mode batch norm of a channels-last float tensor on one and two threads: PyTorch against Strata.

libtorch's backward pass of such a batch norm sums each thread's rows into that thread's row of C floats in one
shared buffer; when C floats do not fill whole 64-byte cache lines (C not a multiple of 16), two threads write to
the same lines, and the pass gets slower on two threads than on one. Strata runs that backward pass on the calling
thread alone (Sources/CTorch/norm.cpp). For each shape, (128, C, S, S), forward and backward of sum(y * g): PyTorch
on 1 and on 2 threads, Strata (`strata-bench batchnorm`) on 2 threads, in alternating rounds; printed are the
medians over rounds of each side's median ms per pass.

    .deps/venv/bin/python bench/batchnorm_threads.py --binary .build/release/strata-bench
"""
import argparse
import json
import statistics
import subprocess
import time

import torch


def pytorch_ms(channels, size, threads, steps):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(128, channels, size, size, generator=gen).contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    g = torch.randn(128, channels, size, size, generator=gen).contiguous(memory_format=torch.channels_last)
    weight, bias = torch.ones(channels, requires_grad=True), torch.zeros(channels, requires_grad=True)
    times = []
    for step in range(steps + 3):
        start = time.perf_counter()
        y = torch.nn.functional.batch_norm(x, None, None, weight, bias, training=True)
        (y * g).sum().backward()
        if step >= 3:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def strata_ms(binary, channels, size, threads, steps):
    out = subprocess.run([binary, "batchnorm", "--channels", str(channels), "--size", str(size), "--threads",
                          str(threads), "--steps", str(steps)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])["ms_median"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=".build/release/strata-bench")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--shapes", default="8:28,8:14,16:28,16:14,32:14,64:7")
    args = p.parse_args()
    shapes = [tuple(int(v) for v in s.split(":")) for s in args.shapes.split(",")]
    results = {shape: {"pytorch 1": [], "pytorch 2": [], "strata 2": []} for shape in shapes}
    for r in range(args.rounds):
        for shape in shapes:
            sides = [("pytorch 1", lambda: pytorch_ms(*shape, 1, args.steps)),
                     ("pytorch 2", lambda: pytorch_ms(*shape, 2, args.steps)),
                     ("strata 2", lambda: strata_ms(args.binary, *shape, 2, args.steps))]
            for name, run in (sides if r % 2 == 0 else sides[::-1]):
                results[shape][name].append(run())
    print(f"batch norm, training, channels-last (128, C, S, S), forward + backward, ms per pass; PyTorch "
          f"{torch.__version__}, {args.rounds} alternating rounds, median of round medians")
    print(f"{'C':>4} {'S':>3} {'PyTorch 1 thread':>17} {'PyTorch 2 threads':>18} {'Strata 2 threads':>17}")
    for (c, s), sides in results.items():
        m = {k: statistics.median(v) for k, v in sides.items()}
        print(f"{c:>4} {s:>3} {m['pytorch 1']:>17.2f} {m['pytorch 2']:>18.2f} {m['strata 2']:>17.2f}")


if __name__ == "__main__":
    main()
