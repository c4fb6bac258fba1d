import Foundation
import Testing
import Torch

@testable import Dynamics

@Suite("Linear probes")
struct LinearProbeTests {
    /// Conv-shaped activations (N×4×6×6) whose channel means depend on the class, plus noise.
    func clusters(_ n: Int, classes: Int, seed: UInt64) throws -> (Tensor, Tensor) {
        let labels = try Tensor.randint(0, classes, [n], generator: Generator(seed: seed))
        let centres = try gaussian([classes, 4], seed: 999) * 3.0
        let means = try centres.indexSelect(0, labels).reshape([n, 4, 1, 1])
        let x = try (means + gaussian([n, 4, 6, 6], seed: seed + 1)).to(.float32)
        return (x, labels)
    }

    @Test func separableDataIsLearned() throws {
        let (train, trainLabels) = try clusters(300, classes: 3, seed: 1)
        let (test, testLabels) = try clusters(300, classes: 3, seed: 2)
        let probe = try LinearProbe(activations: train, labels: trainLabels, classes: 3)
        #expect(probe.trainAccuracy > 0.97, "train \(probe.trainAccuracy)")
        let accuracy = try probe.accuracy(test, labels: testLabels)
        #expect(accuracy > 0.95, "test \(accuracy)")
        #expect(try probe.predict(test).shape == [300])
    }

    @Test func randomLabelsGiveChanceOnTheTestSet() throws {
        let train = try gaussian([200, 50], seed: 3, dtype: .float32)
        let test = try gaussian([1000, 50], seed: 4, dtype: .float32)
        let trainLabels = try Tensor.randint(0, 10, [200], generator: Generator(seed: 5))
        let testLabels = try Tensor.randint(0, 10, [1000], generator: Generator(seed: 6))
        let probe = try LinearProbe(activations: train, labels: trainLabels, classes: 10)
        #expect(probe.trainAccuracy > 0.5, "memorizes the training set: \(probe.trainAccuracy)")
        let accuracy = try probe.accuracy(test, labels: testLabels)
        #expect(accuracy < 0.16, "test \(accuracy) should be near chance (0.1)")
    }

    @Test func trainingIsDeterministic() throws {
        let (x, labels) = try clusters(120, classes: 4, seed: 7)
        let a = try LinearProbe(activations: x, labels: labels, classes: 4, options: .init(steps: 50))
        let b = try LinearProbe(activations: x, labels: labels, classes: 4, options: .init(steps: 50))
        #expect(a.trainAccuracy == b.trainAccuracy)
        #expect(try a.predict(x).toArray(Int64.self) == b.predict(x).toArray(Int64.self))
    }

    @Test func poolsConvAndTokenMaps() throws {
        #expect(try LinearProbe.pooledFeatures(gaussian([5, 3, 7, 9], seed: 1)).shape == [5, 12])
        for (h, w) in [(7, 9), (28, 28), (4, 4), (2, 3), (1, 5), (14, 1), (1, 1)] {
            let x = try gaussian([3, 2, h, w], seed: UInt64(h * 100 + w))
            let adaptive = try Functional.adaptiveAvgPool2d(x, outputSize: (2, 2)).flatten(from: 1)
            let difference = try (LinearProbe.pooledFeatures(x) - adaptive).abs().max().item()
            #expect(difference < 1e-6, "\(h)×\(w): pooled features differ from adaptive pooling by \(difference)")
        }
        #expect(try LinearProbe.pooledFeatures(gaussian([5, 17, 8], seed: 1)).shape == [5, 8])
        #expect(try LinearProbe.pooledFeatures(gaussian([5, 8], seed: 1)).shape == [5, 8])
        let tokens = try gaussian([2, 3, 4], seed: 2)
        let pooled = try LinearProbe.pooledFeatures(tokens).toArray(Double.self)
        let raw = try tokens.toArray(Double.self)
        expectClose(pooled[1], (raw[1] + raw[5] + raw[9]) / 3, 1e-6)
    }

    @Test func rejectsBadLabels() throws {
        let x = try gaussian([10, 3], seed: 1)
        let error = #expect(throws: DynamicsError.self) {
            try LinearProbe(activations: x, labels: Tensor.full([10], 5, dtype: .int64), classes: 3)
        }
        #expect(error?.code == .invalidArgument)
        #expect(throws: DynamicsError.self) {
            try LinearProbe(activations: x, labels: Tensor.zeros([9], dtype: .int64), classes: 3)
        }
    }
}

@Suite("Decision-region planes")
struct DecisionPlaneTests {
    func images() throws -> (Tensor, Tensor, Tensor) {
        (try gaussian([3, 4, 4], seed: 11, dtype: .float32), try gaussian([3, 4, 4], seed: 12, dtype: .float32),
         try gaussian([3, 4, 4], seed: 13, dtype: .float32))
    }

    func point(_ plane: DecisionPlane, _ p: DecisionPlane.Point) throws -> [Double] {
        try (plane.origin.to(.float64).reshape([-1]) + plane.v1 * p.alpha + plane.v2 * p.beta).toArray(Double.self)
    }

