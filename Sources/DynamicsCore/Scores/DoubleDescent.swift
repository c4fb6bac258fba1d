/// An epoch-wise double descent on a test-error curve: a rise of at least δ after a local minimum, followed
/// by a fall of at least δ.
public struct DoubleDescent: Sendable, Equatable {
    /// Epoch of the minimum before the peak.
    public var minimumEpoch: Int
    /// Epoch of the peak.
    public var peakEpoch: Int
    /// Epoch of the lowest error after the peak.
    public var recoveryEpoch: Int
    /// Error at the peak minus error at the minimum.
    public var height: Double
    /// Error at the peak minus the lowest error after it.
    public var fall: Double

    /// Creates a detected double descent.
    public init(minimumEpoch: Int, peakEpoch: Int, recoveryEpoch: Int, height: Double, fall: Double) {
        (self.minimumEpoch, self.peakEpoch, self.recoveryEpoch) = (minimumEpoch, peakEpoch, recoveryEpoch)
        (self.height, self.fall) = (height, fall)
    }

    /// The highest qualifying peak of `testError` (after a centred moving average over `smoothing` points),
    /// or nil when the curve has none.
    public static func detect(epochs: [Int], testError: [Double], threshold: Double = 0.02,
                              smoothing: Int = 1) throws -> DoubleDescent?
    {
        guard epochs.count == testError.count else {
            throw DynamicsError(.mismatchedExamples, "\(epochs.count) epochs but \(testError.count) errors")
        }
        guard testError.allSatisfy(\.isFinite) else { throw DynamicsError(.nonFiniteInput, "non-finite test error") }
        guard threshold > 0, smoothing >= 1 else {
            throw DynamicsError(.invalidArgument, "double descent needs threshold > 0 and smoothing ≥ 1")
        }
        let n = testError.count
        let half = (smoothing - 1) / 2
        let e = (0..<n).map { i -> Double in
            let window = testError[max(0, i - half)...min(n - 1, i + half)]
            return window.reduce(0, +) / Double(window.count)
        }
        guard n >= 3 else { return nil }
        // before[i]: where e is lowest in 0..<i; after[i]: where it is lowest in (i + 1)..<n.
        var before = [Int](repeating: 0, count: n), after = [Int](repeating: n - 1, count: n)
        for i in stride(from: 2, to: n, by: 1) { before[i] = e[i - 1] < e[before[i - 1]] ? i - 1 : before[i - 1] }
        for i in stride(from: n - 3, through: 0, by: -1) {
            after[i] = e[i + 1] <= e[after[i + 1]] ? i + 1 : after[i + 1]
        }
        var found: DoubleDescent?
        for p in 1..<(n - 1) {
            let rise = e[p] - e[before[p]], fall = e[p] - e[after[p]]
            guard rise >= threshold, fall >= threshold, rise > (found?.height ?? -.infinity) else { continue }
            found = DoubleDescent(minimumEpoch: epochs[before[p]], peakEpoch: epochs[p],
                                  recoveryEpoch: epochs[after[p]], height: rise, fall: fall)
        }
        return found
    }
}
