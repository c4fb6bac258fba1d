import Testing
import Torch

/// libtorch's fused attention against the same arithmetic written out: softmax(q·kᵀ/√d)·v, values and gradients.
struct AttentionTests {
    @Test func fusedAttentionEqualsSoftmaxOfScaledProductsTimesValues() throws {
        let g = try Generator(seed: 31)
        let (b, h, t, d) = (3, 2, 9, 8)
        let q = try Tensor.randn([b, h, t, d], dtype: .float64, generator: g).requiresGrad()
        let k = try Tensor.randn([b, h, t, d], dtype: .float64, generator: g).requiresGrad()
        let v = try Tensor.randn([b, h, t, d], dtype: .float64, generator: g).requiresGrad()
        let weights = try Tensor.randn([b, h, t, d], dtype: .float64, generator: g)

        let fused = try Functional.scaledDotProductAttention(q, k, v)
        try (fused * weights).sum().backward()
        let fusedGrads = try [q, k, v].map { try $0.grad!.toArray(Double.self) }
        for x in [q, k, v] { try x.zeroGrad() }

        let written = try (q.matmul(k.transposed(-2, -1)) * (1 / Double(d).squareRoot())).softmax(-1).matmul(v)
        try (written * weights).sum().backward()
        let writtenGrads = try [q, k, v].map { try $0.grad!.toArray(Double.self) }

        let difference = try (fused - written).abs().max().item()
        #expect(difference < 1e-12, "values differ by \(difference)")
        for (name, (a, c)) in zip(["q", "k", "v"], zip(fusedGrads, writtenGrads)) {
            let worst = zip(a, c).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-12, "gradient of \(name) differs by \(worst)")
        }
    }
}
