import Torch

/// Builds a network from an architecture name, a width and options, for any input shape and class count.
public enum ModelFactory {
    public static let architectures = ["mlp", "cnn5", "resnet18", "vit"]

    /// The architecture's options with defaults resolved.
    public struct Options: Sendable {
        public var arch: String
        public var width: Int
        /// mlp hidden layers (default 2) or vit blocks (default 6); 0 = default.
        public var depth: Int = 0
        /// vit heads; 0 = max(1, width / 64).
        public var heads: Int = 0
        public var patch: Int = 4
        public var dropout: Double = 0

        public init(arch: String, width: Int, depth: Int = 0, heads: Int = 0, patch: Int = 4, dropout: Double = 0) {
            (self.arch, self.width, self.depth, self.heads, self.patch, self.dropout) =
                (arch, width, depth, heads, patch, dropout)
        }
    }

    /// A new network with parameters drawn from `generator`.
    public static func make(_ o: Options, channels: Int, height: Int, width: Int, classes: Int,
                            generator: Generator?) throws -> Network
    {
        guard o.width > 0 else { throw ModelError(.invalidOption, "\(o.arch): width must be positive, got \(o.width)") }
        switch o.arch {
        case "mlp":
            return try MLP(inputFeatures: channels * height * width, width: o.width, depth: o.depth > 0 ? o.depth : 2,
                           classes: classes, generator: generator)
        case "cnn5":
            return try CNN5(channels: channels, width: o.width, classes: classes, generator: generator)
        case "resnet18":
            return try PreActResNet18(channels: channels, width: o.width, classes: classes, generator: generator)
        case "vit":
            let heads = o.heads > 0 ? o.heads : Swift.max(1, o.width / 64)
            return try ViT(channels: channels, height: height, width: width, dim: o.width,
                           depth: o.depth > 0 ? o.depth : 6, heads: heads, patch: o.patch, mlpDim: 2 * o.width,
                           classes: classes, dropout: o.dropout, generator: generator)
        default:
            throw ModelError(.unknownArchitecture, "unknown architecture '\(o.arch)'; use one of: "
                             + architectures.joined(separator: ", "))
        }
    }
}
