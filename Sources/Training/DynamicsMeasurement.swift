import Datasets
import Dynamics
import Foundation
import Models
import Sweep
import Torch

/// Measures a network at checkpoint epochs (docs/TRAINING.md, "Measurement"): CKA rows per tap on a
/// fixed measurement set, linear probes per tap, and decision regions on fixed planes; then derived
/// scores at the end of the run.
///
/// Fixed inputs are chosen once from the task's seed. Measuring runs in evaluation mode without
/// autograd on the network and uses no libtorch random stream, so it never changes the model, its
/// optimizer state or the training data order.
final class DynamicsMeasurement {
    let spec: MeasureSpec
    let taps: [String]
    let classes: Int
    /// The fixed inputs, measured in one pass: rows 0..<measured are the CKA measurement set, rows
    /// 0..<probeTrain the probe-training set, and rows probeTestStart..< the probe-test set.
    let inputs: Tensor
    /// The training rows of `inputs`, in order.
    let inputRows: [Int]
    let measured: Int
    let probeTrain: Int
    let probeTestStart: Int
    let probeTrainLabels: Tensor
    let probeTestLabels: Tensor
    /// Per plane, the grid the scores use; for the first `pictures` planes also a wider grid for pictures.
    let scoreGrids: [PlaneGrid]
    let pictureGrids: [PlaneGrid]
    /// The score grids' inputs, then the picture grids': one batch of forward passes per checkpoint.
    let gridInputs: Tensor?
    let scoreGridRows: Int
    let cka: SimilarityTracker
    let regions: RegionTracker?
    /// The checkpoints that also draw the picture planes: at most six, spread over the schedule
    /// (the report shows six), so pictures do not cost a forward pass at every checkpoint.
    let pictureEpochs: Set<Int>
    /// Matrices' checkpoint epochs so far.
    var epochs: [Int] { cka.epochs }
    /// Seconds spent per measurement stage, for the overhead benchmark.
    private(set) var seconds: [String: Double] = [:]
    /// Examples per forward pass: eval mode on a CPU is a little faster per example in chunks of a hundred than of
    /// thousands, memory stays bounded, and one size for every pass spares oneDNN building kernels for others.
    let chunk = 100
    /// δ of the double-descent detector: the rise of test error (after a local minimum) that counts.
    /// Small subsets have noisy test curves; 0.05 keeps their wiggles from counting.
    static let doubleDescentRise = 0.05

    /// The moving-average window (odd, about a sixth of the run) the double-descent detector smooths
    /// the test-error curve with, so that epoch-to-epoch noise on a small test set is not a "descent".
    func smoothing(_ curve: [(epoch: Int, error: Double)]) -> Int { Swift.max(1, (curve.count / 6) | 1) }

    init(spec task: TaskSpec, data: PreparedData, taps: [String], gramDirectory: URL?) throws {
        let m = task.measure
        spec = m
        self.taps = taps
        classes = data.train.classes
        let n = data.train.count
        var rng = SplitMix64.stream(seed: task.seed, purpose: 0x3EA5)
        var order = Array(0..<n)
        order.shuffle(using: &rng)
        func take(_ count: Int, from start: Int) -> [Int] {
            Array(order[Swift.min(start, n)..<Swift.min(start + Swift.max(count, 0), n)])
        }
        // The measurement set and the probe-training set are prefixes of one shuffled order (so they
        // overlap and share their forward pass); the probe-test set follows them. Probes are always scored on
        // held-out examples: when the training subset cannot hold the requested sets, the probe-test set keeps
        // the requested probe_test examples or a quarter of the subset, whichever is smaller, and the sets
        // before it shrink (docs/TRAINING.md, "Measurement").
        let wanted = Swift.max(m.examples, m.probes ? m.probeTrain : 0)
        let testCount = m.probes ? Swift.min(Swift.max(m.probeTest, 0), Swift.max(n - wanted, n / 4)) : 0
        let head = take(Swift.min(wanted, n - testCount), from: 0)
        let testIndex = take(testCount, from: head.count)
        measured = Swift.min(m.examples, head.count)
        guard measured >= 4 else {
            throw TrainingError(.invalidSpec, "measure.examples: CKA needs at least 4 examples, the training subset has \(n)")
        }
        probeTrain = m.probes ? Swift.min(m.probeTrain, head.count) : 0
        probeTestStart = head.count
        let labels = m.probeCleanLabels ? data.train.labels : data.trainLabelArray
        let device = data.trainImages.device
        let union = head + testIndex
        inputRows = union
        inputs = try data.trainImages.indexSelect(0, Tensor(union.map(Int64.init)).to(device))
        probeTrainLabels = try Tensor(head.prefix(probeTrain).map { Int64(labels[$0]) }).to(device)
        if m.probes && testIndex.isEmpty {
            throw TrainingError(.invalidSpec, "measure.probe_test: the probes need held-out examples to be scored on, and the "
                                + "training subset (\(n) examples) leaves none; set measure.probe_test ≥ 1 and "
                                + "train_size ≥ 8, or measure.probes=false")
        }
        probeTestLabels = try Tensor(testIndex.map { Int64(labels[$0]) }).to(device)
        var scoreGrids: [PlaneGrid] = [], pictureGrids: [PlaneGrid] = []
        if m.planes > 0 {
            let triplets = try DecisionPlane.triplets(labels: data.train.labels, count: m.planes,
                                                      seed: UInt64(bitPattern: Int64(task.seed)) &+ 0x91A)
            for (k, t) in triplets.enumerated() {
                let x = try t.map { try data.trainImages.narrow(0, start: $0, length: 1).squeeze(0) }
                let plane = try DecisionPlane(x[0], x[1], x[2])
                scoreGrids.append(try plane.grid(resolution: m.resolution, margin: 0.1))
                if k < m.pictures { pictureGrids.append(try plane.grid(resolution: m.resolution, margin: m.pictureRange)) }
            }
        }
        (self.scoreGrids, self.pictureGrids) = (scoreGrids, pictureGrids)
        let grids = scoreGrids + pictureGrids
        gridInputs = grids.isEmpty ? nil : try Tensor.cat(grids.map(\.inputs), dim: 0)
        scoreGridRows = scoreGrids.reduce(0) { $0 + $1.inputs.size(0) }
        let schedule = m.checkpoints(epochs: task.epochs)
        pictureEpochs = schedule.count <= 6
            ? Set(schedule) : Set((0..<6).map { schedule[($0 * (schedule.count - 1) + 2) / 5] })
        let kernels = try m.kernels.map { name -> CKAKernel in
            guard let k = CKAKernel(parsing: name) else {
                throw TrainingError(.invalidSpec, "measure.kernels: '\(name)' is not one of linear, rbf, rbf:T, debiased")
            }
            return k
        }
        cka = try SimilarityTracker(taps: taps, options: .init(kernels: kernels, gramDirectory: gramDirectory))
        regions = scoreGrids.isEmpty ? nil : try RegionTracker(taps: ["output"] + (m.probes ? taps : []))
    }

