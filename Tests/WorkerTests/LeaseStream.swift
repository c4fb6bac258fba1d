import Foundation
import StrataTesting
import Sweep
import Wire

/// A task to hand to a worker, from a one-task sweep config, and what the worker sent back for it.
struct TaskFixture {
    let lease: Lease
    /// The spec JSON that travels as TASK's payload.
    let spec: [UInt8]

    /// The first task of `yaml` as attempt `attempt`.
    init(_ yaml: String, task index: Int = 0, attempt: Int = 1) throws {
        let planned = try SweepConfig.parse(yaml: yaml, file: "worker-test.yaml").tasks[index]
        lease = Lease(task: planned.id, attempt: attempt)
        spec = Array(try PlannedTask.canonicalJSON(planned.spec).utf8)
    }

    /// A synthetic task: `events` epoch events `paceMs` apart, hanging or crashing at an epoch when given.
    static func synthetic(events: Int, paceMs: Int = 0, hangAt: Int = -1, crashAt: Int = -1, width: Int = 8) throws
        -> TaskFixture
    {
        try TaskFixture("""
            name: worker-test
            kind: synthetic
            width: \(width)
            synthetic: {events: \(events), pace_ms: \(paceMs), hang_at: \(hangAt), crash_at: \(crashAt)}
            """)
    }

    /// The TASK message.
    var message: WireMessage { WireMessage(.task, TaskBody(task: lease.task, attempt: lease.attempt), payload: [spec]) }
}

/// The sequenced messages of one lease as they arrive: events by sequence number, then DONE or FAIL. It
/// reads the coordinator's `received` from its own position on, so streams of several leases (and `next`)
/// do not take each other's messages.
struct LeaseStream {
    let lease: Lease
    /// Each event's sequence number and JSON, in order of arrival.
    var events: [(seq: Int, json: [UInt8])] = []
    /// The payload-frame counts of the EVENT messages.
    var batches: [Int] = []
    /// The DONE or FAIL that ended the lease.
    var end: WireMessage?
    /// The index in `received` of the next message to look at.
    private var position: Int

    /// The messages of `lease` that arrive at `coordinator` after the message at `index` (default: from now on).
    init(_ lease: Lease, at coordinator: FakeCoordinator, after index: Int? = nil) {
        self.lease = lease
        position = index.map { $0 + 1 } ?? coordinator.received.count
    }

    /// Whether `message` belongs to this lease.
    func owns(_ message: WireMessage) -> Bool {
        guard [.event, .done, .fail].contains(message.command),
              let body = try? message.decode(SequenceBody.self) else { return false }
        return body.task == lease.task && body.attempt == lease.attempt
    }

    /// Takes the lease's messages from `coordinator` until it has `count` events, or until DONE or FAIL when
    /// `count` is nil.
    mutating func collect(from coordinator: FakeCoordinator, events count: Int? = nil, within seconds: Double = 60)
        throws
    {
        let what = count.map { "\($0) events of \(lease.task)" } ?? "the DONE or FAIL of \(lease.task)"
        try coordinator.receive(until: what, within: seconds) {
            while position < coordinator.received.count && end == nil {
                let message = coordinator.received[position].message
                position += 1
                guard owns(message) else { continue }
                let seq = try message.decode(SequenceBody.self).seq
                if message.command == .event {
                    events += message.payload.enumerated().map { (seq + $0.offset, $0.element) }
                    batches.append(message.payload.count)
                } else {
                    end = message
                }
            }
            return end != nil || count.map { events.count >= $0 } == true
        }
    }

    /// The events' types (`started`, `epoch`, …), in order.
    func types() throws -> [String] { try events.map { try TrainingEvent.decode(json: $0.json).type } }

    /// The DONE's or FAIL's command and body, for messages.
    var endText: String {
        end.map { "\($0.command.rawValue) \(String(decoding: $0.body, as: UTF8.self))" } ?? "no DONE or FAIL"
    }

    /// The sequence number of the DONE or FAIL.
    var endSeq: Int? { try? end?.decode(SequenceBody.self).seq }
}
