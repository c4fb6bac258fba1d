#!/usr/bin/env python3
"""Training throughput of Strata's architectures against the same models and loop in current PyTorch.

resnet18 (pre-activation, k = 8), cnn5 (k = 16) and vit (dim 64, depth 6, patch 4) on 1x28x28 inputs,
batch 128, SGD with momentum, the same thread count on both sides. The reference is PyTorch from pip
(the version pinned in scripts/torch-version, in .deps/venv: `scripts/install-deps --bench`), in eager
mode as a user writes it (NCHW, nn.MultiheadAttention). In each round each model runs on both sides back
to back, in alternating order; printed are the best round of each side, and the median and range of the
per-round ratios (the figure to quote: it pairs runs made in the same seconds). Also times Strata's data pipeline
(shuffle, gather, augmentation) against a resnet18 k=8 epoch.

    make bench-models     # or: .deps/venv/bin/python bench/models_step.py --binary .build/release/strata-bench
"""
import argparse
import json
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class PreActBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inp)
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.shortcut = (nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False))
                         if stride != 1 or inp != planes else None)

    def forward(self, x):
        out = F.relu(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        return out + skip


class PreActResNet18(nn.Module):
    def __init__(self, k, channels=1, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, k, 3, 1, 1, bias=False)
        blocks, inp = [], k
        for stage, planes in enumerate([k, 2 * k, 4 * k, 8 * k]):
            for b in range(2):
                blocks.append(PreActBlock(inp, planes, 2 if stage > 0 and b == 0 else 1))
                inp = planes
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(8 * k, classes)

    def forward(self, x):
        out = self.blocks(self.conv1(x))
        return self.linear(F.adaptive_avg_pool2d(out, 1).flatten(1))


class CNN5(nn.Module):
    def __init__(self, k, channels=1, classes=10):
        super().__init__()
        widths, inp, layers = [k, 2 * k, 4 * k, 8 * k], channels, []
        for i, w in enumerate(widths):
            layers += [nn.Conv2d(inp, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU()]
            if i > 0:
                layers.append(nn.MaxPool2d(2))
            inp = w
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(8 * k, classes)

    def forward(self, x):
        return self.fc(self.features(x).amax((2, 3)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, dim, depth=6, patch=4, size=28, channels=1, classes=10):
        super().__init__()
        heads = max(1, dim // 64)
        self.patch_embed = nn.Conv2d(channels, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, (size // patch) ** 2 + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        p = self.patch_embed(x).flatten(2).transpose(1, 2)
        h = torch.cat([self.cls_token.expand(x.shape[0], 1, -1), p], 1) + self.pos_embed
        return self.head(self.norm(self.blocks(h))[:, 0])


def python_rate(model, batch, steps, warmup=2):
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for i in range(warmup + steps):
        if i == warmup:
            start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return batch * steps / (time.perf_counter() - start)


def build(name):
    arch, width = name.split(":")
    return {"resnet18": PreActResNet18, "cnn5": CNN5, "vit": ViT}[arch](int(width))


def run_swift(binary, args):
    out = subprocess.run([binary] + args, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=".build/release/strata-bench")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--models", default="resnet18:8,cnn5:16,vit:64")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    names = a.models.split(",")
    best, ratios = {}, {name: [] for name in names}
    for r in range(a.rounds):
        for name in names:
            # Each model's two sides back to back, in alternating order (ABBA), so drift in the machine's speed
            # touches both alike.
            def swift_side():
                return run_swift(a.binary, ["models", "--threads", str(a.threads), "--steps", str(a.steps),
                                            "--models", name])[0]["images_per_s"]

            def python_side():
                return python_rate(build(name), 128, a.steps)

            if r % 2 == 0:
                s, t = swift_side(), python_side()
            else:
                t, s = python_side(), swift_side()
            best["swift", name] = max(best.get(("swift", name), 0), s)
            best["python", name] = max(best.get(("python", name), 0), t)
            ratios[name].append(s / t)
    print(f"training images/s, 1x28x28, batch 128, {a.threads} threads, {a.rounds} interleaved rounds; "
          f"PyTorch {torch.__version__}")
    print(f"{'model':13} {'Strata best':>11} {'PyTorch best':>12} {'ratio of bests':>14}  "
          f"per-round ratio: median (min-max)")
    for name in names:
        s, t = best["swift", name], best["python", name]
        r = sorted(ratios[name])
        median = (r[(len(r) - 1) // 2] + r[len(r) // 2]) / 2
        print(f"{name:13} {s:11.0f} {t:12.0f} {s / t:14.2f}  {median:.2f} ({r[0]:.2f}-{r[-1]:.2f})")
    for r in run_swift(a.binary, ["pipeline", "--threads", str(a.threads)]):
        what = "with augmentation" if r["augment"] else "shuffle + batching"
        print(f"data pipeline ({what}): {100 * r['share']:.1f}% of a resnet18 k=8 epoch "
              f"({r['pipeline_s']:.3f} s vs {r['epoch_s']:.2f} s)")


if __name__ == "__main__":
    main()
