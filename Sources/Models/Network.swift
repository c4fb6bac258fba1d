import Torch

/// A classifier whose measured layers (taps) can be returned with the logits in one pass.
open class Network: Module, Layer {
    /// Names of the taps in model order.
    open var tapNames: [String] { [] }

    /// Logits, and the tapped activations when `collectTaps` is true.
    open func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        fatalError("\(type(of: self)) must override forward(_:collectTaps:)")
    }

    /// Whether inference is faster on channels-last (NHWC) input: true for the convolutional networks, whose
    /// oneDNN convolutions then skip reordering every activation (≈ 30% less time per image for resnet18 k=8 on
    /// one thread). The measurement's grid passes use it; training and evaluation keep NCHW.
    open var prefersChannelsLast: Bool { false }

    /// Logits only.
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try forward(x, collectTaps: false).logits }

    /// Applied to every tapped activation as the forward pass produces it, when set: a measurement that needs
    /// only a reduction of each tap (pooled features) gets it while the activation is still in cache, and the
    /// full activation is freed at once.
    public var tapTransform: ((Tensor) throws -> Tensor)?
}

/// Collects tapped activations (transformed, when the network has a `tapTransform`) in order when asked to.
struct TapRecorder {
    let enabled: Bool
    let transform: ((Tensor) throws -> Tensor)?
    var taps: [(String, Tensor)] = []

    init(_ enabled: Bool, transform: ((Tensor) throws -> Tensor)? = nil) {
        (self.enabled, self.transform) = (enabled, transform)
    }

    mutating func record(_ name: String, _ t: Tensor) throws {
        if enabled { taps.append((name, try transform?(t) ?? t)) }
    }
}

/// An error in a model's configuration.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
