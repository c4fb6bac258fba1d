/// Row `index` of a T×T similarity matrix for every tap: the checkpoint at `epoch` against checkpoints
/// 0…index (whose epochs are `epochs`); the shape of the trainer's `similarity` and `regions` events.
public struct SimilarityRow: Sendable, Equatable {
    /// One tap's values, against checkpoints 0…index.
    public struct TapRow: Sendable, Equatable {
        /// The tap (measured layer), or `output` for the network's own decisions.
        public var tap: String
        /// Similarities against checkpoints 0…index; the last is the diagonal.
        public var values: [Double]

        /// Creates a tap's row.
        public init(tap: String, values: [Double]) { (self.tap, self.values) = (tap, values) }
    }

    /// `cka_linear`, `cka_rbf`, `cka_debiased` or `regions`.
    public var kind: String
    /// Index of the new checkpoint.
    public var index: Int
    /// Epoch of the new checkpoint.
    public var epoch: Int
    /// Epochs of checkpoints 0…index.
    public var epochs: [Int]
    /// One row per tap, in tap order.
    public var rows: [TapRow]

    /// Creates a row.
    public init(kind: String, index: Int, epoch: Int, epochs: [Int], rows: [TapRow]) {
        (self.kind, self.index, self.epoch, self.epochs, self.rows) = (kind, index, epoch, epochs, rows)
    }

    /// The values of `tap`, if it is in the row.
    public func values(of tap: String) -> [Double]? { rows.first { $0.tap == tap }?.values }
}
