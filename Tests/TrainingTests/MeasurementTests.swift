import Dynamics
import Foundation
import Models
import Sweep
import Testing
import Torch

@testable import Training

/// A small measured run on synthetic data.
func measuredSpec(_ extra: [String: String] = [:]) throws -> TaskSpec {
    var settings = ["dataset": "synthetic", "arch": "cnn5", "width": "4", "train_size": "200", "test_size": "100",
                    "epochs": "4", "batch_size": "50", "augment": "on", "measure.examples": "60",
                    "measure.probe_train": "80", "measure.probe_test": "60", "measure.planes": "2",
                    "measure.resolution": "8", "measure.pictures": "1", "measure.every": "2"]
    settings.merge(extra) { $1 }
    var s = try spec(settings)
    s.measure.enabled = true
    return s
}

@Suite("Measurement", .serialized)
struct MeasurementTests {
    @Test func measuringDoesNotPerturbTraining() throws {
        let measured = try measuredSpec(["measure.kernels": "linear,debiased"])
        var unmeasured = measured
        unmeasured.measure.enabled = false
        func strip(_ m: [TrainingEvent.EpochMetrics]) -> [[Double]] {
            m.map { [$0.trainLoss, $0.trainAccuracy, $0.cleanAccuracy, $0.memorization, $0.testLoss, $0.testAccuracy] }
        }
        let withMeasurement = try events(measured)
        #expect(withMeasurement.contains { $0.type == "similarity" })
        #expect(strip(epochs(withMeasurement)) == strip(epochs(try events(unmeasured))))
    }

    @Test func checkpointsStreamRowsThatBuildTheFinalMatrices() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("strata-grams-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainer = Trainer(spec: try measuredSpec())
        trainer.saveGramsDirectory = dir
        var result: [TrainingEvent] = []
        try trainer.run { result.append($0) }
        let similarity = result.compactMap { if case .similarity(let r) = $0 { r } else { nil } }
        let regions = result.compactMap { if case .regions(let r) = $0 { r } else { nil } }
        let probes = result.compactMap { if case .probes(let p) = $0 { p } else { nil } }
        #expect(similarity.map(\.epoch) == [0, 2, 4])
        #expect(regions.map(\.epoch) == [0, 2, 4] && probes.map(\.epoch) == [0, 2, 4])
        #expect(similarity.allSatisfy { $0.rows.count == 5 && $0.rows.allSatisfy { $0.values.count == $0.values.count } })
        // The rows, stacked, are the lower triangle of the saved matrix; the matrix is symmetric with a unit diagonal.
        for tap in ["block1", "features"] {
            let saved = try NumPyArray(contentsOf: dir.appendingPathComponent("cka_linear/\(tap).npy"))
            #expect(saved.shape == [3, 3])
            let m = try saved.doubles()
            for (i, row) in similarity.enumerated() {
                let values = try #require(row.rows.first { $0.tap == tap }).values
                #expect(values.count == i + 1)
                for j in 0...i {
                    #expect(abs(values[j] - m[i * 3 + j]) < 1e-12)
                    #expect(m[i * 3 + j] == m[j * 3 + i])
                }
                #expect(abs(m[i * 3 + i] - 1) < 1e-12)
            }
        }
        // Label images of the picture plane, for the output and each tap's probe, with anchors.
        let images = try #require(regions.last).images
        #expect(Set(images.map(\.tap)) == Set(["output", "block1", "block2", "block3", "block4", "features"]))
        #expect(images.allSatisfy { $0.labels.count == 64 && $0.anchors.count == 3 })
        // Grams per tap and checkpoint, n × n float32.
        let gram = try NumPyArray(contentsOf: dir.appendingPathComponent("grams/block1/gram_0_epoch_0.npy"))
        #expect(gram.elementType == .float32 && gram.shape == [60, 60])
        // The summary carries the derived scores.
        guard case .done(let summary) = result.last else { Issue.record("no done event"); return }
        #expect(summary.scores["cka_linear.evolution.features"] != nil)
        #expect(summary.scores["regions.evolution.output"] != nil)
        #expect(summary.scores["cka_linear.synchrony"] != nil)
    }

    @Test func theEvaluationPassGathersTheActivationsOfTheFixedInputs() throws {
        let s = try measuredSpec()
        let data = try PreparedData(spec: s, device: .cpu)
        let network = try ModelFactory.make(.init(arch: "cnn5", width: 4), channels: 1, height: 16, width: 16,
                                            classes: data.train.classes, generator: Generator(seed: 5))
        network.setTraining(false)
        let measurement = try DynamicsMeasurement(spec: s, data: data, taps: network.tapNames, gramDirectory: nil)
        let taps = measurement.fixedInputTaps()
        // Chunks of 64: fixed inputs fall in every chunk, in no particular order.
        _ = try Evaluation(network: { x in
            let out = try network.forward(x, collectTaps: true)
            try taps.add(out.taps)
            return out.logits
        }, images: data.trainImages, labels: data.trainLabels, chunk: 64)
        let gathered = try taps.activations()
        let direct = try withNoGrad { try measurement.fixedActivations(network) }
        for (kind, a, b) in [("raw", gathered.raw, direct.raw), ("pooled", gathered.pooled, direct.pooled)] {
            #expect(Set(a.keys) == Set(network.tapNames) && Set(b.keys) == Set(network.tapNames))
            for (tap, x) in a {
                let y = try #require(b[tap])
                #expect(x.shape == y.shape, "\(kind) \(tap)")
                #expect(try (x - y).abs().max().item() < 1e-5, "\(kind) \(tap)")
            }
        }
        #expect(gathered.raw["block1"]?.size(0) == 60 && gathered.pooled["block1"]?.size(0) == 140)
    }

    @Test func badKernelNamesAreRejected() throws {
        #expect { try events(try measuredSpec(["measure.kernels": "cosine"])) } throws: {
            "\($0)".contains("measure.kernels")
        }
    }
}

/// Probes are scored on examples they were not trained on, even when the training subset is too small for the
/// requested sets; a subset that leaves none held out is refused.
@Suite("Probe sets", .serialized)
struct ProbeSetTests {
    @Test func aSmallSubsetStillHoldsOutProbeTestExamples() throws {
        // 40 training examples against the defaults (500 measured, 500 + 500 probe examples).
        var s = try spec(["dataset": "synthetic", "arch": "mlp", "width": "8", "train_size": "40", "test_size": "20",
                          "epochs": "1"])
        s.measure.enabled = true
        let data = try PreparedData(spec: s, device: .cpu)
        let m = try DynamicsMeasurement(spec: s, data: data, taps: ["hidden1"], gramDirectory: nil)
        let trained = Set(m.inputRows.prefix(m.probeTrain))
        let tested = Array(m.inputRows[m.probeTestStart...])
        #expect(m.probeTrain == 30 && tested.count == 10, "probe train \(m.probeTrain), test \(tested.count)")
        #expect(trained.isDisjoint(with: tested))
        #expect(m.probeTestLabels.count == tested.count)
    }

    @Test func noHeldOutExamplesIsRefusedWithTheKeysToChange() throws {
        var s = try spec(["dataset": "synthetic", "arch": "mlp", "width": "8", "train_size": "40", "test_size": "20",
                          "epochs": "1", "measure.probe_test": "0"])
        s.measure.enabled = true
        let data = try PreparedData(spec: s, device: .cpu)
        #expect {
            _ = try DynamicsMeasurement(spec: s, data: data, taps: ["hidden1"], gramDirectory: nil)
        } throws: { error in
            "\(error)".contains("measure.probe_test") && "\(error)".contains("measure.probes=false")
        }
    }
}
