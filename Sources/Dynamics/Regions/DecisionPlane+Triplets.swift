import Torch

extension DecisionPlane {
    /// `count` triplets of example indices, each of three different classes, drawn from `seed` (the same
    /// triplets for the same labels and seed, so that every checkpoint sees the same planes).
    public static func triplets(labels: [Int], count: Int, seed: UInt64) throws -> [[Int]] {
        var byClass: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        let classes = byClass.keys.sorted()
        guard classes.count >= 3 else {
            throw DynamicsError(.invalidArgument, "planes need examples of three classes, the labels have "
                                    + "\(classes.count)")
        }
        var rng = SplitMix64(seed: seed)
        return (0..<max(0, count)).map { _ in
            var chosen = classes
            chosen.shuffle(using: &rng)
            return chosen.prefix(3).map { byClass[$0]!.randomElement(using: &rng)! }
        }
    }
}
