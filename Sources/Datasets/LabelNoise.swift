import Torch

/// Nakkiran et al.'s label noise: a fraction p of the training examples gets a uniformly random
/// *other* label, drawn once from the seed. The set of noisy indices is kept.
public struct LabelNoise: Sendable, Equatable {
    /// The labels the network trains on.
    public var labels: [Int]
    /// Indices whose label was changed, ascending.
    public var noisyIndices: [Int]

    /// Corrupts exactly round(p·N) labels of `clean`.
    public init(clean: [Int], fraction: Double, classes: Int, seed: Int) {
        precondition((0...1).contains(fraction), "label noise fraction must be in [0, 1]")
        var rng = SplitMix64.stream(seed: seed, purpose: 0x4E01_5E)
        let count = Int((fraction * Double(clean.count)).rounded())
        var order = Array(clean.indices)
        order.shuffle(using: &rng)
        let chosen = order.prefix(count).sorted()
        var labels = clean
        for i in chosen {
            // Uniform over the classes other than the true one.
            let offset = Int.random(in: 1..<max(classes, 2), using: &rng)
            labels[i] = (clean[i] + offset) % classes
        }
        self.labels = labels
        self.noisyIndices = chosen
    }
}
