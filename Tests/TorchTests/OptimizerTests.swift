import Foundation
import Testing
import Torch

/// Each optimizer's first steps against its formula, on a hand-sized example with fixed gradients.
@Suite("Optimizers follow their update rules")
struct OptimizerTests {
    let start: [Double] = [0.5, -1.0, 2.0]
    let gradients: [[Double]] = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.5], [-0.3, 0.2, 0.05]]

    /// Runs the optimizer for `gradients.count` steps with loss = Σ p·g, so that ∂loss/∂p = g.
    func run(_ kind: OptimizerKind, lr: Double, weightDecay: Double) throws -> [[Double]] {
        let p = try Tensor(start).requiresGrad()
        let optimizer = try Optimizer(kind, parameters: [p], learningRate: lr, weightDecay: weightDecay)
        var trajectory: [[Double]] = []
        for g in gradients {
            try optimizer.zeroGrad()
            try (p * Tensor(g)).sum().backward()
            try optimizer.step()
            trajectory.append(try p.toArray(Double.self))
        }
        return trajectory
    }

    func expectClose(_ a: [[Double]], _ b: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
        for (x, y) in zip(a.joined(), b.joined()) {
            #expect(abs(x - y) < 1e-12, "\(a) vs \(b)", sourceLocation: sourceLocation)
        }
    }

    @Test func sgdWithMomentumAndWeightDecay() throws {
        let (lr, m, wd) = (0.1, 0.9, 0.01)
        var p = start, buffer: [Double]? = nil
        var expected: [[Double]] = []
        for g in gradients {
            let d = zip(g, p).map { $0 + wd * $1 }
            buffer = buffer.map { zip($0, d).map { m * $0 + $1 } } ?? d
            p = zip(p, buffer!).map { $0 - lr * $1 }
            expected.append(p)
        }
        expectClose(try run(.sgd(momentum: m), lr: lr, weightDecay: wd), expected)
    }

    @Test func sgdNesterov() throws {
        let (lr, m) = (0.05, 0.8)
        var p = start, buffer: [Double]? = nil
        var expected: [[Double]] = []
        for g in gradients {
            buffer = buffer.map { zip($0, g).map { m * $0 + $1 } } ?? g
            let step = zip(g, buffer!).map { $0 + m * $1 }
            p = zip(p, step).map { $0 - lr * $1 }
            expected.append(p)
        }
        expectClose(try run(.sgd(momentum: m, nesterov: true), lr: lr, weightDecay: 0), expected)
    }

    /// Adam (coupled L2 decay when `decoupled` is false) or AdamW (decoupled decay).
    func adamReference(lr: Double, wd: Double, decoupled: Bool) -> [[Double]] {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8)
        var p = start, m = [0.0, 0, 0], v = [0.0, 0, 0]
        var expected: [[Double]] = []
        for (t, g0) in gradients.enumerated() {
            let step = Double(t + 1)
            if decoupled { p = p.map { $0 * (1 - lr * wd) } }
            let g = decoupled ? g0 : zip(g0, p).map { $0 + wd * $1 }
            m = zip(m, g).map { b1 * $0 + (1 - b1) * $1 }
            v = zip(v, g).map { b2 * $0 + (1 - b2) * $1 * $1 }
            let mHat = m.map { $0 / (1 - pow(b1, step)) }
            let vHat = v.map { $0 / (1 - pow(b2, step)) }
            p = (0..<3).map { p[$0] - lr * mHat[$0] / (vHat[$0].squareRoot() + eps) }
            expected.append(p)
        }
        return expected
    }

    @Test func adamWithBiasCorrection() throws {
        expectClose(try run(.adam(), lr: 0.01, weightDecay: 0), adamReference(lr: 0.01, wd: 0, decoupled: false))
        expectClose(try run(.adam(), lr: 0.01, weightDecay: 0.1), adamReference(lr: 0.01, wd: 0.1, decoupled: false))
    }

    @Test func adamWDecouplesWeightDecay() throws {
        let got = try run(.adamw(), lr: 0.01, weightDecay: 0.1)
        expectClose(got, adamReference(lr: 0.01, wd: 0.1, decoupled: true))
        // And it differs from Adam's coupled decay on the same example.
        #expect(got != (try run(.adam(), lr: 0.01, weightDecay: 0.1)))
    }

    @Test func learningRateCanBeReadAndChanged() throws {
        let p = try Tensor(start).requiresGrad()
        let optimizer = try Optimizer(.sgd(), parameters: [p], learningRate: 0.5)
        #expect(optimizer.learningRate == 0.5)
        try optimizer.setLearningRate(0.125)
        #expect(optimizer.learningRate == 0.125)
        try (p * Tensor([1.0, 1, 1])).sum().backward()
        try optimizer.step()
        #expect(try p.toArray(Double.self) == start.map { $0 - 0.125 })
    }

    @Test func schedulesFollowTheirFormulas() {
        let inverse = LearningRateSchedule(.inverseSquareRoot(period: 512))
        #expect(inverse.rate(base: 0.1, epoch: 0, totalEpochs: 4000) == 0.1)
        #expect(inverse.rate(base: 0.1, epoch: 511, totalEpochs: 4000) == 0.1)
        #expect(abs(inverse.rate(base: 0.1, epoch: 512, totalEpochs: 4000) - 0.1 / 2.0.squareRoot()) < 1e-15)
        #expect(abs(inverse.rate(base: 0.1, epoch: 1600, totalEpochs: 4000) - 0.1 / 2) < 1e-15)
        let cosine = LearningRateSchedule(.cosine())
        #expect(cosine.rate(base: 1, epoch: 0, totalEpochs: 10) == 1)
        #expect(abs(cosine.rate(base: 1, epoch: 5, totalEpochs: 10) - 0.5) < 1e-12)
        let step = LearningRateSchedule(.step(every: 30, gamma: 0.1))
        #expect(abs(step.rate(base: 1, epoch: 65, totalEpochs: 100) - 0.01) < 1e-15)
        let warm = LearningRateSchedule(.constant, warmupEpochs: 4)
        #expect(warm.rate(base: 0.8, epoch: 0, totalEpochs: 10) == 0.2)
        #expect(warm.rate(base: 0.8, epoch: 3, totalEpochs: 10) == 0.8)
        #expect(warm.rate(base: 0.8, epoch: 9, totalEpochs: 10) == 0.8)
    }
}
