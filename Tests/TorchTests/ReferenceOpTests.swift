import Foundation
import Testing
import Torch

/// Convolution, pooling and normalization against plain-loop implementations written here.
@Suite("Layers agree with plain loops")
struct ReferenceOpTests {
    func expectClose(_ a: [Double], _ b: [Double], tolerance: Double = 1e-10,
                     sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < tolerance, "largest difference \(worst)", sourceLocation: sourceLocation)
    }

    @Test func conv2dWithStridePaddingAndGroups() throws {
        let (n, c, h, w, o, k, stride, pad, groups) = (2, 4, 6, 5, 6, 3, 2, 1, 2)
        let x = values(n * c * h * w, seed: 21), weight = values(o * (c / groups) * k * k, seed: 22)
        let bias = values(o, seed: 23)
        let got = try Functional.conv2d(Tensor(x, shape: [n, c, h, w]),
                                        weight: Tensor(weight, shape: [o, c / groups, k, k]),
                                        bias: Tensor(bias), stride: (stride, stride), padding: (pad, pad),
                                        groups: groups)
        let oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1
        #expect(got.shape == [n, o, oh, ow])
        var expected = [Double](repeating: 0, count: n * o * oh * ow)
        let perGroupIn = c / groups, perGroupOut = o / groups
        for b in 0..<n {
            for oc in 0..<o {
                let g = oc / perGroupOut
                for i in 0..<oh {
                    for j in 0..<ow {
                        var sum = bias[oc]
                        for ic in 0..<perGroupIn {
                            for di in 0..<k {
                                for dj in 0..<k {
                                    let y = i * stride - pad + di, xx = j * stride - pad + dj
                                    guard y >= 0, y < h, xx >= 0, xx < w else { continue }
                                    let input = x[((b * c + g * perGroupIn + ic) * h + y) * w + xx]
                                    sum += input * weight[((oc * perGroupIn + ic) * k + di) * k + dj]
                                }
                            }
                        }
                        expected[((b * o + oc) * oh + i) * ow + j] = sum
                    }
                }
            }
        }
        expectClose(try got.toArray(Double.self), expected)
    }

    /// Pools every k×k window at stride s with padding p (padded cells are skipped by max and
    /// counted as zeros by average, as PyTorch's count_include_pad does).
    func pool(_ x: [Double], _ shape: (Int, Int, Int, Int), k: Int, s: Int, p: Int, max: Bool) -> [Double] {
        let (n, c, h, w) = shape
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        var out: [Double] = []
        for plane in 0..<(n * c) {
            for i in 0..<oh {
                for j in 0..<ow {
                    var best = -Double.infinity, sum = 0.0
                    for di in 0..<k {
                        for dj in 0..<k {
                            let y = i * s - p + di, xx = j * s - p + dj
                            guard y >= 0, y < h, xx >= 0, xx < w else { continue }
                            let v = x[(plane * h + y) * w + xx]
                            best = Swift.max(best, v)
                            sum += v
                        }
                    }
                    out.append(max ? best : sum / Double(k * k))
                }
            }
        }
        return out
    }

    @Test func maxAndAveragePooling() throws {
        let x = values(2 * 3 * 7 * 6, seed: 24)
        let t = try Tensor(x, shape: [2, 3, 7, 6])
        expectClose(try Functional.maxPool2d(t, kernel: (2, 2)).toArray(Double.self),
                    pool(x, (2, 3, 7, 6), k: 2, s: 2, p: 0, max: true))
        expectClose(try Functional.maxPool2d(t, kernel: (3, 3), stride: (2, 2), padding: (1, 1)).toArray(Double.self),
                    pool(x, (2, 3, 7, 6), k: 3, s: 2, p: 1, max: true))
        expectClose(try Functional.avgPool2d(t, kernel: (3, 3), stride: (2, 2), padding: (1, 1)).toArray(Double.self),
                    pool(x, (2, 3, 7, 6), k: 3, s: 2, p: 1, max: false))
        // Adaptive pooling to 1×1 is the plane mean.
        let means = (0..<6).map { plane in x[(plane * 42)..<((plane + 1) * 42)].reduce(0, +) / 42 }
        expectClose(try Functional.adaptiveAvgPool2d(t, outputSize: (1, 1)).toArray(Double.self), means)
    }

    @Test func layerNormNormalizesTheLastDimension() throws {
        let (rows, d) = (5, 8)
        let x = values(rows * d, seed: 25, scale: 3), gamma = values(d, seed: 26), beta = values(d, seed: 27)
        let got = try Functional.layerNorm(Tensor(x, shape: [rows, d]), normalizedShape: [d],
                                           weight: Tensor(gamma), bias: Tensor(beta), eps: 1e-5)
        var expected: [Double] = []
        for r in 0..<rows {
            let row = Array(x[(r * d)..<((r + 1) * d)])
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            expected += row.indices.map { (row[$0] - mean) / (variance + 1e-5).squareRoot() * gamma[$0] + beta[$0] }
        }
        expectClose(try got.toArray(Double.self), expected)
    }

    /// Training-mode batch norm of a channels-last float tensor whose channel count is not a multiple of 16 runs its
    /// backward pass on one thread when libtorch has more (the shim's own path, Sources/CTorch/norm.cpp): its output,
    /// gradients and running statistics (kept or not) agree with the same batch norm in float64 (libtorch's path),
    /// and the thread count is what it was after the backward pass.
    @Test(arguments: [true, false])
    func channelsLastBatchNormOnTwoThreadsAgreesWithFloat64(runningStatistics: Bool) throws {
        let previous = Runtime.threads
        Runtime.threads = 2
        defer { Runtime.threads = previous }
        let (n, c, h, w) = (16, 8, 10, 10)
        let x = values(n * c * h * w, seed: 41, offset: 0.3, scale: 2), upstream = values(n * c * h * w, seed: 44)
        let gamma = values(c, seed: 42, offset: 1, scale: 0.3), beta = values(c, seed: 43)
        func run(_ dtype: DType, channelsLast: Bool) throws -> [String: [Double]] {
            var input = try Tensor(x, shape: [n, c, h, w]).to(dtype)
            if channelsLast { input = try input.channelsLast() }
            let weight = try Tensor(gamma).to(dtype).requiresGrad(), bias = try Tensor(beta).to(dtype).requiresGrad()
            let runningMean = try Tensor.zeros([c], dtype: dtype), runningVar = try Tensor.ones([c], dtype: dtype)
            let leaf = try input.requiresGrad()
            let y = try Functional.batchNorm(leaf, weight: weight, bias: bias,
                                             runningMean: runningStatistics ? runningMean : nil,
                                             runningVar: runningStatistics ? runningVar : nil,
                                             training: true, momentum: 0.1, eps: 1e-5)
            #expect(y.isChannelsLast == channelsLast)
            try (y * Tensor(upstream, shape: [n, c, h, w]).to(dtype)).sum().backward()
            return ["y": try y.toArray(Double.self), "dx": try #require(leaf.grad).toArray(Double.self),
                    "dw": try #require(weight.grad).toArray(Double.self), "db": try #require(bias.grad).toArray(Double.self),
                    "running mean": try runningMean.toArray(Double.self), "running var": try runningVar.toArray(Double.self)]
        }
        let reference = try run(.float64, channelsLast: false)
        let got = try run(.float32, channelsLast: true)
        #expect(Runtime.threads == 2)
        #expect((reference["running mean"]!.contains { $0 != 0 }) == runningStatistics)
        for (name, expected) in reference {
            // float32 against float64: relative to the largest magnitude of each result.
            let scale = Swift.max(expected.map(abs).max() ?? 1, 1e-12)
            expectClose(try #require(got[name]).map { $0 / scale }, expected.map { $0 / scale }, tolerance: 1e-5)
        }
    }

    @Test func batchNormTrainUpdatesRunningStatisticsAndEvalUsesThem() throws {
        let (n, c, h, w) = (4, 3, 2, 3)
        let x = values(n * c * h * w, seed: 28, offset: 0.5, scale: 2)
        let bn = try BatchNorm2d(c, momentum: 0.1, eps: 1e-5)
        let input = try Tensor(x, shape: [n, c, h, w]).to(.float32)
        let trained = try bn(input).toArray(Double.self)
        var expectedTrain = [Double](repeating: 0, count: x.count)
        var runningMean: [Double] = [], runningVar: [Double] = []
        let m = Double(n * h * w)
        for ch in 0..<c {
            var idx: [Int] = []
            for b in 0..<n { for s in 0..<(h * w) { idx.append((b * c + ch) * h * w + s) } }
            let xs = idx.map { Double(Float(x[$0])) }
            let mean = xs.reduce(0, +) / m
            let biased = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / m
            for (i, v) in zip(idx, xs) { expectedTrain[i] = (v - mean) / (biased + 1e-5).squareRoot() }
            runningMean.append(0.9 * 0 + 0.1 * mean)
            runningVar.append(0.9 * 1 + 0.1 * biased * m / (m - 1))  // unbiased variance in the running estimate
        }
        expectClose(trained, expectedTrain, tolerance: 1e-5)
        expectClose(try bn.runningMean.toArray(Double.self), runningMean, tolerance: 1e-6)
        expectClose(try bn.runningVar.toArray(Double.self), runningVar, tolerance: 1e-6)
        #expect(try bn.batchesTracked.item() == 1)

        bn.setTraining(false)
        let evaluated = try bn(input).toArray(Double.self)
        var expectedEval = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            let ch = (i / (h * w)) % c
            expectedEval[i] = (Double(Float(x[i])) - runningMean[ch]) / (runningVar[ch] + 1e-5).squareRoot()
        }
        expectClose(evaluated, expectedEval, tolerance: 1e-5)
        #expect(try bn.batchesTracked.item() == 1)
    }

    @Test func attentionMatchesAHandWrittenSoftmaxAttention() throws {
        let generator = try Generator(seed: 9)
        let attention = try MultiHeadSelfAttention(dim: 4, heads: 2, generator: generator)
        let x = try Tensor(values(2 * 3 * 4, seed: 29), shape: [2, 3, 4]).to(.float32)
        let got = try attention(x).toArray(Double.self)
        let w = try attention.inProjWeight.toArray(Double.self), bIn = try attention.inProjBias.toArray(Double.self)
        let wo = try attention.outProj.weight.toArray(Double.self)
        let bo = try #require(attention.outProj.bias).toArray(Double.self)
        let xs = try x.toArray(Double.self)
        var expected: [Double] = []
        for b in 0..<2 {
            func token(_ t: Int) -> [Double] { Array(xs[((b * 3 + t) * 4)..<((b * 3 + t + 1) * 4)]) }
            func project(_ v: [Double], row: Int) -> Double { (0..<4).reduce(bIn[row]) { $0 + w[row * 4 + $1] * v[$1] } }
            var mixed = [[Double]](repeating: [0, 0, 0, 0], count: 3)
            for head in 0..<2 {
                for i in 0..<3 {
                    let q = (0..<2).map { project(token(i), row: head * 2 + $0) }
                    let scores = (0..<3).map { j -> Double in
                        let k = (0..<2).map { project(token(j), row: 4 + head * 2 + $0) }
                        return (q[0] * k[0] + q[1] * k[1]) / 2.0.squareRoot()
                    }
                    let z = scores.map { exp($0 - scores.max()!) }
                    let total = z.reduce(0, +)
                    for j in 0..<3 {
                        for e in 0..<2 { mixed[i][head * 2 + e] += z[j] / total * project(token(j), row: 8 + head * 2 + e) }
                    }
                }
            }
            for i in 0..<3 { expected += (0..<4).map { r in (0..<4).reduce(bo[r]) { $0 + wo[r * 4 + $1] * mixed[i][$1] } } }
        }
        expectClose(got, expected, tolerance: 1e-5)
    }
}
