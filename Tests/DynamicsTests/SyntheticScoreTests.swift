import Foundation
import Testing
import Torch

@testable import Dynamics

/// Each derived score against synthetic runs whose phase structure is known (`SyntheticRun`): does it separate the
/// cases it is meant to separate, and is it fooled by what it should ignore (the common early movement, noise)?
@Suite("Derived scores on synthetic runs")
struct SyntheticScoreTests {
    /// A schedule, a common early movement and a noise level to generate runs under.
    struct Condition: CustomStringConvertible, Sendable {
        var epochs: [Int]
        var early: Double
        var noise: Double

        var description: String { "T=\(epochs.count) early=\(early) noise=\(noise)" }
    }

    /// Both schedules, with and without the common early movement, noise-free and noisy.
    static let conditions: [Condition] = [SyntheticRun.epochs16, SyntheticRun.epochs10].flatMap { epochs in
        [0.0, 2.0].flatMap { early in [0.0, 0.03, 0.06].map { Condition(epochs: epochs, early: early, noise: $0) } }
    }

    static let seeds: [UInt64] = Array(1...10)

    // MARK: Synchrony

    /// Where a synchrony score fails to rate shared boundaries ≥ 0.5 and depth-shifted ones ≤ 0.3, 0.4 lower,
    /// under every condition and seed; empty when it separates them everywhere.
    func synchronyFailures(_ score: ([[[Double]]], [Int]) throws -> Double?) throws -> [String] {
        var failures: [String] = []
        for c in Self.conditions {
            for seed in Self.seeds {
                let shared = SyntheticRun.shared(epochs: c.epochs, early: c.early, noise: c.noise, seed: seed)
                let shifted = SyntheticRun.depthShifted(epochs: c.epochs, early: c.early, noise: c.noise, seed: seed)
                let high = try score(shared.matrices(), c.epochs) ?? .nan
                let low = try score(shifted.matrices(), c.epochs) ?? .nan
                if !(high >= 0.5 && low <= 0.3 && high - low >= 0.4) {
                    failures.append("\(c) seed=\(seed): shared \(high), depth-shifted \(low)")
                }
            }
        }
        return failures
    }

    /// The old score: velocity curves over every checkpoint, correlated.
    func velocityCorrelation(_ matrices: [[[Double]]], _ epochs: [Int]) throws -> Double? {
        try Synchrony.velocityCorrelation(matrices.map { try Velocity.curve(similarity: $0, epochs: epochs) })
    }

    @Test func phaseSynchronySeparatesSharedFromDepthShiftedBoundaries() throws {
        let failures = try synchronyFailures { m, _ in try Synchrony.phaseSynchrony(m) }
        #expect(failures.isEmpty, "\(failures)")
        // Noise-free, the shared run is perfectly synchronized whatever the early movement and however far each
        // tap moves.
        for early in [0.0, 2.0] {
            let s = try #require(try Synchrony.phaseSynchrony(SyntheticRun.shared(early: early).matrices()))
            expectClose(s, 1, 1e-9)
            let unequal = SyntheticRun.shared(early: early, heights: { 0.2 * Double($0 + 1) })
            #expect(try #require(try Synchrony.phaseSynchrony(unequal.matrices())) > 0.97)
            let d = try #require(try Synchrony.phaseSynchrony(SyntheticRun.depthShifted(early: early).matrices()))
            #expect(d < 0)
        }
    }

    @Test func velocityCorrelationMistakesACommonEarlyDecayForSharedPhases() throws {
        // The old score fails under every condition with the early movement: depth-shifted taps correlate through
        // their common first epochs and look as synchronized as shared ones. (Without it, it fails only at the
        // highest noise, where the small late velocities are mostly noise.)
        let failures = try synchronyFailures(velocityCorrelation)
        for c in Self.conditions where c.early > 0 {
            #expect(failures.contains { $0.hasPrefix("\(c) ") }, "\(c)")
            let fooled = SyntheticRun.depthShifted(epochs: c.epochs, early: c.early, noise: c.noise)
            #expect(try #require(try velocityCorrelation(fooled.matrices(), c.epochs)) > 0.85, "\(c)")
            #expect(try #require(try Synchrony.phaseSynchrony(fooled.matrices())) < 0.2, "\(c)")
        }
        #expect(failures.allSatisfy { $0.contains("early=2.0") || $0.contains("noise=0.06") }, "\(failures)")
    }

