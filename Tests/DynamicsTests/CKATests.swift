import Foundation
import Testing
import Torch

@testable import Dynamics

@Suite("CKA: Kornblith's numbers and its invariances")
struct CKATests {
    static let kernels: [CKAKernel] = [.linear, .rbf(threshold: 0.5), .debiasedLinear]

    @Test func kornblithPublishedNumbers() throws {
        let (x, y) = try kornblithFixture()
        #expect(x.shape == [100, 10] && y.shape == [100, 10])
        expectClose(try CKA.linear(x, y), 0.55761, 5e-6, "linear")
        expectClose(try CKA.rbf(x, y, threshold: 0.5), 0.65483, 5e-6, "rbf")
        expectClose(try CKA.debiased(x, y), 0.51346, 5e-6, "debiased")
    }

    @Test func kornblithNumbersThroughTheTracker() throws {
        let (x, y) = try kornblithFixture()
        let tracker = try SimilarityTracker(taps: ["t"], options: .init(kernels: Self.kernels))
        _ = try tracker.append(epoch: 0, activations: ["t": x])
        let rows = try tracker.append(epoch: 1, activations: ["t": y])
        let expected = ["cka_linear": 0.55761, "cka_rbf": 0.65483, "cka_debiased": 0.51346]
        #expect(rows.count == 3)
        for row in rows {
            let values = try #require(row.values(of: "t"))
            #expect(values.count == 2 && values[1] == 1)
            expectClose(values[0], expected[row.kind]!, 5e-6, row.kind)
        }
    }

    @Test func unbiasedHSICFormulaEqualsUCentredInnerProduct() throws {
        let (x, y) = try kornblithFixture()
        let k = try x.matmul(x.transposed()), l = try y.matmul(y.transposed())
        let n = 100.0
        let viaU = try (CKA.uCentred(k) * CKA.uCentred(l)).sum().item() / (n * (n - 3))
        let formula = try CKA.unbiasedHSIC(k, l)
        expectClose(formula, viaU, 1e-9 * abs(formula))
        // And the debiased CKA of the tracker's embeddings equals the formula's.
        expectClose(try GramEmbedding(x, kernel: .debiasedLinear).cka(with: GramEmbedding(y, kernel: .debiasedLinear)),
                    try CKA.debiased(x, y), 1e-12)
    }

    @Test(arguments: kernels) func selfSimilarityIsOne(kernel: CKAKernel) throws {
        let x = try gaussian([60, 30], seed: 1)
        expectClose(try CKA.similarity(x, x, kernel: kernel), 1, 1e-12)
    }

    @Test(arguments: kernels) func symmetric(kernel: CKAKernel) throws {
        let x = try gaussian([50, 20], seed: 2), y = try gaussian([50, 70], seed: 3).relu()
        expectClose(try CKA.similarity(x, y, kernel: kernel), try CKA.similarity(y, x, kernel: kernel), 1e-13)
    }

    @Test func biasedValuesLieInUnitInterval() throws {
        for seed in UInt64(0)..<6 {
            let x = try gaussian([40, 5 + Int(seed) * 20], seed: seed)
            let y = try (x.narrow(1, start: 0, length: 5) + gaussian([40, 5], seed: seed + 100)).tanh()
            for kernel in [CKAKernel.linear, .rbf(threshold: 0.5), .rbf(threshold: 2)] {
                let v = try CKA.similarity(x, y, kernel: kernel)
                #expect(v >= 0 && v <= 1 + 1e-12, "\(kernel) gave \(v)")
            }
        }
    }

