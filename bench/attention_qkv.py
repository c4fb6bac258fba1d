#!/usr/bin/env python3
"""How Strata's ViT takes q, k and v from the attention's input projection, timed in current PyTorch.

"narrow": the projection permuted to (3, b, heads, t, head_dim) and narrowed three times (each gradient comes back
zero-padded to the whole projection, the three are summed, then permuted back); "unbind": the projection reshaped to
(b, t, 3, heads, head_dim) and unbound along the 3 (the gradients are stacked straight into the projection's
layout). Forward and backward of projection + scaled-dot-product attention at the ViT's size (batch 128, 50
tokens, dim 64, one head), rounds alternating in order; prints medians and the per-round ratio, and checks that both
give the same output and gradients bit for bit.

    .deps/venv/bin/python bench/attention_qkv.py [--rounds 12] [--threads 1]
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=12)
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()
torch.set_num_threads(args.threads)
batch, tokens, dim, heads = 128, 50, 64, 1
torch.manual_seed(0)
x = torch.randn(batch, tokens, dim, requires_grad=True)
weight = torch.randn(3 * dim, dim, requires_grad=True)
bias = torch.zeros(3 * dim, requires_grad=True)


def narrow():
    qkv = F.linear(x, weight, bias).reshape(batch, tokens, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
    q, k, v = (qkv.narrow(0, i, 1).squeeze(0) for i in range(3))
    return F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, tokens, dim)


def unbind():
    parts = F.linear(x, weight, bias).reshape(batch, tokens, 3, heads, dim // heads).unbind(2)
    q, k, v = (p.transpose(1, 2) for p in parts)
    return F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(batch, tokens, dim)


times = {"narrow": [], "unbind": []}
results = {}
for r in range(args.rounds):
    for f in (narrow, unbind) if r % 2 else (unbind, narrow):
        start = time.perf_counter()
        for _ in range(args.steps):
            x.grad = weight.grad = bias.grad = None
            out = f()
            out.pow(2).sum().backward()
        times[f.__name__].append((time.perf_counter() - start) / args.steps * 1000)
        results[f.__name__] = (out.detach().clone(), x.grad.clone(), weight.grad.clone(), bias.grad.clone())
ratios = [a / b for a, b in zip(times["narrow"], times["unbind"])]
print(f"PyTorch {torch.__version__}, {args.threads} thread(s), {args.rounds} rounds of {args.steps} steps")
print(f"narrow: median {statistics.median(times['narrow']):.2f} ms per step; "
      f"unbind: median {statistics.median(times['unbind']):.2f} ms per step")
print(f"per-round narrow/unbind: median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
worst = max((a - b).abs().max().item() for a, b in zip(results["narrow"], results["unbind"]))
print(f"largest difference in output and gradients: {worst}")
