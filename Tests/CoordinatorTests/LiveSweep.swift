import Foundation
import Store
import Testing
import Wire

/// A real `strata coordinator` process on a free loopback port, in a temporary folder, and the other processes a
/// test starts beside it (a Python worker, a second coordinator). Every process is started here, stopped by its pid
/// and reaped when the sweep ends; the folder is removed then.
final class LiveSweep {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let strata = root.appendingPathComponent(".build/debug/strata").path

    let folder: String
    let port: Int
    var endpoint: String { "tcp://127.0.0.1:\(port)" }
    var storePath: String { folder + "/out/strata.sqlite" }
    private var processes: [Process] = []

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: LiveSweep.strata) else {
            throw LiveSweepError("build the strata executable first (swift build): \(LiveSweep.strata)")
        }
        folder = NSTemporaryDirectory() + "strata-live-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = LiveSweep.freePort()
    }

    deinit {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A synthetic sweep's config: `tasks` tasks of `events` epoch events `paceMs` apart (each followed by a
    /// similarity row of `payloadBytes` when that is set).
    static func syntheticYAML(tasks: Int, events: Int, paceMs: Int, payloadBytes: Int = 0, retries: Int = 2,
                              heartbeatMs: Int = 300, heartbeatTimeoutMs: Int = 3000, taskTimeoutS: Double = 30) -> String
    {
        """
        name: live
        kind: synthetic
        grid: {width: [\((1...tasks).map(String.init).joined(separator: ", "))]}
        seeds: 1
        synthetic: {events: \(events), pace_ms: \(paceMs), payload_bytes: \(payloadBytes)}
        execution: {retries: \(retries), heartbeat_ms: \(heartbeatMs), heartbeat_timeout_ms: \(heartbeatTimeoutMs), task_timeout_s: \(taskTimeoutS)}
        """
    }

    /// A free TCP port on loopback (bound to 0, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `strata coordinator` on the sweep `yaml` (written to the folder), its stderr in `coordinator.log`;
    /// returns once it listens.
    @discardableResult
    func coordinator(_ yaml: String, extra: [String] = []) throws -> Process {
        let config = folder + "/sweep.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let process = try start(LiveSweep.strata, ["coordinator", config, "--bind", endpoint, "--out", folder + "/out"] + extra,
                                log: "coordinator")
        try wait(20, "the coordinator to listen") {
            FileManager.default.fileExists(atPath: storePath) && log("coordinator").contains("listening")
        }
        return process
    }

    /// Starts a program, its stdout and stderr appended to `<folder>/<log>.log`.
    @discardableResult
    func start(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let path = folder + "/\(log).log"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        try process.run()
        processes.append(process)
        return process
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: folder + "/\(name).log", encoding: .utf8)) ?? ""
    }

    /// The store, opened read-write beside the coordinator (SQLite WAL: it sees every commit).
    func store() throws -> SweepStore { try SweepStore(path: storePath) }

    /// Waits until `condition` holds; throws after `seconds`.
    func wait(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(50_000)
        }
        throw LiveSweepError("timed out after \(seconds) s waiting for \(what)")
    }

    /// Waits for a process started here to exit and returns its status; throws after `seconds`, with the tail of
    /// every log.
    func exitStatus(_ process: Process, within seconds: Double) throws -> Int32 {
        do {
            try wait(seconds, "process \(process.processIdentifier) to exit") { !process.isRunning }
        } catch {
            let logs = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".log") }
                .sorted().map { "--- \($0):\n" + String(log(String($0.dropLast(4))).suffix(3000)) }
            throw LiveSweepError("\(error)\n" + logs.joined(separator: "\n"))
        }
        return process.terminationStatus
    }

    /// kill -9 of a process started here (by its pid), then reaps it.
    func kill9(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct LiveSweepError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A hand-driven DEALER: what a worker in another language does, one message at a time.
final class TestDealer {
    let context = ZMQContext()
    let socket: ZMQSocket

    init(endpoint: String, name: String) throws {
        socket = try ZMQSocket(context, .dealer)
        try socket.setRoutingID(name)
        try socket.setLinger(0)
        try socket.connect(endpoint)
    }

    deinit { socket.close() }

    func send(_ frames: [[UInt8]]) throws { #expect(try socket.send(frames)) }
    func send(_ message: WireMessage) throws { try send(message.frames) }

    /// The next message with `command` within `seconds` (others are skipped), or nil.
    func next(_ command: Command, within seconds: Double = 5) throws -> WireMessage? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            _ = try Poller().poll(sockets: [socket], fds: [], timeoutMs: 50)
            while let frames = try socket.receive() {
                if let message = try? WireMessage(frames: frames), message.command == command { return message }
            }
        }
        return nil
    }
}
