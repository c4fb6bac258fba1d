import Torch

/// Loss and predictions of a network over a whole set, in evaluation mode, in chunks.
struct Evaluation {
    var loss: Double
    var predictions: Tensor

    /// Chunks of 500 keep the memory of a pass that also collects tap activations bounded (`FixedInputTaps`).
    init(network: (Tensor) throws -> Tensor, images: Tensor, labels: Tensor, chunk: Int = 500) throws {
        var total = 0.0
        var predictions: [Tensor] = []
        try withNoGrad {
            for start in stride(from: 0, to: images.size(0), by: chunk) {
                let length = Swift.min(chunk, images.size(0) - start)
                let logits = try network(images.narrow(0, start: start, length: length))
                let y = try labels.narrow(0, start: start, length: length)
                total += try Functional.crossEntropy(logits, targets: y, reduction: .sum).item()
                predictions.append(try logits.argmax(1))
            }
        }
        self.loss = total / Double(Swift.max(images.size(0), 1))
        self.predictions = try Tensor.cat(predictions, dim: 0)
    }

    /// Share of predictions equal to `labels`, over the examples where `mask` is 1 (all when nil).
    func accuracy(_ labels: Tensor, mask: Tensor? = nil) throws -> Double {
        let hits = try predictions.eq(labels).to(.float32)
        guard let mask else { return try hits.mean().item() }
        let count = try mask.sum().item()
        return count > 0 ? try (hits * mask).sum().item() / count : .nan
    }
}
