import Torch

/// A fully connected network: `depth` hidden layers of `width` units with ReLU. Taps: each hidden layer.
public final class MLP: Network {
    public let hidden: [Linear]
    public let head: Linear

    public init(inputFeatures: Int, width: Int, depth: Int, classes: Int, generator: Generator?) throws {
        var layers: [Linear] = []
        var features = inputFeatures
        for _ in 0..<depth {
            layers.append(try Linear(features, width, generator: generator))
            features = width
        }
        hidden = layers
        head = try Linear(features, classes, generator: generator)
        super.init()
        for (i, layer) in layers.enumerated() { register(child: "hidden.\(i)", layer) }
        register(child: "head", head)
    }

    public override var tapNames: [String] { hidden.indices.map { "hidden\($0 + 1)" } }

    public override func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        var recorder = TapRecorder(collectTaps, transform: tapTransform)
        var h = try x.flatten(from: 1)
        for (i, layer) in hidden.enumerated() {
            h = try layer(h).relu()
            try recorder.record("hidden\(i + 1)", h)
        }
        return (try head(h), recorder.taps)
    }
}
