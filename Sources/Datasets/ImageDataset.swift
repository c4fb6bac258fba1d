import Foundation
import Torch

/// Images and labels held on the host: N×C×H×W bytes or floats, with class labels.
public struct ImageDataset: Sendable {
    public var name: String
    public var channels: Int
    public var height: Int
    public var width: Int
    public var classes: Int
    /// Pixel values in [0, 1], row-major N×C×H×W.
    public var pixels: [Float]
    public var labels: [Int]

    public var count: Int { labels.count }

    public init(name: String, channels: Int, height: Int, width: Int, classes: Int, pixels: [Float], labels: [Int]) {
        precondition(pixels.count == labels.count * channels * height * width, "pixel count does not match shape")
        (self.name, self.channels, self.height, self.width) = (name, channels, height, width)
        (self.classes, self.pixels, self.labels) = (classes, pixels, labels)
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageDataset {
        let size = channels * height * width
        var pixels = [Float]()
        pixels.reserveCapacity(indices.count * size)
        for i in indices { pixels.append(contentsOf: self.pixels[(i * size)..<((i + 1) * size)]) }
        return ImageDataset(name: name, channels: channels, height: height, width: width, classes: classes,
                            pixels: pixels, labels: indices.map { labels[$0] })
    }

    /// `size` examples drawn without replacement from the seed (all of them, in order, when size is 0 or ≥ N).
    public func sample(_ size: Int, seed: Int, purpose: UInt64) -> ImageDataset {
        guard size > 0, size < count else { return self }
        var rng = SplitMix64.stream(seed: seed, purpose: purpose)
        var order = Array(0..<count)
        order.shuffle(using: &rng)
        return subset(Array(order.prefix(size)).sorted())
    }

    /// Per-channel mean and standard deviation of the pixels.
    public func channelStatistics() -> (mean: [Double], std: [Double]) {
        let plane = height * width
        var mean = [Double](repeating: 0, count: channels), square = mean
        for n in 0..<count {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                var s = 0.0, q = 0.0
                for v in pixels[base..<(base + plane)] {
                    s += Double(v)
                    q += Double(v) * Double(v)
                }
                mean[c] += s
                square[c] += q
            }
        }
        let total = Double(max(count * plane, 1))
        let m = mean.map { $0 / total }
        let s = zip(square, m).map { Swift.max($0 / total - $1 * $1, 1e-12).squareRoot() }
        return (m, s)
    }

    /// The images as an N×C×H×W Float32 tensor, normalized with the given per-channel statistics.
    public func tensor(mean: [Double], std: [Double]) throws -> Tensor {
        let raw = try pixels.withUnsafeBytes {
            try Tensor.fromBytes($0, shape: [count, channels, height, width], dtype: .float32)
        }
        let m = try Tensor(mean.map(Float.init), shape: [1, channels, 1, 1])
        let s = try Tensor(std.map(Float.init), shape: [1, channels, 1, 1])
        return try (raw - m) / s
    }
}
