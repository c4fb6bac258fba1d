import Testing
import Torch

@Suite("Autograd agrees with finite differences")
struct GradientTests {
    let a = values(12, seed: 1)
    let b = values(12, seed: 2)
    let positive = values(12, seed: 3, offset: 1.5, scale: 1)

    @Test func elementwiseBinaryOps() throws {
        let s = [[3, 4], [3, 4]]
        try expectGradientsMatch("add", inputs: [a, b], shapes: s) { try $0[0] + $0[1] }
        try expectGradientsMatch("sub", inputs: [a, b], shapes: s) { try $0[0] - $0[1] }
        try expectGradientsMatch("mul", inputs: [a, b], shapes: s) { try $0[0] * $0[1] }
        try expectGradientsMatch("div", inputs: [a, positive], shapes: s) { try $0[0] / $0[1] }
        try expectGradientsMatch("pow", inputs: [positive], shapes: [[3, 4]]) { try $0[0].pow(2.5) }
        try expectGradientsMatch("maximum", inputs: [a, b], shapes: s) { try $0[0].maximum($0[1]) }
        try expectGradientsMatch("minimum", inputs: [a, b], shapes: s) { try $0[0].minimum($0[1]) }
        try expectGradientsMatch("broadcast add", inputs: [a, Array(b.prefix(4))], shapes: [[3, 4], [4]]) {
            try $0[0] + $0[1]
        }
        try expectGradientsMatch("scalar ops", inputs: [a], shapes: [[3, 4]]) { try (2.0 - $0[0] * 3.0) / 1.5 + 0.25 }
        try expectGradientsMatch("where", inputs: [a, b], shapes: s) {
            try Tensor.where($0[0].gt(0), $0[0], $0[1])
        }
    }

    @Test func elementwiseUnaryOps() throws {
        let s = [[3, 4]]
        try expectGradientsMatch("exp", inputs: [a], shapes: s) { try $0[0].exp() }
        try expectGradientsMatch("log", inputs: [positive], shapes: s) { try $0[0].log() }
        try expectGradientsMatch("sqrt", inputs: [positive], shapes: s) { try $0[0].sqrt() }
        try expectGradientsMatch("rsqrt", inputs: [positive], shapes: s) { try $0[0].rsqrt() }
        try expectGradientsMatch("abs", inputs: [a], shapes: s) { try $0[0].abs() }
        try expectGradientsMatch("neg", inputs: [a], shapes: s) { try -$0[0] }
        try expectGradientsMatch("relu", inputs: [a], shapes: s) { try $0[0].relu() }
        try expectGradientsMatch("gelu", inputs: [a], shapes: s) { try $0[0].gelu() }
        try expectGradientsMatch("gelu tanh", inputs: [a], shapes: s) { try $0[0].gelu(tanhApproximation: true) }
        try expectGradientsMatch("tanh", inputs: [a], shapes: s) { try $0[0].tanh() }
        try expectGradientsMatch("sigmoid", inputs: [a], shapes: s) { try $0[0].sigmoid() }
        try expectGradientsMatch("square", inputs: [a], shapes: s) { try $0[0].square() }
        try expectGradientsMatch("clamp", inputs: [a], shapes: s) { try $0[0].clamp(min: -0.5, max: 0.4) }
    }

    @Test func reductionsAndSoftmax() throws {
        let s = [[3, 4]]
        try expectGradientsMatch("sum all", inputs: [a], shapes: s) { try $0[0].sum() }
        try expectGradientsMatch("sum dim", inputs: [a], shapes: s) { try $0[0].sum([1]) }
        try expectGradientsMatch("mean dim keepdim", inputs: [a], shapes: s) { try $0[0].mean([0], keepDim: true) }
        try expectGradientsMatch("amax", inputs: [a], shapes: s) { try $0[0].max([1]) }
        try expectGradientsMatch("amin", inputs: [a], shapes: s) { try $0[0].min([0]) }
        try expectGradientsMatch("max values", inputs: [a], shapes: s) { try $0[0].max(dim: 1).values }
        try expectGradientsMatch("softmax", inputs: [a], shapes: s) { try $0[0].softmax(1) }
        try expectGradientsMatch("log_softmax", inputs: [a], shapes: s) { try $0[0].logSoftmax(0) }
    }

    @Test func linearAlgebra() throws {
        let x = values(6, seed: 4), w = values(8, seed: 5), bias = values(4, seed: 6)
        try expectGradientsMatch("matmul", inputs: [x, w], shapes: [[3, 2], [2, 4]]) { try $0[0].matmul($0[1]) }
        try expectGradientsMatch("batched matmul", inputs: [a, b], shapes: [[2, 2, 3], [2, 3, 2]]) {
            try $0[0].matmul($0[1])
        }
        try expectGradientsMatch("linear", inputs: [x, w, bias], shapes: [[3, 2], [4, 2], [4]]) {
            try Functional.linear($0[0], weight: $0[1], bias: $0[2])
        }
    }

