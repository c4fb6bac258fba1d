import Foundation

/// How long the coordinator's loop takes to store and acknowledge what it receives, summed over every batch of
/// messages since it started (published with the status, every quarter second). Measured with two clock readings
/// per batch, never per message.
public struct LoopTimings: Sendable, Equatable {
    /// Batches of received messages handled (each in one store transaction).
    public var batches = 0
    /// Seconds from a batch's receipt to its transaction's commit, summed, and the longest.
    public var commitSeconds = 0.0
    public var commitMax = 0.0
    /// Seconds from a batch's receipt to its acknowledgements handed to the socket (commit, the timers' work
    /// and the send), summed, and the longest.
    public var ackSeconds = 0.0
    public var ackMax = 0.0

    public init() {}

    /// Adds one batch received at `received`, committed at `committed` and acknowledged at `acknowledged`.
    mutating func add(received: Date, committed: Date, acknowledged: Date) {
        let commit = committed.timeIntervalSince(received), ack = acknowledged.timeIntervalSince(received)
        batches += 1
        commitSeconds += commit
        ackSeconds += ack
        commitMax = max(commitMax, commit)
        ackMax = max(ackMax, ack)
    }
}
