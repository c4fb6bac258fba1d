import Foundation
import Store
import Testing

/// Real `strata` processes on loopback for the integration tests; every process is killed by pid
/// when the harness ends.
final class Harness {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/strata").path

    let folder: String
    let port: Int
    var endpoint: String { "tcp://127.0.0.1:\(port)" }
    private var processes: [Process] = []

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Harness.binary) else {
            throw HarnessError("build the strata executable first (swift build): \(Harness.binary)")
        }
        folder = NSTemporaryDirectory() + "strata-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = Harness.freePort()
    }

    deinit {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGKILL) }
        for p in processes { p.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A free TCP port on loopback (bound to 0, then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Writes a config file in the harness folder.
    func config(_ yaml: String) throws -> String {
        let path = folder + "/sweep.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `strata ARGS`, stderr to `<folder>/<log>.log`.
    @discardableResult
    func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = arguments
        let logPath = folder + "/\(log).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        return process
    }

    func coordinator(_ config: String, extra: [String] = [], log: String = "coordinator") throws -> Process {
        try start(["coordinator", config, "--bind", endpoint, "--out", folder + "/out"] + extra, log: log)
    }

    func worker(_ name: String, slots: Int = 1) throws -> Process {
        try start(["worker", "--connect", endpoint, "--name", name, "--slots", String(slots)], log: name)
    }

    func log(_ name: String) -> String {
        (try? String(contentsOfFile: folder + "/\(name).log", encoding: .utf8)) ?? ""
    }

    var storePath: String { folder + "/out/strata.sqlite" }

    /// Opens the store (after the coordinator created it).
    func store() throws -> SweepStore {
        try wait(15, "the coordinator to create its store") {
            FileManager.default.fileExists(atPath: storePath)
                && (try? String(contentsOfFile: folder + "/coordinator.log", encoding: .utf8))?.contains("listening") == true
        }
        return try SweepStore(path: storePath)
    }

    /// Waits until `condition` holds or `seconds` pass.
    func wait(_ seconds: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(50_000)
        }
        throw HarnessError("timed out after \(seconds) s waiting for \(what)")
    }

    /// Waits for a process to exit; kills it and fails after `seconds`.
    func exit(_ process: Process, within seconds: Double) throws -> Int32 {
        try wait(seconds, "process \(process.processIdentifier) to exit") { !process.isRunning }
        return process.terminationStatus
    }

    /// kill -9.
    func kill9(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
