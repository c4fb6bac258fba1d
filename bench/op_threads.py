#!/usr/bin/env python3
"""Which ops of a training step gain from a second thread: PyTorch's profiler, one thread against two.

One of bench/models_step.py's models (the same definitions), batch 128 of 1x28x28, SGD with momentum, in PyTorch
from .deps/venv, NCHW or channels-last. Prints, for the ops with the most self CPU time on one thread, ms per step
on one thread and on two, and the ratio. An op whose ratio is below 1 runs slower with more threads (how the
channels-last batch-norm backward pass was found: bench/RESULTS.md, "Batch norm on two threads").

    .deps/venv/bin/python bench/op_threads.py --model resnet18:8 --layout channels_last
"""
import argparse

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

from models_step import build


def per_op_ms(model_name, layout, threads, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(model_name)
    x, y = torch.randn(128, 1, 28, 28), torch.randint(0, 10, (128,))
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(steps):
            step()
    return {e.key: e.self_cpu_time_total / steps / 1000 for e in p.key_averages()}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="resnet18:8")
    p.add_argument("--layout", choices=["nchw", "channels_last"], default="channels_last")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args()
    one = per_op_ms(args.model, args.layout, 1, args.steps)
    two = per_op_ms(args.model, args.layout, 2, args.steps)
    print(f"{args.model} {args.layout}, PyTorch {torch.__version__}, self CPU ms per step over {args.steps} steps")
    print(f"{'op':48s} {'1 thread':>9s} {'2 threads':>9s} {'ratio':>6s}")
    for op in sorted(one, key=lambda k: -one[k])[:args.top]:
        a, b = one[op], two.get(op, float("nan"))
        print(f"{op:48s} {a:9.2f} {b:9.2f} {a / b:6.2f}")
    print(f"{'all ops':48s} {sum(one.values()):9.2f} {sum(two.values()):9.2f}")


if __name__ == "__main__":
    main()