    @Test func shapeOps() throws {
        let s = [[2, 3, 2]]
        try expectGradientsMatch("reshape", inputs: [a], shapes: s) { try $0[0].reshape([4, 3]) }
        try expectGradientsMatch("permute", inputs: [a], shapes: s) { try $0[0].permute([2, 0, 1]) }
        try expectGradientsMatch("transpose", inputs: [a], shapes: s) { try $0[0].transposed(0, 2) }
        try expectGradientsMatch("flatten", inputs: [a], shapes: s) { try $0[0].flatten(from: 1) }
        try expectGradientsMatch("narrow", inputs: [a], shapes: s) { try $0[0].narrow(1, start: 1, length: 2) }
        try expectGradientsMatch("unbind", inputs: [a], shapes: s) {
            let parts = try $0[0].unbind(1)
            return try parts[0] * parts[2] + parts[1]
        }
        try expectGradientsMatch("squeeze/unsqueeze", inputs: [a], shapes: s) { try $0[0].unsqueeze(1).squeeze(1) }
        try expectGradientsMatch("expand", inputs: [Array(a.prefix(3))], shapes: [[3, 1]]) { try $0[0].expand([3, 4]) }
        try expectGradientsMatch("flip", inputs: [a], shapes: s) { try $0[0].flip([1, 2]) }
        try expectGradientsMatch("pad", inputs: [a], shapes: s) { try $0[0].padded([1, 2, 0, 1], value: 0.5) }
        try expectGradientsMatch("cat", inputs: [a, b], shapes: [s[0], s[0]]) { try Tensor.cat([$0[0], $0[1]], dim: 1) }
        try expectGradientsMatch("stack", inputs: [a, b], shapes: [s[0], s[0]]) {
            try Tensor.stack([$0[0], $0[1]], dim: 2)
        }
        let index = try Tensor([Int64(2), 0, 0], shape: [3])
        try expectGradientsMatch("index_select", inputs: [a], shapes: [[3, 4]]) { try $0[0].indexSelect(0, index) }
        let gatherIndex = try Tensor([Int64(0), 3, 1, 1, 2, 0], shape: [3, 2])
        try expectGradientsMatch("gather", inputs: [a], shapes: [[3, 4]]) { try $0[0].gather(1, gatherIndex) }
    }

    @Test func convolutionAndPooling() throws {
        let x = values(2 * 2 * 5 * 5, seed: 7), w = values(3 * 2 * 3 * 3, seed: 8), bias = values(3, seed: 9)
        try expectGradientsMatch("conv2d stride 2 pad 1", inputs: [x, w, bias],
                                 shapes: [[2, 2, 5, 5], [3, 2, 3, 3], [3]]) {
            try Functional.conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1))
        }
        let wg = values(4 * 1 * 3 * 3, seed: 10)
        try expectGradientsMatch("conv2d groups", inputs: [x, wg], shapes: [[2, 2, 5, 5], [4, 1, 3, 3]]) {
            try Functional.conv2d($0[0], weight: $0[1], bias: nil, padding: (1, 1), groups: 2)
        }
        let s = [[2, 2, 5, 5]]
        try expectGradientsMatch("max_pool2d", inputs: [x], shapes: s) {
            try Functional.maxPool2d($0[0], kernel: (2, 2))
        }
        try expectGradientsMatch("avg_pool2d pad", inputs: [x], shapes: s) {
            try Functional.avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        try expectGradientsMatch("adaptive_avg_pool2d", inputs: [x], shapes: s) {
            try Functional.adaptiveAvgPool2d($0[0], outputSize: (2, 2))
        }
    }

    @Test func normalizationAndLoss() throws {
        let x = values(4 * 3 * 2 * 2, seed: 11), gamma = values(3, seed: 12, offset: 1, scale: 0.3)
        let beta = values(3, seed: 13)
        try expectGradientsMatch("batch_norm train", inputs: [x, gamma, beta], shapes: [[4, 3, 2, 2], [3], [3]],
                                 tolerance: 1e-4) {
            try Functional.batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil,
                                     training: true)
        }
        let rm = try Tensor([0.1, -0.2, 0.3]), rv = try Tensor([1.5, 0.7, 1.1])
        try expectGradientsMatch("batch_norm eval", inputs: [x, gamma, beta], shapes: [[4, 3, 2, 2], [3], [3]]) {
            try Functional.batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: rm, runningVar: rv,
                                     training: false)
        }
        let y = values(2 * 3 * 4, seed: 14), lw = values(4, seed: 15, offset: 1, scale: 0.2), lb = values(4, seed: 16)
        try expectGradientsMatch("layer_norm", inputs: [y, lw, lb], shapes: [[2, 3, 4], [4], [4]], tolerance: 1e-4) {
            try Functional.layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2])
        }
        let logits = values(4 * 5, seed: 17, scale: 2)
        let targets = try Tensor([Int64(0), 4, 2, 2])
        for reduction in [Reduction.mean, .sum, .none] {
            try expectGradientsMatch("cross_entropy \(reduction)", inputs: [logits], shapes: [[4, 5]]) {
                try Functional.crossEntropy($0[0], targets: targets, reduction: reduction)
            }
        }
        try expectGradientsMatch("cross_entropy smoothed", inputs: [logits], shapes: [[4, 5]]) {
            try Functional.crossEntropy($0[0], targets: targets, labelSmoothing: 0.1)
        }
    }
}
