import Torch

/// A classifier whose measured layers (taps) can be returned with the logits in one pass.
open class Network: Module, Layer {
    /// Names of the taps in model order.
    open var tapNames: [String] { [] }

    /// Logits, and the tapped activations when `collectTaps` is true.
    open func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        fatalError("\(type(of: self)) must override forward(_:collectTaps:)")
    }

    /// Logits only.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, collectTaps: false).logits }
}

/// Collects tapped activations in order when asked to.
struct TapRecorder {
    let enabled: Bool
    var taps: [(String, Tensor)] = []

    init(_ enabled: Bool) { self.enabled = enabled }

    mutating func record(_ name: String, _ t: Tensor) {
        if enabled { taps.append((name, t)) }
    }
}

/// An error in a model's configuration.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
