import Foundation
import Testing

@testable import Dynamics

@Suite("Derived scores")
struct ScoreTests {
    /// A T×T matrix with `within` inside the given segments and `between` across them, plus a small
    /// deterministic ripple, unit diagonal.
    func blocks(_ sizes: [Int], within: Double = 0.9, between: Double = 0.3) -> [[Double]] {
        let segment = sizes.enumerated().flatMap { i, n in Array(repeating: i, count: n) }
        let t = segment.count
        var m = [[Double]](repeating: [Double](repeating: 1, count: t), count: t)
        for i in 0..<t {
            for j in 0..<i {
                let ripple = 0.02 * sin(Double(i * 13 + j * 7))
                let v = (segment[i] == segment[j] ? within : between) + ripple
                (m[i][j], m[j][i]) = (v, v)
            }
        }
        return m
    }

    @Test(arguments: [[5, 7], [4, 5, 3], [3, 3, 4, 5], [12]])
    func phasesFindKnownBoundaries(sizes: [Int]) throws {
        let s = blocks(sizes)
        let epochs = (0..<s.count).map { $0 * 10 }
        let phases = try Phases(similarity: s, epochs: epochs)
        let expected = sizes.dropLast().reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1) }
        #expect(phases.boundaries == expected)
        #expect(phases.boundaryEpochs == expected.map { $0 * 10 })
        #expect(phases.segments.count == sizes.count)
        if sizes.count > 1 {
            expectClose(phases.distinguishability, 0.6, 0.03)
        } else {
            #expect(phases.distinguishability == 0)
        }
    }

    @Test func skippingTheFirstCheckpointsFindsTheLaterPhase() throws {
        // Checkpoints 0–1 are unlike everything (the jump from initialization); 2–7 and 8–13 are two phases
        // that differ less from each other than from the start.
        var s = blocks([2, 6, 6], within: 0.95, between: 0.75)
        for i in 0..<14 { for j in 0..<14 where (i < 2) != (j < 2) { s[i][j] = 0.1 } }
        let epochs = Array(0..<14)
        let analysis = try PhaseAnalysis(similarity: s, epochs: epochs, skipFirst: 2,
                                         options: .init(maxSegments: 2))
        #expect(analysis.all.boundaries == [2])
        #expect(analysis.late.boundaries == [8])
        #expect(analysis.late.segments == [2..<8, 8..<14])
        #expect(analysis.late.distance(toEpoch: 10) == 2)
    }

    @Test func constantMatrixHasNoPhaseStructure() throws {
        let s = [[Double]](repeating: [Double](repeating: 0.7, count: 9), count: 9)
        let phases = try Phases(similarity: s, epochs: Array(0..<9), options: .init(penalty: 0))
        #expect(phases.distinguishability == 0)
        #expect(phases.segments == [0..<9] && phases.between == nil)
    }

    @Test func evolutionAndVelocity() throws {
        let s: [[Double]] = [[1, 0.9, 0.6], [0.9, 1, 0.8], [0.6, 0.8, 1]]
        let evolution = try Evolution(similarity: s)
        expectClose(evolution.firstToLast, 0.4, 1e-12)
        expectClose(evolution.meanDissimilarity, (0.1 + 0.4 + 0.2) / 3, 1e-12)
        let v = try Velocity.curve(similarity: s, epochs: [0, 2, 6])
        expectClose(v[0], 0.1 / 2, 1e-12)
        expectClose(v[1], 0.2 / 4, 1e-12)
        #expect(throws: DynamicsError.self) { try Velocity.curve(similarity: s, epochs: [0, 2]) }
        #expect(throws: DynamicsError.self) { try Evolution(similarity: [[1, .nan], [.nan, 1]]) }
    }

    @Test func synchrony() throws {
        let curve = [0.5, 0.2, 0.1, 0.05, 0.3]
        #expect(try Synchrony.velocityCorrelation([curve, curve, curve]) == 1)
        let opposite = curve.map { -$0 }
        expectClose(try #require(try Synchrony.velocityCorrelation([curve, opposite])), -1, 1e-12)
        #expect(try Synchrony.velocityCorrelation([curve, [1, 1, 1, 1, 1]]) == nil)
        // Lags 2–4 constant; lag 1 dips between checkpoints 1–2 in `a`, 2–3 in `b`: residuals (0.1, −0.3, 0.1, 0.1)
        // and (0.1, 0.1, −0.3, 0.1), r = −0.04 / 0.12; with `a` twice, (0.12 − 2 · 0.04) / (3 · 0.12).
        func dip(at k: Int) -> [[Double]] {
            (0..<5).map { i in (0..<5).map { j in i == j ? 1 : abs(i - j) > 1 ? 0.7 : min(i, j) == k ? 0.5 : 0.9 } }
        }
        let (a, b) = (dip(at: 1), dip(at: 2))
        expectClose(try #require(try Synchrony.phaseSynchrony([a, b], skipping: 0)), -1.0 / 3, 1e-12)
        expectClose(try #require(try Synchrony.phaseSynchrony([a, a, b], skipping: 0)), 1.0 / 9, 1e-12)
        #expect(Synchrony.boundarySpread([[10, 40], [10, 40], [10, 40]]) == 0)
        #expect(Synchrony.boundarySpread([[10], [14]]) == 4)
        #expect(Synchrony.boundarySpread([[10], []]) == nil)
    }

    @Test func doubleDescentOnASyntheticCurve() throws {
        let epochs = Array(1...60)
        // Falls to 0.30 at epoch 10, rises to 0.45 at epoch 25, falls to 0.25 by epoch 60.
        let error = epochs.map { e -> Double in
            if e <= 10 { return 0.9 - 0.06 * Double(e) }
            if e <= 25 { return 0.30 + 0.01 * Double(e - 10) }
            return 0.45 - 0.2 * Double(e - 25) / 35
        }
        let found = try #require(try DoubleDescent.detect(epochs: epochs, testError: error, threshold: 0.05))
        #expect(found.minimumEpoch == 10 && found.peakEpoch == 25 && found.recoveryEpoch == 60)
        expectClose(found.height, 0.15, 1e-9)
        expectClose(found.fall, 0.2, 1e-9)
        let monotone = epochs.map { 1 / Double($0) }
        #expect(try DoubleDescent.detect(epochs: epochs, testError: monotone) == nil)
        let riseOnly = epochs.map { e in e <= 10 ? 0.9 - 0.06 * Double(e) : 0.3 + 0.01 * Double(e - 10) }
        #expect(try DoubleDescent.detect(epochs: epochs, testError: riseOnly) == nil)
    }

    @Test func summaryScoresByName() throws {
        let s = blocks([3, 4, 5])
        let epochs = (0..<12).map { $0 * 2 }
        let scores = try DerivedScores.scores(kind: "cka_linear", matrices: [("a", s), ("b", s)], epochs: epochs,
                                              perfectFitEpoch: 14, skipFirst: 0)
        #expect(scores["cka_linear.synchrony"] == 1)
        expectClose(try #require(scores["cka_linear.phase_synchrony"]), 1, 1e-12)
        #expect(scores["cka_linear.boundary_spread"] == 0)
        #expect(scores["cka_linear.phases.a"] == 3)
        #expect(scores["cka_linear.perfect_fit_distance.b"] == 0)
        #expect(scores["cka_linear.evolution.a"] == 1 - s[0][11])
        #expect(scores["double_descent.height"] == nil)
    }
}
