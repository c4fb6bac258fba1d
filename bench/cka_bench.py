#!/usr/bin/env python3
"""The T×T linear-CKA matrix of one tap (T checkpoints, n examples, d features), from the activations, in
Strata (Swift, libtorch) and in NumPy, on the same activations and the same number of threads.

  (a) Kornblith et al.'s published approach applied to every pair (gram_linear, center_gram, cka per pair):
      timed on --pairs pairs and scaled to all T(T-1)/2 pairs (every pair costs the same two Grams);
  (b) optimized NumPy: each Gram computed, centred and normalized once, then one matrix product.

Strata runs twice: `incremental` (what the trainer does: one row per checkpoint against the stored Grams)
and `batch` (all at once). The activations (float32 .npy, written once under --workdir) are read by both sides
before timing; NumPy and Strata alternate for --rounds rounds and the best round of each is kept. Every value
must agree with Strata to 1e-6.

    swift build -c release --product strata-bench
    bench/cka_bench.py            # T = 50, n = 1000, d = 4096, 2 threads
"""
import argparse
import json
import os
import subprocess
import sys
import time


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=".build/release/strata-bench")
    p.add_argument("--workdir", default="bench/out/cka")
    p.add_argument("--checkpoints", type=int, default=50)
    p.add_argument("--examples", type=int, default=1000)
    p.add_argument("--features", type=int, default=4096)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pairs", type=int, default=12, help="pairs timed for Kornblith's per-pair approach")
    p.add_argument("--rounds", type=int, default=3)
    return p.parse_args()


args = parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)
import numpy as np  # noqa: E402  (after the thread settings)


# Kornblith et al. 2019, https://github.com/google-research/google-research/blob/master/representation_similarity
def gram_linear(x):
    return x.dot(x.T)


def center_gram(gram, unbiased=False):
    if not np.allclose(gram, gram.T):
        raise ValueError("Input must be a symmetric matrix.")
    gram = gram.copy()
    means = np.mean(gram, 0, dtype=np.float64)
    means -= np.mean(means) / 2
    gram -= means[:, None]
    gram -= means[None, :]
    return gram


def cka(gram_x, gram_y, debiased=False):
    gram_x = center_gram(gram_x, unbiased=debiased)
    gram_y = center_gram(gram_y, unbiased=debiased)
    scaled_hsic = gram_x.ravel().dot(gram_y.ravel())
    normalization_x = np.linalg.norm(gram_x)
    normalization_y = np.linalg.norm(gram_y)
    return scaled_hsic / (normalization_x * normalization_y)


def numpy_optimized(activations):
    vectors = []
    for a in activations:
        x = a.astype(np.float64)
        k = x @ x.T
        m = k.mean(0)
        k -= m[:, None]
        k -= m[None, :]
        k += m.mean()
        k /= np.linalg.norm(k)
        vectors.append(k.ravel())
    v = np.stack(vectors)
    return v @ v.T


def activations(workdir, t, n, d):
    """Post-ReLU features that drift from a shared low-rank start, float32, one file per checkpoint."""
    os.makedirs(workdir, exist_ok=True)
    stamp = os.path.join(workdir, "shape.json")
    shape = {"checkpoints": t, "examples": n, "features": d}
    if not (os.path.exists(stamp) and json.load(open(stamp)) == shape):
        rng = np.random.default_rng(0)
        base = (rng.standard_normal((n, 64)) @ rng.standard_normal((64, d))).astype(np.float32) / 8
        x = base
        for i in range(t):
            x = x + rng.standard_normal((n, d), dtype=np.float32) * np.float32(0.15)
            np.save(os.path.join(workdir, f"act_{i:03d}.npy"), np.maximum(x, 0).astype(np.float32))
        json.dump(shape, open(stamp, "w"))
    return [np.load(os.path.join(workdir, f"act_{i:03d}.npy")) for i in range(t)]


def strata(binary, workdir, t, threads, mode):
    out = os.path.join(workdir, f"strata_{mode}.npy")
    line = subprocess.run([binary, "cka", "--dir", workdir, "--checkpoints", str(t), "--threads", str(threads),
                           "--mode", mode, "--out", out], check=True, capture_output=True, text=True).stdout
    record = json.loads(line.splitlines()[-1])
    return record["seconds"], record["cpu_seconds"], np.load(out)


def main():
    t = args.checkpoints
    acts = activations(args.workdir, t, args.examples, args.features)
    best = {k: float("inf") for k in ("incremental", "batch", "numpy")}
    best_cpu = dict(best)
    matrices = {}
    for _ in range(args.rounds):
        for mode in ("incremental", "batch"):
            seconds, cpu, matrices[mode] = strata(args.binary, args.workdir, t, args.threads, mode)
            best[mode], best_cpu[mode] = min(best[mode], seconds), min(best_cpu[mode], cpu)
        start, start_cpu = time.perf_counter(), time.process_time()
        matrices["numpy"] = numpy_optimized(acts)
        best["numpy"] = min(best["numpy"], time.perf_counter() - start)
        best_cpu["numpy"] = min(best_cpu["numpy"], time.process_time() - start_cpu)

    # Kornblith per pair on float64 copies (converted outside the timing, to its advantage).
    doubles = [a.astype(np.float64) for a in acts]
    pairs = [(i, j) for i in range(t) for j in range(i + 1, t)]
    chosen = [pairs[k] for k in np.linspace(0, len(pairs) - 1, args.pairs).astype(int)]
    kornblith = {}
    start, start_cpu = time.perf_counter(), time.process_time()
    for i, j in chosen:
        kornblith[(i, j)] = cka(gram_linear(doubles[i]), gram_linear(doubles[j]))
    per_pair = (time.perf_counter() - start) / len(chosen)
    per_pair_cpu = (time.process_time() - start_cpu) / len(chosen)
    kornblith_total = per_pair * len(pairs)

    reference = matrices["incremental"]
    agreement = {
        "batch": float(np.abs(matrices["batch"] - reference).max()),
        "numpy": float(np.abs(matrices["numpy"] - reference).max()),
        "kornblith": max(abs(v - reference[i, j]) for (i, j), v in kornblith.items()),
    }
    result = {
        "checkpoints": t, "examples": args.examples, "features": args.features, "threads": args.threads,
        "strata_incremental_s": best["incremental"], "strata_batch_s": best["batch"],
        "numpy_optimized_s": best["numpy"], "kornblith_per_pair_s": per_pair,
        "kornblith_all_pairs_s": kornblith_total, "kornblith_pairs_timed": len(chosen), "pairs": len(pairs),
        "cpu_s": {"strata_incremental": best_cpu["incremental"], "strata_batch": best_cpu["batch"],
                  "numpy_optimized": best_cpu["numpy"], "kornblith_all_pairs": per_pair_cpu * len(pairs)},
        "cpu_speedup_vs_numpy_optimized": {"incremental": best_cpu["numpy"] / best_cpu["incremental"],
                                           "batch": best_cpu["numpy"] / best_cpu["batch"]},
        "speedup_vs_kornblith": kornblith_total / best["incremental"],
        "speedup_vs_numpy_optimized": best["numpy"] / best["incremental"],
        "batch_speedup_vs_numpy_optimized": best["numpy"] / best["batch"],
        "max_abs_difference": agreement,
        "cka_first_last": float(reference[0, -1]), "cka_range": [float(reference.min()), float(reference.max())],
    }
    print(json.dumps(result, indent=1))
    if max(agreement.values()) > 1e-6:
        print("FAIL: Strata and NumPy disagree by more than 1e-6", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