    @Test(arguments: kernels) func invariances(kernel: CKAKernel) throws {
        let x = try gaussian([64, 12], seed: 4)
        let y = try (x.matmul(gaussian([12, 9], seed: 5)) + gaussian([64, 9], seed: 6)).relu()
        let base = try CKA.similarity(x, y, kernel: kernel)
        let q = try orthogonal(12, seed: 7)
        let featurePermutation = try Tensor.randperm(12, generator: Generator(seed: 8))
        let examplePermutation = try Tensor.randperm(64, generator: Generator(seed: 9))
        let shift = try gaussian([1, 12], seed: 10) * 5.0
        let cases: [(String, Tensor, Tensor)] = [
            ("orthogonal", try x.matmul(q), y),
            ("isotropic scaling", try x * 3.7, try y * 0.02),
            ("translation", try x + shift, try y - 11.0),
            ("feature permutation", try x.indexSelect(1, featurePermutation), y),
            ("joint example permutation", try x.indexSelect(0, examplePermutation),
             try y.indexSelect(0, examplePermutation)),
        ]
        for (name, a, b) in cases {
            expectClose(try CKA.similarity(a, b, kernel: kernel), base, 1e-9, "\(kernel) \(name)")
        }
    }

    @Test func notInvariantToAGeneralInvertibleLinearMap() throws {
        let x = try gaussian([64, 12], seed: 4)
        let y = try (x.narrow(1, start: 0, length: 6) + gaussian([64, 6], seed: 11))
        let a = try gaussian([12, 12], seed: 12) + Tensor.eye(12, dtype: .float64) * 0.5
        // Stretch one direction strongly: CKA weighs directions by their variance.
        let stretch = try Tensor((0..<12).map { $0 == 11 ? 30.0 : 1.0 }, shape: [1, 12])
        let moved = try x.matmul(a) * stretch
        let base = try CKA.linear(x, y), after = try CKA.linear(moved, y)
        #expect(abs(base - after) > 1e-2, "\(base) vs \(after)")
    }

    @Test(arguments: [(50, 8, 13), (30, 80, 45), (40, 40, 200)])
    func gramAndFeatureFormsAgree(n: Int, p: Int, q: Int) throws {
        let x = try gaussian([n, p], seed: UInt64(n + p))
        let y = try (gaussian([n, q], seed: UInt64(q)) + x.narrow(1, start: 0, length: 1)).relu()
        let gram = try CKA.linear(x, y, form: .gram), feature = try CKA.linear(x, y, form: .feature)
        expectClose(gram, feature, 1e-12)
        expectClose(try CKA.linear(x, y), gram, 1e-12)
    }

    @Test func oneFeatureGivesPearsonRSquared() throws {
        let a = try gaussian([80], seed: 20).toArray(Double.self)
        let b = zip(a, try gaussian([80], seed: 21).toArray(Double.self)).map { 0.6 * $0 + $1 }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        let (ma, mb) = (mean(a), mean(b))
        let cov = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
        let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
        let r2 = cov * cov / (va * vb)
        let x = try Tensor(a, shape: [80, 1]), y = try Tensor(b, shape: [80, 1])
        expectClose(try CKA.linear(x, y, form: .gram), r2, 1e-12)
        expectClose(try CKA.linear(x, y, form: .feature), r2, 1e-12)
    }

    @Test func rbfTendsToLinearAsBandwidthGrows() throws {
        let x = try gaussian([50, 6], seed: 30)
        let y = try (x + gaussian([50, 6], seed: 31)).tanh()
        let linear = try CKA.linear(x, y)
        let gaps = try [0.5, 5, 50, 500].map { abs(try CKA.rbf(x, y, threshold: $0) - linear) }
        #expect(gaps[3] < 1e-5, "gap at t = 500: \(gaps[3])")
        #expect(gaps[1] > gaps[2] && gaps[2] > gaps[3], "gaps \(gaps)")
    }

    @Test func independentGaussiansWithManyFeatures() throws {
        let x = try gaussian([30, 3000], seed: 40), y = try gaussian([30, 3000], seed: 41)
        let biased = try CKA.linear(x, y), debiased = try CKA.debiased(x, y)
        #expect(biased > 0.8, "biased \(biased)")
        #expect(abs(debiased) < 0.05, "debiased \(debiased)")
    }

    @Test func float32InputMatchesFloat64() throws {
        let x = try gaussian([40, 300], seed: 50, dtype: .float32)
        let y = try gaussian([40, 300], seed: 51, dtype: .float32)
        for kernel in Self.kernels {
            expectClose(try CKA.similarity(x, y, kernel: kernel),
                        try CKA.similarity(x.to(.float64), y.to(.float64), kernel: kernel), 1e-12, "\(kernel)")
        }
    }

