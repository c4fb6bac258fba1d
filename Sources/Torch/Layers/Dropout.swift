/// Dropout with probability `p` in training mode; the identity in evaluation mode.
public final class Dropout: Module, Layer {
    public let p: Double

    public init(_ p: Double) {
        self.p = p
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, p > 0 else { return x }
        return try Functional.dropout(x, p: p, training: true)
    }
}
