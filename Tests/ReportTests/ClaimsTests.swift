import Foundation
import Report
import Sweep
import Testing

/// Finished tasks of one architecture and optimizer, one per value, with `value` stored where `field` says.
func tasks(_ arch: String, _ optimizer: String, _ values: [Double], field: WritableKeyPath<ClaimTask, Double?>,
           fitted: Bool = true) -> [ClaimTask]
{
    values.enumerated().map { i, v in
        var t = ClaimTask(id: "\(arch)-\(optimizer)-\(i)", label: "\(arch) · \(optimizer) · seed \(i)", arch: arch,
                          optimizer: optimizer, reachedPerfectFit: fitted)
        t[keyPath: field] = v
        return t
    }
}

/// Claim 4 (phase synchrony, vit − resnet18) of these tasks.
func synchronyClaim(vit: [Double], resnet: [Double], extra: [ClaimTask] = []) -> ClaimResult {
    Claims.evaluate(tasks("vit", "sgd", vit, field: \.phaseSynchrony)
        + tasks("resnet18", "sgd", resnet, field: \.phaseSynchrony) + extra)[3]
}

@Suite("Claims")
struct ClaimsTests {
    @Test func aClearDifferenceIsSupportedWithAnIntervalAboveZero() throws {
        let r = synchronyClaim(vit: [0.80, 0.82, 0.79, 0.81], resnet: [0.30, 0.33, 0.28, 0.31])
        #expect(r.verdict == .supported)
        #expect(r.groups.map(\.name) == ["vit", "resnet18"] && r.groups.map(\.n) == [4, 4] && r.n == 8)
        let difference = try #require(r.difference)
        #expect(abs(difference - (0.805 - 0.305)) < 1e-12)
        let interval = try #require(r.interval)
        #expect(interval.lowerBound > 0.45 && interval.upperBound < 0.55 && interval.contains(difference))
        #expect(abs((r.groups[0].std ?? 0) - 0.012909944) < 1e-6, "sample standard deviation")
    }

    @Test func theOppositeDifferenceIsContradicted() {
        let r = synchronyClaim(vit: [0.30, 0.33, 0.28], resnet: [0.80, 0.82, 0.79])
        #expect(r.verdict == .contradicted)
        #expect((r.interval?.upperBound ?? 0) < 0)
        #expect(r.note.contains("below 0"))
    }

    @Test func anIntervalSpanningZeroIsInconclusive() {
        let r = synchronyClaim(vit: [0.2, 0.8, 0.5, 0.3], resnet: [0.6, 0.1, 0.4, 0.7])
        #expect(r.verdict == .inconclusive)
        let interval = r.interval!
        #expect(interval.lowerBound < 0 && interval.upperBound > 0)
        #expect(r.note.contains("spans 0"))
    }

    @Test func oneSeedInAGroupIsInconclusiveWhateverTheDifference() {
        let r = synchronyClaim(vit: [0.9], resnet: [0.1, 0.12, 0.11])
        #expect(r.verdict == .inconclusive)
        #expect(r.difference != nil && r.note.contains("only 1 task in 'vit'"))
    }

    @Test func aMissingGroupIsNotMeasuredAndSaysWhich() {
        let r = Claims.evaluate(tasks("vit", "sgd", [0.8, 0.9], field: \.phaseSynchrony))[3]
        #expect(r.verdict == .notMeasured)
        #expect(r.note.contains("no resnet18 task") && r.difference == nil && r.interval == nil)
        let optimizers = Claims.evaluate(tasks("vit", "sgd", [0.2, 0.3], field: \.distinguishability)
            + tasks("resnet18", "sgd", [0.1, 0.1], field: \.distinguishability))[2]
        #expect(optimizers.verdict == .notMeasured && optimizers.note.contains("no adam task"))
    }

    @Test func tasksThatNeverFittedAreNotMeasuredAndSaySo() {
        let never = tasks("vit", "sgd", [0.8, 0.9], field: \.phaseSynchrony, fitted: false)
            .map { t -> ClaimTask in
                var t = t
                (t.perfectFitDistance, t.controlDistance) = (0.0, 0.3)
                return t
            }
        let results = Claims.evaluate(never + tasks("resnet18", "sgd", [0.3, 0.2], field: \.phaseSynchrony))
        #expect(results[1].verdict == .notMeasured)
        let reason = "none of the 2 finished vit tasks reached perfect fitting"
        #expect(results[1].note.contains(reason), "\(results[1].note)")
        #expect(results[3].verdict == .notMeasured && results[3].note.contains(reason))
    }

