import Models
import Testing
import Torch

/// The inference path of the residual block (ReLU and the residual sum in place, without autograd) and
/// channels-last input compute what the plain forward pass computes.
struct InferencePathTests {
    func maxDifference(_ a: Tensor, _ b: Tensor) throws -> Double { try (a - b).abs().max().item() }

    @Test func inPlaceInferenceAndChannelsLastEqualThePlainForwardPass() throws {
        let network = try ModelFactory.make(.init(arch: "resnet18", width: 4), channels: 1, height: 28, width: 28,
                                            classes: 10, generator: try Generator(seed: 11))
        // A few training steps give the batch norms running statistics that are not the identity.
        let x = try Tensor.randn([8, 1, 28, 28], generator: try Generator(seed: 12))
        let optimizer = try Optimizer(.sgd(momentum: 0.9), parameters: network.parameters, learningRate: 0.05)
        for _ in 0..<3 {
            try optimizer.zeroGrad()
            try Functional.crossEntropy(network(x), targets: Tensor([Int64](0..<8))).backward()
            try optimizer.step()
        }
        network.setTraining(false)
        // With autograd on, the block takes its plain path; without, the in-place one.
        let plain = try network.forward(x, collectTaps: true)
        let (inPlace, channelsLast) = try withNoGrad {
            (try network.forward(x, collectTaps: true), try network.forward(x.channelsLast(), collectTaps: true))
        }
        #expect(try maxDifference(plain.logits, inPlace.logits) == 0)
        #expect(try maxDifference(plain.logits, channelsLast.logits) < 1e-4)
        for ((name, a), ((_, b), (_, c))) in zip(plain.taps, zip(inPlace.taps, channelsLast.taps)) {
            #expect(try maxDifference(a, b) == 0, "\(name)")
            #expect(try maxDifference(a, c) < 1e-4, "\(name)")
        }
        #expect(try x.channelsLast().isChannelsLast && !x.isChannelsLast)
        #expect(channelsLast.taps.first.map { $0.1.isChannelsLast } == true)
        // The input is left as it was (nothing is written into a tensor the caller holds).
        #expect(try maxDifference(x, Tensor.randn([8, 1, 28, 28], generator: try Generator(seed: 12))) == 0)
    }
}
