import Foundation

/// A small seeded generator (SplitMix64) for choices made on the host: subsets, label noise,
/// synthetic data. Independent of libtorch, so these choices never change with its version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal value (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2)
    }

    /// A generator derived from a seed and a purpose, so that streams for different uses differ.
    public static func stream(seed: Int, purpose: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: UInt64(bitPattern: Int64(seed)) ^ (purpose &* 0x2545_F491_4F6C_DD1D))
        _ = g.next()
        return g
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