    @Test func claimOneComparesTasksWithAndWithoutDoubleDescentAndNeedsOne() {
        func task(_ i: Int, dd: Bool, gap: Double) -> ClaimTask {
            ClaimTask(id: "t\(i)", arch: "resnet18", optimizer: "adam", reachedPerfectFit: false, doubleDescent: dd,
                      depthGap: gap)
        }
        let none = Claims.evaluate((0..<4).map { task($0, dd: false, gap: 0.1) })[0]
        #expect(none.verdict == .notMeasured && none.note.contains("no task shows an epoch-wise double descent"))
        let r = Claims.evaluate([task(0, dd: true, gap: 0.40), task(1, dd: true, gap: 0.45),
                                 task(2, dd: true, gap: 0.42), task(3, dd: false, gap: 0.10), task(4, dd: false, gap: 0.12),
                                 task(5, dd: false, gap: 0.08)])[0]
        #expect(r.verdict == .supported, "claim 1 does not need perfect fitting: \(r.note)")
        #expect(r.groups.map(\.name) == ["with double descent", "without"])
        #expect(abs(r.difference! - (0.42333333 - 0.1)) < 1e-6)
    }

    @Test func claimTwoIsPairedPerTaskAndNormalised() {
        var vit = tasks("vit", "sgd", [0.0, 0.05, 0.02], field: \.perfectFitDistance)
        for (i, control) in [0.30, 0.28, 0.35].enumerated() { vit[i].controlDistance = control }
        let r = Claims.evaluate(vit)[1]
        #expect(r.verdict == .supported)
        #expect(r.groups.map(\.name) == ["at control epoch", "at perfect fit"] && r.n == 3)
        #expect(abs(r.difference! - (0.93 - 0.07) / 3) < 1e-12)
        let one = Claims.evaluate(Array(vit.prefix(1)))[1]
        #expect(one.verdict == .inconclusive && one.note.contains("only 1 paired task"))
        // A pair that goes the other way widens the interval over 0.
        vit.append(tasks("vit", "adam", [0.6], field: \.perfectFitDistance)[0])
        vit[3].controlDistance = 0.0
        #expect(Claims.evaluate(vit)[1].verdict == .inconclusive)
    }

    @Test func claimThreeNeedsBothComparisonsAndReportsEach() throws {
        func sweep(sgdAdam: Double, vitResnet: Double) -> ClaimResult {
            var all: [ClaimTask] = []
            for (arch, a) in [("vit", vitResnet), ("resnet18", 0.0)] {
                for (optimizer, o) in [("sgd", sgdAdam), ("adam", 0.0)] {
                    all += tasks(arch, optimizer, [0.1, 0.11, 0.09].map { $0 + a + o }, field: \.distinguishability)
                }
            }
            return Claims.evaluate(all)[2]
        }
        let both = sweep(sgdAdam: 0.2, vitResnet: 0.2)
        #expect(both.verdict == .supported)
        #expect(both.groups.map(\.name) == ["sgd", "adam", "vit", "resnet18"] && both.n == 12)
        #expect(both.parts.map(\.name) == ["sgd − adam", "vit − resnet18"] && both.difference == nil)
        #expect(both.note.contains("sgd − adam +0.200 [") && both.note.contains("vit − resnet18 +0.200 ["))
        #expect(sweep(sgdAdam: 0.2, vitResnet: -0.2).verdict == .contradicted)
        #expect(sweep(sgdAdam: 0.0, vitResnet: 0.2).verdict == .inconclusive)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(both.jsonLine().utf8)) as? [String: Any])
        let parts = try #require(json["parts"] as? [[String: Any]])
        #expect(parts.count == 2 && (parts[0]["interval"] as? [Double])?.count == 2)
        #expect((json["groups"] as? [[String: Any]])?.count == 4 && json["difference"] is NSNull)
    }

    @Test func claimFourIsNotMeasuredUntilTheStoreHasPhaseSynchrony() {
        let old = tasks("vit", "sgd", [0.2, 0.3], field: \.distinguishability)
            + tasks("resnet18", "sgd", [0.2, 0.3], field: \.distinguishability)
        let r = Claims.evaluate(old)[3]
        #expect(r.verdict == .notMeasured && r.note.contains("predates the phase_synchrony score"))
    }

    @Test func onlyFinishedTasksCountAndTheOthersAreNamedAsLeftOut() {
        var failed = tasks("vit", "sgd", [0.99], field: \.phaseSynchrony)[0]
        (failed.id, failed.label, failed.state) = ("f", "vit · sgd · seed 9", "failed")
        var diverged = failed
        (diverged.id, diverged.state) = ("d", "diverged")
        let with = synchronyClaim(vit: [0.80, 0.82, 0.79], resnet: [0.30, 0.33, 0.28], extra: [failed, diverged])
        let without = synchronyClaim(vit: [0.80, 0.82, 0.79], resnet: [0.30, 0.33, 0.28])
        #expect(with.difference == without.difference && with.interval == without.interval && with.n == 6)
        #expect(with.note.contains("1 failed task (vit · sgd · seed 9)") && with.note.contains("1 diverged task"))
        #expect(!without.note.contains("left out"))
    }

