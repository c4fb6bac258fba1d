import Foundation
import Torch

/// A made-up training run with a known phase structure: each tap follows a latent trajectory r(t) over
/// log-spaced checkpoints, and its similarity matrix is S[i][j] = exp(−|r(tᵢ) − r(tⱼ)| / scale) plus noise.
///
/// r(t) = early · (1 − e^(−t)) + drift · ln(1 + t) + Σ hₖ · σ((ln(1 + t) − ln(1 + bₖ)) / width): a movement over
/// the first epochs common to every tap (the jump away from initialization every network makes), a smooth
/// drift, and a step of height hₖ at each phase boundary bₖ (a sigmoid in log-epochs). Noise is Gaussian, added
/// to each off-diagonal similarity and clipped to [0, 1], drawn from `seed`.
struct SyntheticRun {
    /// One tap's trajectory.
    struct Tap {
        /// Epochs of its phase boundaries.
        var boundaries: [Double]
        /// The step at each boundary.
        var heights: [Double]
        /// Movement per unit of ln(1 + epoch).
        var drift = 0.0
    }

    /// 16 log-spaced checkpoints over 240 epochs.
    static let epochs16 = [0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 42, 60, 85, 120, 170, 240]
    /// 10 log-spaced checkpoints over 30 epochs, the quick sweep's schedule.
    static let epochs10 = [0, 1, 2, 3, 5, 7, 10, 14, 21, 30]

    var epochs: [Int]
    var taps: [Tap]
    /// Latent movement over the first epochs, the same for every tap (0: none).
    var early = 0.0
    /// Standard deviation of the noise on each similarity.
    var noise = 0.0
    var seed: UInt64 = 1
    /// Sigmoid width of a step, in ln(1 + epoch).
    var width = 0.1
    var scale = 1.0

    /// Every tap's latent trajectory over the checkpoints.
    func trajectories() -> [[Double]] {
        taps.map { tap in
            epochs.map { epoch in
                let x = log(1 + Double(epoch))
                var r = early * (1 - exp(-Double(epoch))) + tap.drift * x
                for (b, h) in zip(tap.boundaries, tap.heights) { r += h / (1 + exp(-(x - log(1 + b)) / width)) }
                return r
            }
        }
    }

    /// Every tap's T×T similarity matrix (symmetric, unit diagonal).
    func matrices() -> [[[Double]]] {
        var random = SplitMix64(seed: seed)
        return trajectories().map { r in
            let t = r.count
            var s = [[Double]](repeating: [Double](repeating: 1, count: t), count: t)
            for i in 0..<t {
                for j in 0..<i {
                    var v = exp(-abs(r[i] - r[j]) / scale)
                    if noise > 0 { v = min(1, max(0, v + noise * random.nextGaussian())) }
                    (s[i][j], s[j][i]) = (v, v)
                }
            }
            return s
        }
    }

    /// `count` taps sharing two phase boundaries, each a step of 1 (or `heights(k)` for tap k): between the
    /// checkpoints before and at index T/2 and T − 3 (epochs 14 | 21 and 85 | 120 of `epochs16`, 5 | 7 and 10 | 14
    /// of `epochs10`), at the midpoint in log-epochs, so that each is clearly between two checkpoints.
    static func shared(epochs: [Int] = epochs16, taps count: Int = 6, early: Double = 0, noise: Double = 0,
                       seed: UInt64 = 1, heights: (Int) -> Double = { _ in 1 }) -> SyntheticRun
    {
        let boundaries = [between(epochs, epochs.count / 2), between(epochs, epochs.count - 3)]
        let taps = (0..<count).map { k in Tap(boundaries: boundaries, heights: [heights(k), heights(k)]) }
        return SyntheticRun(epochs: epochs, taps: taps, early: early, noise: noise, seed: seed)
    }

    /// The epoch halfway in ln(1 + epoch) between checkpoints `index` − 1 and `index`.
    static func between(_ epochs: [Int], _ index: Int) -> Double {
        ((1 + Double(epochs[index - 1])) * (1 + Double(epochs[index]))).squareRoot() - 1
    }

    /// `count` taps with one boundary each, later with depth: tap k of n at epoch last^(0.3 + 0.55 k / (n − 1))
    /// (5 … 105 of 240; 2.8 … 18 of 30), a step of 1.
    static func depthShifted(epochs: [Int] = epochs16, taps count: Int = 6, early: Double = 0, noise: Double = 0,
                             seed: UInt64 = 1) -> SyntheticRun
    {
        let last = Double(epochs.last!)
        let taps = (0..<count).map { k in
            Tap(boundaries: [pow(last, 0.3 + 0.55 * Double(k) / Double(max(count - 1, 1)))], heights: [1])
        }
        return SyntheticRun(epochs: epochs, taps: taps, early: early, noise: noise, seed: seed)
    }

    /// `count` taps that drift smoothly, without phases, each as far in total as `shared`'s (2), the deeper
    /// ones a little faster (0.8 … 1.2 times).
    static func drift(epochs: [Int] = epochs16, taps count: Int = 6, early: Double = 0, noise: Double = 0,
                      seed: UInt64 = 1) -> SyntheticRun
    {
        let total = log(1 + Double(epochs.last!))
        let taps = (0..<count).map { k in
            Tap(boundaries: [], heights: [], drift: 2 / total * (0.8 + 0.4 * Double(k) / Double(max(count - 1, 1))))
        }
        return SyntheticRun(epochs: epochs, taps: taps, early: early, noise: noise, seed: seed)
    }
}