    @Test func phaseSynchronyIsNotDilutedByATapThatBarelyMoves() throws {
        // A ResNet stem: CKA ≈ 0.99 throughout, a little noise, no timing of its own.
        for c in Self.conditions {
            let taps = SyntheticRun.shared(epochs: c.epochs, early: c.early, noise: c.noise).matrices()
            let stem = SyntheticRun(epochs: c.epochs, taps: [.init(boundaries: [], heights: [], drift: 0.002)],
                                    noise: 0.0005, seed: 9).matrices()
            let without = try #require(try Synchrony.phaseSynchrony(taps))
            let with = try #require(try Synchrony.phaseSynchrony(taps + stem))
            expectClose(with, without, 0.01, "\(c)")
        }
    }

    @Test func phaseSynchronyNeedsFiveCheckpointsAndTwoTapsThatMove() throws {
        let run = SyntheticRun.shared(epochs: [0, 1, 2, 4, 8, 16], noise: 0.02)
        let six = run.matrices()
        #expect(try Synchrony.phaseSynchrony(six, skipping: 3) != nil)  // skips 1, keeping 5 checkpoints
        let five = six.map { s in s.dropFirst().map { Array($0.dropFirst()) } }
        #expect(try Synchrony.phaseSynchrony(five) != nil)
        let four = five.map { s in s.dropFirst().map { Array($0.dropFirst()) } }
        #expect(try Synchrony.phaseSynchrony(four) == nil)
        #expect(try Synchrony.phaseSynchrony([six[0]]) == nil)
        let constant = [[Double]](repeating: [Double](repeating: 0.8, count: 6), count: 6)
        #expect(try Synchrony.phaseSynchrony([six[0], constant]) == nil)
        // A matrix that depends on the lag alone (a steady drift on the checkpoint axis) has no timing either.
        let steady = (0..<6).map { i in (0..<6).map { j in exp(-0.3 * Double(abs(i - j))) } }
        #expect(try Synchrony.phaseSynchrony([steady, steady, six[0]]) == nil)
        #expect(throws: DynamicsError.self) { try Synchrony.phaseSynchrony([six[0], four[0]]) }
        #expect(throws: DynamicsError.self) { try Synchrony.phaseSynchrony([[[1, .nan], [.nan, 1]]]) }
    }

    // MARK: Phases and distinguishability

    @Test(arguments: SyntheticScoreTests.conditions.filter { $0.noise <= 0.03 })
    func latePhasesFindSharedBoundaries(condition c: Condition) throws {
        let expected = [c.epochs[c.epochs.count / 2], c.epochs[c.epochs.count - 3]]
        for seed in Self.seeds {
            let run = SyntheticRun.shared(epochs: c.epochs, early: c.early, noise: c.noise, seed: seed)
            for s in run.matrices() {
                let phases = try PhaseAnalysis(similarity: s, epochs: c.epochs)
                #expect(phases.late.boundaryEpochs == expected, "\(c) seed=\(seed)")
            }
        }
    }

    @Test(arguments: SyntheticScoreTests.conditions)
    func distinguishabilityRanksPhasesAboveSmoothDriftAndNoise(condition c: Condition) throws {
        func meanLate(_ run: SyntheticRun) throws -> Double {
            let d = try run.matrices().map {
                try PhaseAnalysis(similarity: $0, epochs: c.epochs).late.distinguishability
            }
            return d.reduce(0, +) / Double(d.count)
        }
        for seed in Self.seeds {
            // Same total movement (2), as two steps or as a smooth drift.
            let phases = try meanLate(.shared(epochs: c.epochs, early: c.early, noise: c.noise, seed: seed))
            let drift = try meanLate(.drift(epochs: c.epochs, early: c.early, noise: c.noise, seed: seed))
            #expect(phases >= 0.45 && phases - drift >= 0.2, "\(c) seed=\(seed): phases \(phases), drift \(drift)")
            // Taps that do not move at all, noise only.
            let still = SyntheticRun(epochs: c.epochs, taps: Array(repeating: .init(boundaries: [], heights: []),
                                                                  count: 6), early: c.early, noise: c.noise,
                                     seed: seed)
            #expect(try meanLate(still) <= 0.05, "\(c) seed=\(seed)")
        }
    }

