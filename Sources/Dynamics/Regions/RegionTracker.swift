/// Decision-region similarity matrices, grown one checkpoint at a time: the fraction of grid points with the
/// same label at two checkpoints, averaged over planes, per tap (and for the network's `output`).
public final class RegionTracker {
    /// The label sources (tap names and `output`), in the order rows list them.
    public let taps: [String]
    /// Epochs of the checkpoints added so far.
    public private(set) var epochs: [Int] = []
    private var labels: [String: [[[UInt8]]]] = [:]
    private var history: [String: [[Double]]] = [:]

    /// Creates a tracker for distinct label sources.
    public init(taps: [String]) throws {
        guard !taps.isEmpty, Set(taps).count == taps.count else {
            throw DynamicsError(.invalidArgument, "a region tracker needs distinct tap names, got \(taps)")
        }
        self.taps = taps
    }

    /// Somepalli's agreement of two sets of label images: per plane the fraction of equal labels, averaged.
    public static func agreement(_ a: [[UInt8]], _ b: [[UInt8]]) throws -> Double {
        guard a.count == b.count, !a.isEmpty, zip(a, b).allSatisfy({ $0.count == $1.count && !$0.isEmpty }) else {
            throw DynamicsError(.invalidShape, "agreement compares the same planes at the same resolution")
        }
        let perPlane = zip(a, b).map { x, y in Double(zip(x, y).count { $0 == $1 }) / Double(x.count) }
        return perPlane.reduce(0, +) / Double(perPlane.count)
    }

    /// Adds a checkpoint's label images (per tap: one R² image per plane) and returns the `regions` row.
    public func append(epoch: Int, labels images: [String: [[UInt8]]]) throws -> SimilarityRow {
        if let last = epochs.last, epoch <= last {
            throw DynamicsError(.invalidArgument, "checkpoint epochs must increase: \(epoch) after \(last)")
        }
        var rows: [SimilarityRow.TapRow] = []
        for tap in taps {
            guard let current = images[tap] else {
                throw DynamicsError(.unknownName, "no label images for '\(tap)' (got \(images.keys.sorted()))")
            }
            let values = try (labels[tap] ?? []).map { try Self.agreement($0, current) } + [1]
            rows.append(.init(tap: tap, values: values))
        }
        for (tap, row) in zip(taps, rows) {
            labels[tap, default: []].append(images[tap]!)
            history[tap, default: []].append(row.values)
        }
        epochs.append(epoch)
        return SimilarityRow(kind: "regions", index: epochs.count - 1, epoch: epoch, epochs: epochs, rows: rows)
    }

    /// The label images of the checkpoint added `index`-th (0 = the first), per tap: what `append(epoch:labels:)`
    /// takes to rebuild the tracker, for example from a run's checkpoint on disk.
    public func labels(at index: Int) throws -> [String: [[UInt8]]] {
        guard epochs.indices.contains(index) else {
            throw DynamicsError(.invalidArgument, "no checkpoint \(index); the tracker holds \(epochs.count)")
        }
        return labels.mapValues { $0[index] }
    }

    /// The full T×T matrix (symmetric, unit diagonal) of a tap.
    public func matrix(tap: String) throws -> [[Double]] {
        guard let rows = history[tap] else { throw DynamicsError(.unknownName, "no region matrix for '\(tap)'") }
        return SimilarityMatrix.symmetric(fromRows: rows)
    }
}
