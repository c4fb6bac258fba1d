import Foundation

/// One task of an expanded sweep: its stable id, a readable label and the resolved spec.
public struct PlannedTask: Sendable, Hashable {
    /// Stable id derived from the resolved spec (same spec, same id).
    public var id: String
    /// The grid values that make this task, e.g. `arch=mlp optimizer=sgd seed=0`.
    public var label: String
    public var spec: TaskSpec

    public init(spec: TaskSpec, label: String) throws {
        self.spec = spec
        self.label = label
        self.id = try PlannedTask.id(of: spec)
    }

    /// Canonical JSON of a spec: sorted keys, no whitespace.
    public static func canonicalJSON(_ spec: TaskSpec) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(spec), as: UTF8.self)
    }

    /// `t` and 16 hex digits of the 64-bit FNV-1a hash of the canonical JSON.
    public static func id(of spec: TaskSpec) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in try canonicalJSON(spec).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "t" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
