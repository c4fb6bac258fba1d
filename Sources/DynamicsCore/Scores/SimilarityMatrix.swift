/// Checks on a T×T similarity matrix given as rows, shared by the derived scores and the trackers of `Dynamics`.
package enum SimilarityMatrix {
    /// The full symmetric T×T matrix from rows that each hold one checkpoint against 0…i.
    package static func symmetric(fromRows rows: [[Double]]) -> [[Double]] {
        let t = rows.count
        var m = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
        for i in 0..<t {
            for j in 0...i {
                m[i][j] = rows[i][j]
                m[j][i] = rows[i][j]
            }
        }
        return m
    }

    /// Throws unless `s` is square, finite and matches `epochs` (when given, strictly increasing).
    package static func check(_ s: [[Double]], epochs: [Int]? = nil) throws {
        guard s.allSatisfy({ $0.count == s.count }) else {
            throw DynamicsError(.invalidShape, "a similarity matrix is square, got \(s.count) rows of lengths "
                                    + "\(Set(s.map(\.count)).sorted())")
        }
        guard s.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw DynamicsError(.nonFiniteInput, "the similarity matrix contains NaN or infinity")
        }
        if let epochs {
            guard epochs.count == s.count else {
                throw DynamicsError(.mismatchedExamples, "\(s.count) checkpoints but \(epochs.count) epochs")
            }
            guard zip(epochs, epochs.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw DynamicsError(.invalidArgument, "checkpoint epochs must increase: \(epochs)")
            }
        }
    }
}
