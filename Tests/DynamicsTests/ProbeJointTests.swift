import Dynamics
import Testing
import Torch

@Suite("Joint probes")
struct ProbeJointTests {
    @Test func jointTrainingEqualsTrainingEachProbeAlone() throws {
        let g = try Generator(seed: 4)
        let labels = try Tensor.randint(0, 3, [60], generator: g)
        let conv = try Tensor.randn([60, 2, 4, 4], generator: g)  // pooled to 8 features
        let tokens = try Tensor.randn([60, 5, 3], generator: g)   // pooled to 3 features
        let flat = try Tensor.randn([60, 11], generator: g) + labels.to(.float32).unsqueeze(1)
        let sameWidth = try Tensor.randn([60, 8], generator: g) * 3  // as wide as the pooled conv map: stacked with it
        let options = LinearProbe.Options(steps: 40)
        let all = [conv, tokens, flat, sameWidth]
        let joint = try LinearProbe.fitJointly(activations: all, labels: labels, classes: 3, options: options)
        #expect(joint.count == 4)
        for (probe, x) in zip(joint, all) {
            let alone = try LinearProbe(activations: x, labels: labels, classes: 3, options: options)
            #expect(abs(probe.trainAccuracy - alone.trainAccuracy) < 1e-9)
            #expect(try probe.predict(x).toArray(Int64.self) == alone.predict(x).toArray(Int64.self))
        }
        #expect(joint[2].trainAccuracy > 0.9)  // the separable features are learned
    }
}

/// Probe features of channels-last maps (the measurement's grid passes) come from libtorch's adaptive pooling;
/// they equal the averaging-matrix path used for NCHW maps, for even and odd sizes.
@Test func channelsLastProbeFeaturesEqualTheNCHWOnes() throws {
    for (channels, size) in [(8, 28), (16, 14), (32, 7), (3, 5)] {
        let x = try Tensor.randn([6, channels, size, size], generator: try Generator(seed: UInt64(size)))
        let nchw = try LinearProbe.pooledFeatures(x)
        let nhwc = try LinearProbe.pooledFeatures(x.channelsLast())
        #expect(nchw.shape == [6, channels * 4] && nhwc.shape == nchw.shape)
        #expect(try (nchw - nhwc).abs().max().item() < 1e-5, "\(channels) × \(size) × \(size)")
    }
}
