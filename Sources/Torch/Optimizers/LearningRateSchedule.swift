import Foundation

/// How the learning rate changes over epochs, with an optional linear warm-up.
public struct LearningRateSchedule: Sendable, Equatable {
    /// The shape of the schedule after warm-up.
    public enum Shape: Sendable, Equatable {
        /// lr₀ throughout.
        case constant
        /// lr₀ / √(1 + ⌊epoch / period⌋) — Nakkiran et al.'s SGD schedule (period 512).
        case inverseSquareRoot(period: Int = 512)
        /// Cosine decay from lr₀ to `minimum` over the run.
        case cosine(minimum: Double = 0)
        /// Multiplied by `gamma` every `every` epochs.
        case step(every: Int, gamma: Double)
    }

    public var shape: Shape
    /// Epochs of linear warm-up from lr₀/warmup to lr₀ (0 for none).
    public var warmupEpochs: Int

    public init(_ shape: Shape = .constant, warmupEpochs: Int = 0) {
        self.shape = shape
        self.warmupEpochs = warmupEpochs
    }

    /// The learning rate of `epoch` (0-based) in a run of `totalEpochs` from `base`.
    public func rate(base: Double, epoch: Int, totalEpochs: Int) -> Double {
        var lr: Double
        switch shape {
        case .constant:
            lr = base
        case .inverseSquareRoot(let period):
            lr = base / (1 + Double(epoch / Swift.max(period, 1))).squareRoot()
        case .cosine(let minimum):
            let span = Double(Swift.max(totalEpochs - warmupEpochs, 1))
            let t = Double(Swift.max(epoch - warmupEpochs, 0)) / span
            lr = minimum + (base - minimum) * 0.5 * (1 + Foundation.cos(Double.pi * Swift.min(t, 1)))
        case .step(let every, let gamma):
            lr = base * Foundation.pow(gamma, Double(epoch / Swift.max(every, 1)))
        }
        if warmupEpochs > 0 && epoch < warmupEpochs {
            lr *= Double(epoch + 1) / Double(warmupEpochs)
        }
        return lr
    }
}