    /// A collector for the per-epoch evaluation pass over the training subset at a checkpoint epoch, whose
    /// activations `measure` then uses instead of a forward pass of its own over the fixed inputs.
    func fixedInputTaps() -> FixedInputTaps {
        FixedInputTaps(inputRows: inputRows, measured: measured, pool: spec.probes, device: inputs.device)
    }

    /// Measures `network` at `epoch`, emitting `similarity`, `probes` and `regions` events; `collected` holds the
    /// fixed inputs' activations when an evaluation pass at this epoch gathered them.
    func measure(network: Network, epoch: Int, collected: FixedInputTaps? = nil,
                 emit: (TrainingEvent) throws -> Void) throws
    {
        network.setTraining(false)
        let (raw, pooled) = try timed("forward") {
            try collected?.activations() ?? withNoGrad { try fixedActivations(network) }
        }
        seconds["forward", default: 0] += collected?.seconds ?? 0
        try withNoGrad {
            let rows = try timed("cka") { try cka.append(epoch: epoch, activations: raw) }
            for row in rows {
                try emit(.similarity(row))
            }
        }
        var probes: [String: LinearProbe] = [:]
        if spec.probes && probeTrain > 0 {
            var results: [TrainingEvent.TapProbe] = []
            try timed("probes") {
                let trained = try LinearProbe.fitJointly(
                    activations: try taps.map { try pooled[$0]!.narrow(0, start: 0, length: probeTrain) },
                    labels: probeTrainLabels, classes: classes)
                for (tap, probe) in zip(taps, trained) {
                    let features = pooled[tap]!
                    let test = try features.narrow(0, start: probeTestStart, length: features.size(0) - probeTestStart)
                    probes[tap] = probe
                    results.append(.init(tap: tap, trainAccuracy: probe.trainAccuracy,
                                         testAccuracy: try probe.accuracy(test, labels: probeTestLabels)))
                }
            }
            try emit(.probes(.init(epoch: epoch, taps: results)))
        }
        guard let regions, let gridInputs else { return }
        try timed("planes") {
            // One batch of forward passes over every grid of the checkpoint (the picture grids only at picture
            // epochs); then each label source predicts every grid point at once.
            let drawPictures = pictureEpochs.contains(epoch)
            let rows = drawPictures ? gridInputs.size(0) : scoreGridRows
            let (logits, acts) = try withNoGrad {
                try pooledActivations(network, gridInputs.narrow(0, start: 0, length: rows))
            }
            var predictions = ["output": try logits.argmax(1)]
            for (tap, probe) in probes { predictions[tap] = try probe.predict(acts[tap]!) }
            var offset = 0
            func labels(_ grid: PlaneGrid) throws -> [String: [UInt8]] {
                let count = grid.inputs.size(0)
                defer { offset += count }
                return try predictions.mapValues { try grid.labelImage($0.narrow(0, start: offset, length: count)) }
            }
            var perTap: [String: [[UInt8]]] = [:]
            for grid in scoreGrids { for (tap, image) in try labels(grid) { perTap[tap, default: []].append(image) } }
            let row = try regions.append(epoch: epoch, labels: perTap)
            var images: [TrainingEvent.RegionImage] = []
            for (plane, grid) in pictureGrids.enumerated() where drawPictures {
                for (tap, image) in try labels(grid).sorted(by: { $0.key < $1.key }) {
                    images.append(.init(tap: tap, plane: plane, resolution: grid.resolution, labels: image,
                                        anchors: grid.anchorCells))
                }
            }
            try emit(.regions(.init(index: row.index, epoch: epoch, epochs: row.epochs, rows: row.rows, images: images)))
        }
    }