    @Test func earlyDecayCapturesTheFirstBoundaryButNotTheLateOnes() throws {
        for epochs in [SyntheticRun.epochs16, SyntheticRun.epochs10] {
            let early = try SyntheticRun.depthShifted(epochs: epochs, early: 2, noise: 0.03).matrices().map {
                try PhaseAnalysis(similarity: $0, epochs: epochs)
            }
            // Over all checkpoints, the jump away from initialization is every tap's first boundary.
            #expect(early.allSatisfy { ($0.all.boundaryEpochs.first ?? .max) <= 3 }, "\(early.map(\.all))")
            // After skipping it, the late phases are those of the run without it, and follow depth.
            let plain = try SyntheticRun.depthShifted(epochs: epochs, noise: 0.03).matrices().map {
                try PhaseAnalysis(similarity: $0, epochs: epochs)
            }
            for (a, b) in zip(plain, early) {
                #expect(a.late.boundaryEpochs == b.late.boundaryEpochs)
                expectClose(a.late.distinguishability, b.late.distinguishability, 0.05)
            }
            let firstLate = early.map { $0.late.boundaryEpochs.first ?? 0 }
            if epochs == SyntheticRun.epochs16 {
                #expect(zip(firstLate, firstLate.dropFirst()).allSatisfy { $0 < $1 }, "\(firstLate)")
            } else {
                // 7 late checkpoints cannot tell 6 boundaries apart, and the first (epoch 2.8) is among those skipped.
                #expect(zip(firstLate, firstLate.dropFirst()).allSatisfy { $0 <= $1 }, "\(firstLate)")
                #expect(firstLate == [0, 7, 7, 10, 14, 21])
            }
        }
    }

    // MARK: Evolution, perfect fit, double descent

    @Test(arguments: SyntheticScoreTests.conditions)
    func deeperTapsThatMoveMoreEvolveMore(condition c: Condition) throws {
        // Shared boundaries, steps 0.2, 0.4, … 1.2 with depth.
        let run = SyntheticRun.shared(epochs: c.epochs, early: c.early, noise: c.noise,
                                      heights: { 0.2 * Double($0 + 1) })
        let evolution = try run.matrices().map { try Evolution(similarity: $0) }
        let mean = evolution.map(\.meanDissimilarity)
        #expect(zip(mean, mean.dropFirst()).allSatisfy { $0 < $1 }, "\(c): \(mean)")
        if c.early == 0 {
            let firstToLast = evolution.map(\.firstToLast)
            #expect(zip(firstToLast, firstToLast.dropFirst()).allSatisfy { $0 < $1 }, "\(c): \(firstToLast)")
        }
    }

