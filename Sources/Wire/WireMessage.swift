import FlatJSON
import Foundation
import Sweep

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
    case status = "STATUS"
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

    /// A message with an encoded body (sorted keys). The bodies of the hot paths, sequence numbers (EVENT, ACK,
    /// DONE) and TASK, are written without `JSONEncoder`, byte for byte as it would.
    public init<Body: Encodable>(_ command: Command, _ body: Body, payload: [[UInt8]] = []) {
        self.command = command
        if let flat = body as? SequenceBody {
            self.body = flat.json
        } else if let flat = body as? TaskBody {
            self.body = flat.json
        } else {
            self.body = Array((try? WireMessage.encoder.encode(body)) ?? Data("{}".utf8))
        }
        self.payload = payload
    }

    /// A message from raw parts.
    public init(command: Command, body: [UInt8], payload: [[UInt8]] = []) {
        (self.command, self.body, self.payload) = (command, body, payload)
    }

    /// The frames to send (without a routing identity).
    public var frames: [[UInt8]] { [WireMessage.tagBytes, Array(command.rawValue.utf8), body] + payload }

    /// Parses frames (without a routing identity), checking tag, version and command.
    public init(frames: [[UInt8]]) throws { try self.init(frames: frames[...]) }

    /// Parses frames (a ROUTER passes those after the routing identity), checking tag, version and command.
    public init(frames: ArraySlice<[UInt8]>) throws {
        guard frames.count >= 3 else {
            throw WireError(.malformed, "expected at least 3 frames (tag, command, body), got \(frames.count)")
        }
        let first = frames.startIndex
        guard frames[first] == WireMessage.tagBytes else {
            let text = String(decoding: frames[first].prefix(32), as: UTF8.self)
            if text.hasPrefix("STRATA/") {
                throw WireError(.version, "protocol version '\(text)' is not supported; this coordinator speaks \(WireMessage.tag)")
            }
            throw WireError(.malformed, "first frame is not the protocol tag \(WireMessage.tag)")
        }
        guard let command = Command(rawValue: String(decoding: frames[first + 1], as: UTF8.self)) else {
            throw WireError(.command, "unknown command '\(String(decoding: frames[first + 1].prefix(32), as: UTF8.self))'")
        }
        self.command = command
        self.body = frames[first + 2]
        self.payload = frames.count > 3 ? Array(frames[(first + 3)...]) : []
    }

    /// Decodes the body as `type`.
    public func decode<Body: Decodable>(_ type: Body.Type) throws -> Body {
        if type == SequenceBody.self || type == TaskBody.self {
            // The hot paths (one per EVENT, ACK and TASK): a flat scan instead of JSONDecoder.
            do {
                return try (type == SequenceBody.self ? SequenceBody(json: body) as Any : TaskBody(json: body)) as! Body
            } catch {
                throw WireError(.body, "\(command.rawValue) body does not decode: \(error)")
            }
        }
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

    /// Reads `{"task","attempt"}` (other members are ignored).
    public init(json: [UInt8]) throws {
        let object = try FlatJSONObject(json)
        guard let task = object.string("task"), let attempt = object.int("attempt") else {
            throw WireError(.body, "expected {\"task\": string, \"attempt\": int}")
        }
        (self.task, self.attempt) = (task, attempt)
    }

    /// The body as JSON with sorted keys.
    public var json: [UInt8] {
        var writer = FlatJSONWriter(capacity: 40 + task.utf8.count)
        writer.write("attempt", attempt)
        writer.write("task", task)
        return writer.finish()
    }
}

/// EVENT / ACK / DONE: a position in the per-lease message sequence. EVENT carries the
/// `TrainingEvent` JSON as payload frame 0.
public struct SequenceBody: Codable, Sendable {
    public var task: String
    public var attempt: Int
    public var seq: Int
    public init(task: String, attempt: Int, seq: Int) { (self.task, self.attempt, self.seq) = (task, attempt, seq) }

    /// Reads `{"task","attempt","seq"}` (other members are ignored).
    public init(json: [UInt8]) throws {
        let object = try FlatJSONObject(json)
        guard let task = object.string("task"), let attempt = object.int("attempt"), let seq = object.int("seq") else {
            throw WireError(.body, "expected {\"task\": string, \"attempt\": int, \"seq\": int}")
        }
        (self.task, self.attempt, self.seq) = (task, attempt, seq)
    }

    /// The body as JSON with sorted keys.
    public var json: [UInt8] {
        var writer = FlatJSONWriter(capacity: 48 + task.utf8.count)
        writer.write("attempt", attempt)
        writer.write("seq", seq)
        writer.write("task", task)
        return writer.finish()
    }
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
    /// The coordinator's message size limit: a worker keeps its multi-event messages well below it.
    public var maxMessageBytes: Int?
    public init(intervalMs: Int? = nil, timeoutMs: Int? = nil, known: Bool? = nil, maxMessageBytes: Int? = nil) {
        (self.intervalMs, self.timeoutMs, self.known, self.maxMessageBytes) = (intervalMs, timeoutMs, known, maxMessageBytes)
    }
    enum CodingKeys: String, CodingKey {
        case intervalMs = "interval_ms", timeoutMs = "timeout_ms", known, maxMessageBytes = "max_message_bytes"
    }
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

/// STATUS: a client (not a worker) asks a running coordinator for live progress with an empty
/// body `{}`; the coordinator answers with this body. `strata status DIR --json` prints the same shape from a
/// sweep's store. Its keys: those of `SweepProgress` (`sweep`, `total`, `queued`, `leased`, `done`, `failed`,
/// `tasks_per_s`, `eta_s`), then `uptime_s`, `events` and `workers`; an unknown value is `null`, never absent.
@dynamicMemberLookup
public struct StatusBody: Codable, Sendable {
    /// Tasks by state, throughput and ETA (also read as `status.done`, `status.etaS`, …).
    public var progress: SweepProgress

