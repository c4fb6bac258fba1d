#!/usr/bin/env python3
"""Helpers of bench/gpu_check.sh (run on the GPU machine, with its own PyTorch).

    gpu_check.py cifar DIR N_TRAIN N_TEST   write CIFAR-10-shaped binary files (3x32x32, 10 classes with a
                                            template each plus noise) into DIR, in CIFAR-10's binary layout
    gpu_check.py pytorch K BATCH STEPS      images/s of the same pre-activation ResNet-18 (k = K) trained in
                                            PyTorch eager (SGD, momentum 0.9) on the GPU, 3x32x32 inputs
    gpu_check.py compare CPU.jsonl GPU.jsonl   agreement of two `strata train --json` runs of one spec
    gpu_check.py rates RUN.jsonl            training images/s of each epoch of a `strata train --json` run
"""
import json
import os
import sys
import time

import numpy as np


def cifar(directory, n_train, n_test):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)
    templates = rng.integers(0, 256, size=(10, 3 * 32 * 32)).astype(np.float64)

    def write(name, n, seed):
        r = np.random.default_rng(seed)
        labels = np.arange(n) % 10
        pixels = np.clip(templates[labels] + r.normal(0, 60, size=(n, 3 * 32 * 32)), 0, 255).astype(np.uint8)
        records = np.concatenate([labels[:, None].astype(np.uint8), pixels], axis=1)
        records.tofile(os.path.join(directory, name))

    per_file = n_train // 5
    for i in range(5):
        write(f"data_batch_{i + 1}.bin", per_file, 1 + i)
    write("test_batch.bin", n_test, 99)


def pytorch(k, batch, steps):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from models_step import PreActResNet18

    device = torch.device("cuda")
    torch.manual_seed(0)
    model = PreActResNet18(k, channels=3).to(device)
    x = torch.randn(batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for i in range(5 + steps):
        if i == 5:
            torch.cuda.synchronize()
            start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()  # Strata reads every batch's loss too
    torch.cuda.synchronize()
    rate = batch * steps / (time.perf_counter() - start)
    print(json.dumps({"pytorch": torch.__version__, "model": f"resnet18:{k}", "batch": batch,
                      "images_per_s": rate, "gpu": torch.cuda.get_device_name(0)}))


def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def compare(cpu_path, gpu_path):
    cpu, gpu = events(cpu_path), events(gpu_path)
    kinds = lambda evs, t: [e for e in evs if e.get("type") == t]
    worst = {}
    for a, b in zip(kinds(cpu, "epoch"), kinds(gpu, "epoch")):
        for key in ("train_acc", "test_acc", "train_loss", "test_loss"):
            if key in a and key in b:
                worst[key] = max(worst.get(key, 0), abs(a[key] - b[key]))
    cka = 0.0
    for a, b in zip(kinds(cpu, "similarity"), kinds(gpu, "similarity")):
        for ra, rb in zip(a["rows"], b["rows"]):
            cka = max(cka, max(abs(x - y) for x, y in zip(ra["values"], rb["values"])))
    worst["cka_rows"] = cka
    n_epochs = len(kinds(cpu, "epoch")), len(kinds(gpu, "epoch"))
    n_rows = len(kinds(cpu, "similarity")), len(kinds(gpu, "similarity"))
    print(json.dumps({"epochs (cpu, gpu)": n_epochs, "similarity events (cpu, gpu)": n_rows,
                      "largest |cpu - gpu|": worst}))


def rates(path):
    for e in events(path):
        if e.get("type") == "epoch":
            print(f"epoch {e['epoch']}: {e['images_per_s']:.0f} images/s (training), train acc {e['train_acc']:.3f}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "cifar":
        cifar(args[0], int(args[1]), int(args[2]))
    elif command == "pytorch":
        pytorch(int(args[0]), int(args[1]), int(args[2]))
    elif command == "rates":
        rates(args[0])
    elif command == "compare":
        compare(args[0], args[1])
    else:
        sys.exit(__doc__)
