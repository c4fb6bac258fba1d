import ArgumentParser
import CommandSupport
import Foundation
import Store
import Threads
import Wire

/// `strata status`: progress of a sweep, from its output folder or live from its coordinator.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Tasks by state, workers, throughput and ETA of a sweep.",
        discussion: """
            From the output folder: what the store holds (works while the sweep runs and after it). \
            With --connect: live from the running coordinator, including each worker's current task and epoch.
            """)

    @Argument(help: "The sweep's output folder (holding strata.sqlite).")
    var dir: String?

    @Option(help: "Ask a running coordinator instead, e.g. tcp://127.0.0.1:5555.")
    var connect: String?

    @Option(help: "With --connect to a coordinator that uses CURVE: a worker key folder (holding worker.key and coordinator.pub).")
    var keys: String?

    @Option(help: "Seconds to wait for the coordinator's answer (with --connect).")
    var timeout: Double = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if (dir == nil) == (connect == nil) {
            throw ValidationError("give either the sweep's output folder or --connect tcp://HOST:PORT")
        }
    }

    /// The store read and the socket poll block: on a thread of their own, off Swift's cooperative pool.
    func run() async throws {
        let command = self
        try await DedicatedThread.run(name: "strata-status") {
            if let connect = command.connect { try command.live(connect) } else { try command.stored(command.dir!) }
        }
    }

    /// Asks the coordinator at `endpoint` with a STATUS message (docs/PROTOCOL.md).
    func live(_ endpoint: String) throws {
        if let message = try StatusClient.ask(endpoint, keys: keys, timeout: timeout) {
            if json {
                print(String(decoding: try StatusText.json(try message.decode(StatusBody.self)), as: UTF8.self))
            } else {
                StatusText.lines(try message.decode(StatusBody.self)).forEach { print($0) }
            }
            return
        }
        throw NoAnswer(description: """
            no answer from \(endpoint) within \(timeout) s: is a coordinator running there? \
            (for a finished sweep, give its output folder instead\(keys == nil
                ? "; a coordinator with CURVE keys answers only clients with --keys WORKER_FOLDER" : ""))
            """)
    }

    /// Reads the sweep's store: the same shape as the coordinator's STATUS answer, with every worker that ever
    /// joined and nothing running.
    func stored(_ dir: String) throws {
        let path = (dir as NSString).appendingPathComponent("strata.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandError("no strata.sqlite in \(dir); give the sweep's output folder (runs/<name>)")
        }
        let store = try SweepStore(path: path)
        let now = Date().timeIntervalSince1970
        let workers = try store.workers().map { w in
            StatusBody.Worker(id: w.id, host: w.host ?? "", slots: w.slots ?? 0, state: w.state.rawValue,
                              lastSeenMs: w.lastSeen.map { Int((now - $0) * 1000) }, done: w.done, failed: w.failed,
                              running: [])
        }
        let status = StatusBody(progress: try store.progress(), uptimeS: nil, events: try store.eventCount(),
                                workers: workers)
        if json {
            print(String(decoding: try StatusText.json(status), as: UTF8.self))
            return
        }
        print("sweep '\(status.sweep)': \(status.total) task(s)")
        print("  queued: \(status.queued)\n  leased: \(status.leased)\n  done: \(status.done)\n  failed: \(status.failed)")
        let byState = Dictionary(grouping: workers, by: \.state).mapValues(\.count)
        print("workers: " + byState.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        print(String(format: "throughput: %.2f tasks/s", status.tasksPerS))
        if let eta = status.etaS { print("ETA: " + StatusText.duration(eta)) }
        if !workers.isEmpty {
            let rows = workers.map { [$0.id, $0.host, $0.state, String($0.done), String($0.failed)] }
            StatusText.table(header: ["WORKER", "HOST", "STATE", "DONE", "FAILED"], rows: rows).forEach { print($0) }
        }
        let failed = try store.tasks().filter { $0.state == .failed }
            .map { (id: $0.id, label: $0.label, reason: $0.reason ?? "no reason recorded") }
        StatusText.failures(failed).forEach { print($0) }
    }
}

/// A coordinator that did not answer STATUS in time (exit status 1, without the usage text).
struct NoAnswer: Error, CustomStringConvertible {
    var description: String
}