    func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max()! }

    @Test func anchorsSitAtTheirStatedCoordinates() throws {
        let (x1, x2, x3) = try images()
        let plane = try DecisionPlane(x1, x2, x3)
        let distance = try (x2.to(.float64) - x1.to(.float64)).square().sum().item().squareRoot()
        #expect(plane.anchors[0] == .init(alpha: 0, beta: 0))
        expectClose(plane.anchors[1].alpha, distance, 1e-9)
        #expect(plane.anchors[1].beta == 0 && plane.anchors[2].beta > 0)
        for (anchor, image) in zip(plane.anchors, [x1, x2, x3]) {
            let reconstructed = try point(plane, anchor)
            #expect(maxDifference(reconstructed, try image.to(.float64).toArray(Double.self)) < 1e-5)
        }
        expectClose(try (plane.v1 * plane.v2).sum().item(), 0, 1e-12, "v1 ⟂ v2")
        expectClose(try plane.v2.square().sum().item(), 1, 1e-12, "‖v2‖")
    }

    @Test func gridSpansTheExtendedRange() throws {
        let (x1, x2, x3) = try images()
        let plane = try DecisionPlane(x1, x2, x3)
        let r = 0.1, resolution = 7
        let grid = try plane.grid(resolution: resolution, margin: r)
        #expect(grid.inputs.shape == [49, 3, 4, 4] && grid.inputs.dtype == .float32)
        for (values, axis) in [(plane.anchors.map(\.alpha), grid.alphas), (plane.anchors.map(\.beta), grid.betas)] {
            let lo = values.min()!, hi = values.max()!
            expectClose(axis.first!, lo - r * (hi - lo), 1e-9)
            expectClose(axis.last!, hi + r * (hi - lo), 1e-9)
            #expect(axis.count == resolution)
        }
        // Point (row 2, column 5) is x1 + α₅ v1 + β₂ v2.
        let stored = try grid.inputs.narrow(0, start: 2 * resolution + 5, length: 1).to(.float64).toArray(Double.self)
        let expected = try point(plane, .init(alpha: grid.alphas[5], beta: grid.betas[2]))
        #expect(maxDifference(stored, expected) < 1e-5)
        // x1 sits r/(1 + 2r) of the way along both axes (it is the lowest α and β here or not: check via cells).
        let cells = grid.anchorCells
        for (cell, anchor) in zip(cells, plane.anchors) {
            expectClose(grid.alphas[0] + cell[0] / 6 * (grid.alphas[6] - grid.alphas[0]), anchor.alpha, 1e-9)
            #expect(cell.allSatisfy { $0 >= 0 && $0 <= 6 })
        }
        expectClose(cells.map { $0[1] }.min()!, 6 * r / (1 + 2 * r), 1e-9)
    }

    @Test func degeneratePlanesThrow() throws {
        let (x1, x2, _) = try images()
        #expect(throws: DynamicsError.self) { try DecisionPlane(x1, x1, x2) }
        let onLine = try x1 + (x2 - x1) * 2.0
        #expect(throws: DynamicsError.self) { try DecisionPlane(x1, x2, onLine) }
    }

    @Test func tripletsHaveThreeClassesAndFollowTheSeed() throws {
        let labels = (0..<60).map { $0 % 5 }
        let a = try DecisionPlane.triplets(labels: labels, count: 8, seed: 42)
        #expect(a.count == 8)
        for t in a { #expect(Set(t.map { labels[$0] }).count == 3) }
        #expect(try DecisionPlane.triplets(labels: labels, count: 8, seed: 42) == a)
        #expect(try DecisionPlane.triplets(labels: labels, count: 8, seed: 43) != a)
        #expect(throws: DynamicsError.self) { try DecisionPlane.triplets(labels: [0, 1, 0, 1], count: 1, seed: 1) }
    }

    /// A random two-layer network on 3×4×4 inputs with 5 classes.
    func randomModel(seed: UInt64) throws -> (Tensor) throws -> Tensor {
        let w1 = try gaussian([32, 48], seed: seed, dtype: .float32) * 0.3
        let w2 = try gaussian([5, 32], seed: seed + 1, dtype: .float32) * 0.3
        return { x in
            try Functional.linear(Functional.linear(x.flatten(from: 1), weight: w1, bias: nil).relu(), weight: w2,
                                  bias: nil)
        }
    }

    @Test func regionAgreementIsOneWithItselfAndLowerBetweenModels() throws {
        let pool = try gaussian([30, 3, 4, 4], seed: 20, dtype: .float32)
        let labels = (0..<30).map { $0 % 5 }
        let grids = try DecisionPlane.triplets(labels: labels, count: 3, seed: 1).map { t in
            try DecisionPlane(pool.narrow(0, start: t[0], length: 1).squeeze(0),
                              pool.narrow(0, start: t[1], length: 1).squeeze(0),
                              pool.narrow(0, start: t[2], length: 1).squeeze(0)).grid(resolution: 20)
        }
        func images(_ model: (Tensor) throws -> Tensor) throws -> [[UInt8]] {
            try grids.map { try $0.labelImage(model($0.inputs).argmax(1)) }
        }
        let a = try images(randomModel(seed: 1)), b = try images(randomModel(seed: 7))
        #expect(try RegionTracker.agreement(a, a) == 1)
        let across = try RegionTracker.agreement(a, b)
        #expect(across < 1 && across >= 0, "\(across)")
        // The tracker's rows carry the same numbers, with a unit diagonal.
        let tracker = try RegionTracker(taps: ["output"])
        _ = try tracker.append(epoch: 0, labels: ["output": a])
        let row = try tracker.append(epoch: 1, labels: ["output": b])
        #expect(row.kind == "regions" && row.values(of: "output") == [across, 1])
        #expect(try tracker.matrix(tap: "output") == [[1, across], [across, 1]])
        // Its label images rebuild it (a resumed run's way back to its earlier checkpoints).
        #expect(try tracker.labels(at: 1) == ["output": b])
        let rebuilt = try RegionTracker(taps: ["output"])
        for i in 0..<2 { _ = try rebuilt.append(epoch: i, labels: try tracker.labels(at: i)) }
        #expect(try rebuilt.matrix(tap: "output") == tracker.matrix(tap: "output"))
        #expect(throws: DynamicsError.self) { try tracker.labels(at: 2) }
    }
}