    @Test func theBootstrapIsDeterministicAndMatchesTheNormalApproximationOnALargeSample() throws {
        let a = (0..<200).map { Double($0 % 20) / 10 }
        let b = (0..<200).map { Double(($0 * 7) % 20) / 20 }
        let first = try #require(Bootstrap().difference(a, b))
        #expect(first == Bootstrap().difference(a, b))
        #expect(first != Bootstrap(seed: 1).difference(a, b))
        func variance(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)
        }
        let se = (variance(a) / 200 + variance(b) / 200).squareRoot()
        let difference = a.reduce(0, +) / 200 - b.reduce(0, +) / 200
        #expect(abs((first.lowerBound + first.upperBound) / 2 - difference) < 0.1 * se)
        #expect(abs((first.upperBound - first.lowerBound) / (2 * 1.96 * se) - 1) < 0.06)
        #expect(Bootstrap().difference([1, 1], [0.5, 0.5]) == 0.5...0.5)
        #expect(Bootstrap().difference([], [1]) == nil)
    }

    @Test func taskValuesComeFromScoresAndTheCKAMatricesOfAReport() throws {
        // A ViT whose blocks change phase at epoch 8 (S = 1 within a phase, 0.2 across), fitted at epoch 8, 11 epochs.
        var spec = TaskSpec()
        (spec.arch, spec.optimizer, spec.epochs) = ("vit", "adam", 11)
        var t = TaskReport(id: "v", spec: spec, grid: [:], state: "done")
        t.taps = ["embed", "block1", "block2", "norm"]
        t.perfectFitEpoch = 8
        let phase = { (e: Int) in e < 3 ? 0 : (e < 8 ? 1 : 2) }
        let rows = (0...11).map { i in (0...i).map { j in phase(i) == phase(j) ? 1.0 : 0.2 } }
        for tap in t.taps {
            t.similarity["cka_linear", default: [:]][tap] = SimilarityMatrix(epochs: Array(0...11), rows: rows)
        }
        for (i, tap) in t.taps.enumerated() {
            t.scores["cka_linear.evolution_mean.\(tap)"] = [0.1, 0.2, 0.3, 0.6][i]
            t.scores["cka_linear.distinguishability_late.\(tap)"] = [0.1, 0.2, 0.3, 0.4][i]
        }
        t.scores["cka_linear.phase_synchrony"] = 0.7
        let task = ClaimTask(report: t)
        #expect(task.arch == "vit" && task.optimizer == "adam" && task.reachedPerfectFit && !task.doubleDescent)
        #expect(abs(task.depthGap! - 0.5) < 1e-12, "deepest third (1 tap of 4) minus shallowest third")
        #expect(abs(task.distinguishability! - 0.25) < 1e-12 && task.phaseSynchrony == 0.7)
        #expect(task.perfectFitDistance == 0, "the boundary lies at the perfect-fit epoch")
        #expect(abs(task.controlDistance! - 1.5 / 11) < 1e-12, "control epoch 9.5, boundary at 8, over 11 epochs")
        t.scores["double_descent.height"] = 0.05
        #expect(ClaimTask(report: t).doubleDescent)
    }

    @Test func outputsCarryEveryClaimTheBootstrapAndTheClaimsComeFirstInTheReport() throws {
        let results = Claims.evaluate(tasks("vit", "sgd", [0.80, 0.82, 0.79], field: \.phaseSynchrony)
            + tasks("resnet18", "sgd", [0.30, 0.33, 0.28], field: \.phaseSynchrony))
        #expect(results.map(\.claim.number) == [1, 2, 3, 4])
        for r in results {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.jsonLine().utf8)) as? [String: Any])
            for key in ["claim", "verdict", "groups", "difference", "interval", "n", "note"] {
                #expect(json[key] != nil, "claim \(r.claim.number) lacks \(key)")
            }
            #expect(ClaimVerdict(rawValue: json["verdict"] as? String ?? "") != nil)
        }
        let text = Claims.text(results, title: "sweep 'x'").joined(separator: "\n")
        #expect(text.contains("bootstrap") && text.contains("10,000 resamples"))
        #expect(text.contains("vit: 0.803 ± 0.015 (n = 3)") && text.contains("not measured"))
        for n in 1...4 { #expect(text.contains("\n\(n). "), "paragraph of claim \(n)") }

        let html = HTMLReport(model: model(finished: true)).render()
        let claims = try #require(html.range(of: "<section id=\"claims\">"))
        #expect(html.range(of: "<section")?.lowerBound == claims.lowerBound, "the claims are the first section")
        #expect(html.components(separatedBy: "<tr data-claim=").count - 1 == 4)
        #expect(html.components(separatedBy: "class=\"verdict ").count - 1 == 4)
        #expect(html.contains("bootstrap"))
    }
}
