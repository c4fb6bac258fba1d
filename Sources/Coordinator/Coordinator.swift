import Foundation
import Logging
import Store
import Sweep
import Threads
import Wire

/// The sweep's coordinator: hands tasks to workers over a ROUTER socket, tracks their liveness,
/// stores every event before acknowledging it, and ends when every task is done or failed.
///
/// All scheduling state lives on one dedicated thread (a zmq_poll loop over the socket and a
/// wake-up pipe); `stop()` may be called from any thread, for instance a signal handler.
public final class Coordinator: Sendable {
    public let config: SweepConfig
    public let options: CoordinatorOptions
    let wake = WakeUp()
    let stopping = Mutex(false)
    let reloadRequested = Mutex(false)
    let boundEndpoint = Mutex<String?>(nil)
    let latestStatus = Mutex<StatusBody?>(nil)
    let latestTimings = Mutex(LoopTimings())
    let logger = Logger(label: "strata.coordinator")
    private let state = Mutex(State.initial)

    /// Where the coordinator is in its life: `run()` starts it once.
    private enum State { case initial, running, finished }

    /// What a finished run reports.
    public struct Outcome: Sendable {
        /// Tasks by final state.
        public var done: Int
        public var failed: Int
        /// Whether it stopped on request before the sweep finished.
        public var interrupted: Bool
        /// Why it ended a sweep that could not go on (`execution.stall_timeout_s`), nil otherwise.
        public var stalled: String?
    }

    public init(config: SweepConfig, options: CoordinatorOptions) {
        self.config = config
        self.options = options
    }

    /// Asks the coordinator to stop handing out work, flush, and return.
    public func stop() {
        stopping.withLock { $0 = true }
        wake.signal()
    }

    /// Asks the coordinator to re-read its allow-list of worker keys (SIGHUP).
    public func reloadKeys() {
        reloadRequested.withLock { $0 = true }
        wake.signal()
    }

    /// Whether `endpoint` is on this host only (loopback TCP, IPC or in-process).
    public static func isLocal(_ endpoint: String) -> Bool {
        ["tcp://127.", "tcp://localhost:", "tcp://[::1]:", "ipc://", "inproc://"].contains { endpoint.hasPrefix($0) }
    }

    /// Live progress as of the last quarter second (nil before the coordinator has started).
    public var status: StatusBody? { latestStatus.withLock { $0 } }

    /// Store commit and acknowledgement times of the loop so far, as of the last quarter second.
    public var timings: LoopTimings { latestTimings.withLock { $0 } }

    /// The endpoint bound, once bound (resolves a `*` port).
    public var endpoint: String? { boundEndpoint.withLock { $0 } }

    /// Runs the sweep to its end (or until `stop()`). A coordinator runs once: a second call, while it runs or
    /// after, throws (make a new coordinator on the same folder to resume a sweep).
    public func run() async throws -> Outcome {
        try state.withLock { state in
            switch state {
            case .initial: state = .running
            case .running: throw CoordinatorError("this coordinator is already running; it runs once", code: .alreadyRun)
            case .finished:
                throw CoordinatorError("this coordinator has finished; make a new one on the same folder to resume",
                                       code: .alreadyRun)
            }
        }
        defer { state.withLock { $0 = .finished } }
        let coordinator = self
        return try await DedicatedThread.run(name: "strata-coordinator") {
            try CoordinatorLoop(coordinator).run()
        }
    }
}

/// A coordinator that cannot start or go on: the message says what to change, the code what kind of problem it is.
public struct CoordinatorError: Error, CustomStringConvertible, Sendable {
    /// The kinds of problem.
    public enum Code: String, Sendable {
        /// A non-loopback endpoint without CURVE keys and without `--insecure`: give keys or the flag.
        case insecureBind
        /// The endpoint cannot be bound (in use, or not an address of this host): pick another `--bind`.
        case cannotListen
        /// `run()` on a coordinator that runs or ran: make a new one on the same folder.
        case alreadyRun
        /// Anything else (the store, the socket library): the message says what failed.
        case internalError
    }

    public var code: Code
    public var description: String
    public init(_ description: String, code: Code = .internalError) {
        self.description = description
        self.code = code
    }
}
