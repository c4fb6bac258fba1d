import Foundation

/// The commands of the Strata protocol (docs/PROTOCOL.md).
public enum Command: String, Sendable, CaseIterable {
    case ready = "READY"
    case task = "TASK"
    case event = "EVENT"
    case ack = "ACK"
    case done = "DONE"
    case fail = "FAIL"
    case heartbeat = "HEARTBEAT"
    case cancel = "CANCEL"
    case bye = "BYE"
}

/// Why an inbound message was rejected.
public struct WireError: Error, CustomStringConvertible, Sendable {
    /// What was wrong.
    public enum Code: Sendable { case malformed, version, command, body }
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) { (self.code, self.message) = (code, message) }
    public var description: String { message }
}

/// One protocol message: `[tag, command, JSON body, payload frames…]` (a ROUTER adds the peer's
/// identity in front).
public struct WireMessage: Sendable {
    /// Protocol tag and version, the first frame of every message.
    public static let tag = "STRATA/1"
    /// The protocol version this build speaks.
    public static let version = 1
    static let tagBytes = Array(tag.utf8)

    public var command: Command
    /// The JSON body.
    public var body: [UInt8]
    /// Extra frames after the body: the event JSON of EVENT, the spec JSON of TASK, binary data.
    public var payload: [[UInt8]]

    /// A message with an encoded body.
    public init<Body: Encodable>(_ command: Command, _ body: Body, payload: [[UInt8]] = []) {
        self.command = command
        self.body = Array((try? WireMessage.encoder.encode(body)) ?? Data("{}".utf8))
        self.payload = payload
    }

    /// A message from raw parts.
    public init(command: Command, body: [UInt8], payload: [[UInt8]] = []) {
        (self.command, self.body, self.payload) = (command, body, payload)
    }

    /// The frames to send (without a routing identity).
    public var frames: [[UInt8]] { [WireMessage.tagBytes, Array(command.rawValue.utf8), body] + payload }

    /// Parses frames (without a routing identity), checking tag, version and command.
    public init(frames: [[UInt8]]) throws {
        guard frames.count >= 3 else {
            throw WireError(.malformed, "expected at least 3 frames (tag, command, body), got \(frames.count)")
        }
        guard frames[0] == WireMessage.tagBytes else {
            let text = String(decoding: frames[0].prefix(32), as: UTF8.self)
            if text.hasPrefix("STRATA/") {
                throw WireError(.version, "protocol version '\(text)' is not supported; this coordinator speaks \(WireMessage.tag)")
            }
            throw WireError(.malformed, "first frame is not the protocol tag \(WireMessage.tag)")
        }
        guard let command = Command(rawValue: String(decoding: frames[1], as: UTF8.self)) else {
            throw WireError(.command, "unknown command '\(String(decoding: frames[1].prefix(32), as: UTF8.self))'")
        }
        self.command = command
        self.body = frames[2]
        self.payload = Array(frames.dropFirst(3))
    }

    /// Decodes the body as `type`.
    public func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        do {
            return try WireMessage.decoder.decode(type, from: Data(body))
        } catch {
            throw WireError(.body, "\(command.rawValue) body does not decode: \(error)")
        }
    }

    nonisolated(unsafe) static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()
    nonisolated(unsafe) static let decoder = JSONDecoder()
}

/// A lease: one attempt of one task.
public struct Lease: Codable, Hashable, Sendable {
    public var task: String
    public var attempt: Int
    public init(task: String, attempt: Int) { (self.task, self.attempt) = (task, attempt) }
}

/// READY: a worker announces itself (and, after a reconnect, the leases it still runs).
public struct ReadyBody: Codable, Sendable {
    public var worker: String
    public var version: Int
    public var slots: Int
    public var threads: Int
    public var device: String
    public var host: String
    public var pid: Int
    public var running: [Lease]
    public init(worker: String, version: Int = WireMessage.version, slots: Int, threads: Int, device: String,
                host: String, pid: Int, running: [Lease])
    {
        (self.worker, self.version, self.slots, self.threads) = (worker, version, slots, threads)
        (self.device, self.host, self.pid, self.running) = (device, host, pid, running)
    }
}

/// TASK: a lease handed to a worker; the spec JSON is payload frame 0.
public struct TaskBody: Codable, Sendable {
    public var task: String
    public var attempt: Int
    public init(task: String, attempt: Int) { (self.task, self.attempt) = (task, attempt) }
}

/// EVENT / ACK / DONE: a position in the per-lease message sequence. EVENT carries the
/// `TrainingEvent` JSON as payload frame 0.
public struct SequenceBody: Codable, Sendable {
    public var task: String
    public var attempt: Int
    public var seq: Int
    public init(task: String, attempt: Int, seq: Int) { (self.task, self.attempt, self.seq) = (task, attempt, seq) }
}

/// FAIL: a lease ended in an error.
public struct FailBody: Codable, Sendable {
    public var task: String
    public var attempt: Int
    public var seq: Int
    public var error: String
    public var retryable: Bool
    public init(task: String, attempt: Int, seq: Int, error: String, retryable: Bool) {
        (self.task, self.attempt, self.seq, self.error, self.retryable) = (task, attempt, seq, error, retryable)
    }
}

/// HEARTBEAT: liveness both ways. From the coordinator it carries the timing and whether the
/// worker is known (an unknown worker must send READY again).
public struct HeartbeatBody: Codable, Sendable {
    public var intervalMs: Int?
    public var timeoutMs: Int?
    public var known: Bool?
    public init(intervalMs: Int? = nil, timeoutMs: Int? = nil, known: Bool? = nil) {
        (self.intervalMs, self.timeoutMs, self.known) = (intervalMs, timeoutMs, known)
    }
    enum CodingKeys: String, CodingKey { case intervalMs = "interval_ms", timeoutMs = "timeout_ms", known }
}

/// CANCEL: stop a lease (taken away, timed out, or the sweep is stopping).
public struct CancelBody: Codable, Sendable {
    public var task: String
    public var attempt: Int
    public var reason: String
    public init(task: String, attempt: Int, reason: String) { (self.task, self.attempt, self.reason) = (task, attempt, reason) }
}

/// BYE: the sender leaves (a worker stopping, or the coordinator ending the sweep).
public struct ByeBody: Codable, Sendable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}
