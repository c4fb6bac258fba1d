import Torch

/// Turns a tensor dataset into minibatches: seeded shuffling each epoch, optional augmentation
/// (random crop with padding 4 and horizontal flip) done on whole batches, last partial batch kept.
public final class Batches {
    public let images: Tensor
    public let labels: Tensor
    public let batchSize: Int
    public let augment: Bool
    /// Drives the order and the augmentation; its state is part of a checkpoint.
    public let generator: Generator
    public var count: Int { images.size(0) }

    public init(images: Tensor, labels: Tensor, batchSize: Int, augment: Bool, seed: UInt64) throws {
        precondition(batchSize > 0, "batch size must be positive")
        (self.images, self.labels, self.batchSize, self.augment) = (images, labels, batchSize, augment)
        generator = try Generator(seed: seed)
    }

    /// Number of batches in an epoch.
    public var batchesPerEpoch: Int { (count + batchSize - 1) / batchSize }

    /// Calls `body` with each batch of one epoch (shuffled when `shuffle`).
    public func forEachBatch(shuffle: Bool, _ body: (Tensor, Tensor) throws -> Void) throws {
        let order = shuffle ? try Tensor.randperm(count, generator: generator).to(images.device) : nil
        for start in stride(from: 0, to: count, by: batchSize) {
            let length = Swift.min(batchSize, count - start)
            var x: Tensor, y: Tensor
            if let order {
                let index = try order.narrow(0, start: start, length: length)
                x = try images.indexSelect(0, index)
                y = try labels.indexSelect(0, index)
            } else {
                x = try images.narrow(0, start: start, length: length)
                y = try labels.narrow(0, start: start, length: length)
            }
            if augment { x = try augmentBatch(x) }
            try body(x, y)
        }
    }

    /// Random crop (padding 4) and horizontal flip of a batch, one draw per example.
    func augmentBatch(_ x: Tensor) throws -> Tensor {
        let (n, h, w) = (x.size(0), x.size(2), x.size(3))
        let pad = 4
        let padded = try x.padded([pad, pad, pad, pad])
        let offsets = try Tensor.randint(0, 2 * pad + 1, [n, 2], generator: generator).toArray(Int64.self)
        let flips = try Tensor.rand([n], generator: generator).lt(0.5).to(x.device)
        var crops: [Tensor] = []
        crops.reserveCapacity(n)
        for i in 0..<n {
            let image = try padded.narrow(0, start: i, length: 1)
            crops.append(try image.narrow(2, start: Int(offsets[2 * i]), length: h)
                .narrow(3, start: Int(offsets[2 * i + 1]), length: w))
        }
        let cropped = try Tensor.cat(crops, dim: 0)
        return try Tensor.where(flips.reshape([n, 1, 1, 1]), cropped.flip([3]), cropped)
    }
}