    public subscript<T>(dynamicMember path: KeyPath<SweepProgress, T>) -> T { progress[keyPath: path] }
    /// Seconds since this coordinator process started (null when read from the store).
    public var uptimeS: Double?
    /// Events stored: since this coordinator process started (live), or in the whole sweep (from the store).
    public var events: Int
    /// Workers: those connected (live), or every worker that ever joined (from the store).
    public var workers: [Worker]
    /// Why queued tasks cannot go to any connected worker, while that is so (live; null otherwise).
    public var stalled: Stall?

    /// Queued tasks that no connected worker may take.
    public struct Stall: Codable, Sendable {
        /// What stops them: no worker connected, all quarantined, or no worker with the device they need.
        public var reason: String
        /// Seconds it has lasted, and seconds until the coordinator ends the sweep (null: it waits forever).
        public var forS: Double
        public var endsInS: Double?
        public init(reason: String, forS: Double, endsInS: Double?) {
            (self.reason, self.forS, self.endsInS) = (reason, forS, endsInS)
        }
        enum CodingKeys: String, CodingKey { case reason, forS = "for_s", endsInS = "ends_in_s" }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reason, forKey: .reason)
            try c.encode(forS, forKey: .forS)
            try c.encode(endsInS, forKey: .endsInS)
        }
    }

    /// A worker and what it runs.
    public struct Worker: Codable, Sendable {
        public var id: String
        public var host: String
        public var slots: Int
        /// `up` or `quarantined` while connected; `dead` (stopped answering) or `gone` (left) in the store.
        public var state: String
        /// Milliseconds since the coordinator last heard from it (null when unknown).
        public var lastSeenMs: Int?
        /// Tasks it finished and failed: since it joined this coordinator (live), in the whole sweep (store).
        public var done: Int
        public var failed: Int
        /// The leases it runs (live; empty from the store).
        public var running: [Running]
        public init(id: String, host: String, slots: Int, state: String, lastSeenMs: Int?, done: Int, failed: Int,
                    running: [Running])
        {
            (self.id, self.host, self.slots, self.state) = (id, host, slots, state)
            (self.lastSeenMs, self.done, self.failed, self.running) = (lastSeenMs, done, failed, running)
        }
        enum CodingKeys: String, CodingKey { case id, host, slots, state, lastSeenMs = "last_seen_ms", done, failed, running }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(host, forKey: .host)
            try c.encode(slots, forKey: .slots)
            try c.encode(state, forKey: .state)
            try c.encode(lastSeenMs, forKey: .lastSeenMs)
            try c.encode(done, forKey: .done)
            try c.encode(failed, forKey: .failed)
            try c.encode(running, forKey: .running)
        }
    }

    /// A lease being run.
    public struct Running: Codable, Sendable {
        public var task: String
        public var attempt: Int
        /// The task's grid values, e.g. `arch=mlp width=64`.
        public var label: String
        /// The last epoch reported (null before the first), and the epochs the task runs.
        public var epoch: Int?
        public var epochs: Int
        public init(task: String, attempt: Int, label: String, epoch: Int?, epochs: Int) {
            (self.task, self.attempt, self.label, self.epoch, self.epochs) = (task, attempt, label, epoch, epochs)
        }
        enum CodingKeys: String, CodingKey { case task, attempt, label, epoch, epochs }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(task, forKey: .task)
            try c.encode(attempt, forKey: .attempt)
            try c.encode(label, forKey: .label)
            try c.encode(epoch, forKey: .epoch)
            try c.encode(epochs, forKey: .epochs)
        }
    }

    public init(progress: SweepProgress, uptimeS: Double?, events: Int, workers: [Worker], stalled: Stall? = nil) {
        (self.progress, self.uptimeS, self.events, self.workers) = (progress, uptimeS, events, workers)
        self.stalled = stalled
    }

    enum CodingKeys: String, CodingKey { case uptimeS = "uptime_s", events, workers, stalled }

    public init(from decoder: any Decoder) throws {
        progress = try SweepProgress(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uptimeS = try c.decodeIfPresent(Double.self, forKey: .uptimeS)
        events = try c.decode(Int.self, forKey: .events)
        workers = try c.decode([Worker].self, forKey: .workers)
        stalled = try c.decodeIfPresent(Stall.self, forKey: .stalled)
    }

    public func encode(to encoder: any Encoder) throws {
        try progress.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(uptimeS, forKey: .uptimeS)
        try c.encode(events, forKey: .events)
        try c.encode(workers, forKey: .workers)
        try c.encode(stalled, forKey: .stalled)
    }
}