    @Test func debiasedNeedsFourExamples() throws {
        let x = try gaussian([3, 5], seed: 60), y = try gaussian([3, 5], seed: 61)
        let error = #expect(throws: DynamicsError.self) { try CKA.debiased(x, y) }
        #expect(error?.code == .tooFewExamples)
        let x4 = try gaussian([4, 5], seed: 60), y4 = try gaussian([4, 5], seed: 61)
        #expect(try CKA.debiased(x4, y4).isFinite)
    }

    @Test(arguments: kernels) func mismatchedExamplesThrow(kernel: CKAKernel) throws {
        let error = #expect(throws: DynamicsError.self) {
            try CKA.similarity(gaussian([10, 3], seed: 1), gaussian([11, 3], seed: 2), kernel: kernel)
        }
        #expect(error?.code == .mismatchedExamples)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteInputThrows(bad: Double) throws {
        var values = try gaussian([10, 4], seed: 3).toArray(Double.self)
        values[17] = bad
        let x = try Tensor(values, shape: [10, 4]), y = try gaussian([10, 4], seed: 4)
        for kernel in Self.kernels {
            let error = #expect(throws: DynamicsError.self) { try CKA.similarity(y, x, kernel: kernel) }
            #expect(error?.code == .nonFiniteInput)
        }
    }

    @Test func constantRepresentationThrows() throws {
        let error = #expect(throws: DynamicsError.self) {
            try CKA.linear(Tensor.ones([10, 4], dtype: .float64), gaussian([10, 4], seed: 5))
        }
        #expect(error?.code == .constantRepresentation)
    }
}

@Suite("Torch additions used by CKA")
struct GramOpTests {
    @Test(arguments: [DType.float64, .float32])
    func gramEqualsProductWithTranspose(dtype: DType) throws {
        let x = try gaussian([37, 91], seed: 70, dtype: dtype)
        let got = try x.gram().to(.float64).toArray(Double.self)
        let want = try x.to(.float64).matmul(x.to(.float64).transposed()).toArray(Double.self)
        let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < (dtype == .float64 ? 1e-11 : 1e-3), "largest difference \(worst)")
        let k = try x.gram()
        #expect(try (k - k.transposed()).abs().max().item() == 0, "not exactly symmetric")
    }

    @Test(arguments: [DType.float64, .float32])
    func lowerOnlyGramIsTheLowerTriangle(dtype: DType) throws {
        let x = try gaussian([9, 5], seed: 71, dtype: dtype)
        let full = try x.gram().to(.float64).toArray(Double.self)
        let lower = try x.gram(lowerOnly: true).to(.float64).toArray(Double.self)
        for i in 0..<9 {
            for j in 0..<9 { #expect(lower[i * 9 + j] == (j <= i ? full[i * 9 + j] : 0), "[\(i), \(j)]") }
        }
    }

    @Test func triangleIndicesAreRowMajor() throws {
        let rc = try Tensor.trilIndices(3).toArray(Int64.self)
        #expect(rc == [0, 1, 1, 2, 2, 2, 0, 0, 1, 0, 1, 2])
    }

    @Test func packedLowerTriangleCentresAndScales() throws {
        let k = try gaussian([4, 4], seed: 72)
        let m = try gaussian([4], seed: 73)
        let packed = try k.packedLowerTriangle(offDiagonalScale: 3, subtractingRowMeans: m).toArray(Double.self)
        let kv = try k.toArray(Double.self), mv = try m.toArray(Double.self)
        let g = mv.reduce(0, +) / 4
        var expected: [Double] = []
        for i in 0..<4 { for j in 0...i { expected.append((kv[i * 4 + j] - mv[i] - mv[j] + g) * (i == j ? 1 : 3)) } }
        #expect(zip(packed, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(packed) vs \(expected)")
        let plain = try k.packedLowerTriangle().toArray(Double.self)
        #expect(plain == [kv[0], kv[4], kv[5], kv[8], kv[9], kv[10], kv[12], kv[13], kv[14], kv[15]])
    }
}