    @Test(arguments: SyntheticScoreTests.conditions)
    func perfectFitDistanceIsSmallOnlyWhenABoundarySitsThere(condition c: Condition) throws {
        // The perfect fit at epoch 85 of `epochs16` (21 of `epochs10`); every tap one step of 1.5, either just
        // before it or five (three) checkpoints earlier, between epochs 10 and 14 (5 and 7).
        let (index, earlier) = c.epochs == SyntheticRun.epochs16 ? (12, 7) : (8, 5)
        let perfectFit = c.epochs[index]
        func distances(stepBefore i: Int) throws -> [Double] {
            let tap = SyntheticRun.Tap(boundaries: [SyntheticRun.between(c.epochs, i)], heights: [1.5])
            return try Self.seeds.flatMap { seed in
                let run = SyntheticRun(epochs: c.epochs, taps: Array(repeating: tap, count: 4), early: c.early,
                                       noise: c.noise, seed: seed)
                let scores = try DerivedScores.scores(kind: "cka_linear",
                                                      matrices: run.matrices().enumerated().map { ("t\($0)", $1) },
                                                      epochs: c.epochs, perfectFitEpoch: perfectFit)
                return try (0..<4).map { try #require(scores["cka_linear.perfect_fit_distance.t\($0)"]) }
            }
        }
        let oneCheckpoint = Double(max(perfectFit - c.epochs[index - 1], c.epochs[index + 1] - perfectFit))
        let at = try distances(stepBefore: index)
        #expect(at.allSatisfy { $0 <= oneCheckpoint }, "\(c): \(at)")
        // Noise sometimes splits the long plateau after the earlier step, putting a spurious boundary nearer the
        // perfect fit (on `epochs10`, at noise 0.06, even on it): the mean over taps and seeds stays far.
        let elsewhere = try distances(stepBefore: earlier)
        let mean = elsewhere.reduce(0, +) / Double(elsewhere.count)
        #expect(mean >= 0.8 * Double(perfectFit - c.epochs[earlier]), "\(c): \(elsewhere)")
    }

    @Test func doubleDescentFindsThePeakOfANoisyEpochwiseCurve() throws {
        // Per-epoch test error over 240 epochs: a fast fall, then a bump peaking at epoch 60 (0.12 high, about 65
        // epochs wide at half height), then recovery; noise of standard deviation 0.01 (a test set of ~2,000
        // images). The trainer's threshold (0.05) and smoothing (a sixth of the run).
        let epochs = Array(0...240)
        let smoothing = (epochs.count / 6) | 1
        let bump = epochs.map { e in 0.12 * exp(-pow(log(1 + Double(e)) - log(61), 2) / (2 * 0.35 * 0.35)) }
        let base = epochs.map { e in 0.15 + 0.75 * exp(-Double(e) / 5) }
        let clean = zip(base, bump).map { $0 + $1 }
        let trueRise = try #require(try DoubleDescent.detect(epochs: epochs, testError: clean, threshold: 0.05)).height
        for seed: UInt64 in 1...5 {
            var random = SplitMix64(seed: seed)
            let noise = epochs.map { _ in 0.01 * random.nextGaussian() }
            let curve = zip(clean, noise).map { $0 + $1 }
            let found = try #require(try DoubleDescent.detect(epochs: epochs, testError: curve, threshold: 0.05,
                                                              smoothing: smoothing), "seed \(seed)")
            #expect(abs(found.peakEpoch - 60) <= 8, "\(found)")
            // The smoothing window is two thirds of the bump's width: it halves the measured height.
            #expect(found.height >= 0.05 && found.height <= 0.7 * trueRise, "\(found), true rise \(trueRise)")
            let monotone = zip(base, noise).map { $0 + $1 }
            #expect(try DoubleDescent.detect(epochs: epochs, testError: monotone, threshold: 0.05,
                                             smoothing: smoothing) == nil)
            // Unsmoothed, the noise of the flat tail alone rises and falls by more than 0.02.
            #expect(try DoubleDescent.detect(epochs: epochs, testError: monotone, threshold: 0.02) != nil)
        }
    }

    // MARK: Names

    @Test func everyKindGetsPhaseSynchronyWhenTheRunHasFiveCheckpoints() throws {
        let epochs = SyntheticRun.epochs10
        let taps = SyntheticRun.shared(epochs: epochs, noise: 0.03).matrices().enumerated().map { ("t\($0)", $1) }
        for kind in ["cka_linear", "cka_rbf", "regions"] {
            let scores = try DerivedScores.scores(kind: kind, matrices: taps, epochs: epochs)
            let s = try #require(scores["\(kind).phase_synchrony"])
            #expect(s > 0.8)
            #expect(scores["\(kind).synchrony"] != nil)
        }
        let short = taps.map { ($0.0, $0.1.prefix(4).map { Array($0.prefix(4)) }) }
        let scores = try DerivedScores.scores(kind: "regions", matrices: short, epochs: Array(epochs.prefix(4)))
        #expect(scores["regions.phase_synchrony"] == nil)
        #expect(scores["regions.synchrony"] != nil)
    }
}
