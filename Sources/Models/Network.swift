import Torch

/// A classifier whose measured layers (taps) can be returned with the logits in one pass.
open class Network: Module, Layer {
    /// Names of the taps in model order.
    open var tapNames: [String] { [] }

    /// Logits, and the tapped activations when `collectTaps` is true.
    open func forward(_ x: Tensor, collectTaps: Bool) throws -> (logits: Tensor, taps: [(String, Tensor)]) {
        fatalError("\(type(of: self)) must override forward(_:collectTaps:)")
    }

    /// Whether the network runs faster in channels-last (NHWC) memory order on the CPU: true for the convolutional
    /// networks, whose oneDNN convolutions then skip reordering every activation (training and inference).
    open var prefersChannelsLast: Bool { false }

    /// Whether the weights are channels-last (`useChannelsLastLayout()`); `prepared(_:)` then restrides input.
    public private(set) var runsChannelsLast = false

    /// Puts the weights in channels-last order when the network prefers it (`prefersChannelsLast`), so that
    /// training, evaluation and measurement all run NHWC. Call before an optimizer takes the parameters.
    public func useChannelsLastLayout() throws {
        guard prefersChannelsLast else { return }
        try useChannelsLast()
        runsChannelsLast = true
    }

    /// The network's input in the memory order its weights use (a copy only when it differs).
    public func prepared(_ x: Tensor) throws -> Tensor {
        runsChannelsLast && x.rank == 4 && !x.isChannelsLast ? try x.channelsLast() : x
    }

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

/// A model that cannot be built from its options: the message names the option and what it accepts.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    /// The kinds of problem.
    public enum Code: String, Sendable {
        /// No architecture of that name: use one the message lists.
        case unknownArchitecture
        /// An option out of range or inconsistent with the input (a width, a patch size, heads): change it.
        case invalidOption
    }

    public var code: Code
    public var message: String
    public var description: String { message }
    public init(_ code: Code, _ message: String) { (self.code, self.message) = (code, message) }
}
