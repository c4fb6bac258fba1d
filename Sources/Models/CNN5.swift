import Torch

/// Nakkiran et al.'s 5-layer CNN: four conv3×3-BN-ReLU blocks of widths [k, 2k, 4k, 8k], max
/// pooling after blocks 2–4, a global max pool, and a linear layer. Taps: the four blocks and the
/// pooled features.
public final class CNN5: Network {
    public let convs: [Conv2d]
    public let norms: [BatchNorm2d]
    public let head: Linear

    public init(channels: Int, width k: Int, classes: Int, generator: Generator?) throws {
        let widths = [k, 2 * k, 4 * k, 8 * k]
        var convs: [Conv2d] = [], norms: [BatchNorm2d] = []
        var inChannels = channels
        for w in widths {
            convs.append(try Conv2d(inChannels, w, kernel: 3, padding: 1, generator: generator))
            norms.append(try BatchNorm2d(w))
            inChannels = w
        }
        (self.convs, self.norms) = (convs, norms)
        head = try Linear(8 * k, classes, generator: generator)
        super.init()
        for i in 0..<4 {
            register(child: "conv\(i + 1)", convs[i])
            register(child: "bn\(i + 1)", norms[i])
        }
        register(child: "fc", head)
    }

    public override var prefersChannelsLast: Bool { true }

    public override var tapNames: [String] { ["block1", "block2", "block3", "block4", "features"] }

    public override func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        var recorder = TapRecorder(collectTaps, transform: tapTransform)
        var h = try prepared(x)
        for i in 0..<4 {
            h = try norms[i](convs[i](h))
            try h.reluInPlace()  // into batch norm's output, which its backward pass does not keep
            if i > 0 && h.size(2) >= 2 && h.size(3) >= 2 { h = try Functional.maxPool2d(h, kernel: (2, 2)) }
            try recorder.record("block\(i + 1)", h)
        }
        let features = try h.max([2, 3])
        try recorder.record("features", features)
        return (try head(features), recorder.taps)
    }
}