    /// One pass over the fixed inputs: raw tap activations of the measurement rows (for CKA) and pooled
    /// features of every row (for probes).
    func fixedActivations(_ network: Network) throws -> (raw: [String: Tensor], pooled: [String: Tensor]) {
        var raw: [String: [Tensor]] = [:], pooled: [String: [Tensor]] = [:]
        for start in stride(from: 0, to: inputs.size(0), by: chunk) {
            let length = Swift.min(chunk, inputs.size(0) - start)
            let out = try network.forward(inputs.narrow(0, start: start, length: length), collectTaps: true)
            let keep = Swift.min(Swift.max(measured - start, 0), length)
            for (tap, t) in out.taps {
                if keep > 0 { raw[tap, default: []].append(keep == length ? t : try t.narrow(0, start: 0, length: keep)) }
                if spec.probes { pooled[tap, default: []].append(try LinearProbe.pooledFeatures(t)) }
            }
        }
        return (try raw.mapValues { try Tensor.cat($0, dim: 0) }, try pooled.mapValues { try Tensor.cat($0, dim: 0) })
    }

    /// Logits and pooled tap features (as probes see them) of `images`, in chunks; each tap is pooled as the
    /// forward pass produces it.
    func pooledActivations(_ network: Network, _ images: Tensor) throws -> (logits: Tensor, taps: [String: Tensor]) {
        var logits: [Tensor] = [], taps: [String: [Tensor]] = [:]
        network.tapTransform = { try LinearProbe.pooledFeatures($0) }
        defer { network.tapTransform = nil }
        for start in stride(from: 0, to: images.size(0), by: chunk) {
            // In the network's own memory order: `Network.prepared` restrides the chunk when the weights are NHWC.
            let x = try images.narrow(0, start: start, length: Swift.min(chunk, images.size(0) - start))
            let out = try network.forward(x, collectTaps: true)
            logits.append(out.logits)
            for (tap, t) in out.taps { taps[tap, default: []].append(t) }
        }
        return (try Tensor.cat(logits, dim: 0), try taps.mapValues { try Tensor.cat($0, dim: 0) })
    }

    /// Derived scores of the run (docs/DYNAMICS.md, "Derived scores"), plus the summary names the report reads.
    func scores(perfectFitEpoch: Int?, testError: [(epoch: Int, error: Double)]) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for kernel in cka.options.kernels {
            let matrices = try taps.map { (tap: $0, similarity: try cka.matrix(tap: $0, kernel: kernel)) }
            out.merge(try DerivedScores.scores(kind: kernel.kind, matrices: matrices, epochs: cka.epochs,
                                               perfectFitEpoch: perfectFitEpoch)) { a, _ in a }
        }
        if let regions {
            let matrices = try regions.taps.map { (tap: $0, similarity: try regions.matrix(tap: $0)) }
            out.merge(try DerivedScores.scores(kind: "regions", matrices: matrices, epochs: regions.epochs,
                                               perfectFitEpoch: perfectFitEpoch)) { a, _ in a }
        }
        // The test-error curve is one per run: its double descent is scored once.
        if let dd = try DoubleDescent.detect(epochs: testError.map(\.epoch), testError: testError.map(\.error),
                                             threshold: Self.doubleDescentRise, smoothing: smoothing(testError)) {
            out["double_descent.height"] = dd.height
            out["double_descent.peak_epoch"] = Double(dd.peakEpoch)
        }
        return out.filter { $0.value.isFinite }
    }

    /// Writes the CKA matrices (`cka_<kind>/<tap>.npy`), the decision-region matrices (`regions/<tap>.npy`)
    /// and the checkpoint epochs (`epochs.npy`) into `directory`.
    func saveMatrices(to directory: URL) throws {
        func save(_ rows: [[Double]], _ folder: String, _ name: String) throws {
            let url = directory.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try NumPyArray(rows: rows).write(to: url.appendingPathComponent("\(name).npy"))
        }
        try NumPyArray(cka.epochs.map(Double.init)).write(to: directory.appendingPathComponent("epochs.npy"))
        for kernel in cka.options.kernels {
            for tap in taps { try save(try cka.matrix(tap: tap, kernel: kernel), kernel.kind, tap) }
        }
        if let regions { for tap in regions.taps { try save(try regions.matrix(tap: tap), "regions", tap) } }
    }

    @discardableResult
    func timed<R>(_ stage: String, _ body: () throws -> R) rethrows -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds[stage, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        return try body()
    }
}
