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

    /// Starts `strata ARGS` (in network namespace `namespace` when given), stderr to `<folder>/<log>.log`.
    @discardableResult
    func start(_ arguments: [String], log: String, namespace: String? = nil) throws -> Process {
        let process = Process()
        if let namespace {
            // `ip netns exec` execs the command: the pid is strata's.
            process.executableURL = URL(fileURLWithPath: TestNetwork.ip)
            process.arguments = ["netns", "exec", namespace, Harness.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Harness.binary)
            process.arguments = arguments
        }
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

    /// Runs `strata ARGS` to its end; returns its exit status and output (stdout and stderr).
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Harness.run(Harness.binary, arguments)
    }

    /// Runs a program to its end; returns its exit status and output (stdout and stderr).
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Sends `signal` to a process started here.
    func signal(_ process: Process, _ signal: Int32) {
        kill(process.processIdentifier, signal)
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

/// Test hosts in network namespaces (cluster/netns/netns.sh): a hub for the coordinator and
/// `hosts` worker hosts, each on its own link that can be cut. Removed when released.
final class TestNetwork {
    static let script = Harness.root.appendingPathComponent("cluster/netns/netns.sh").path
    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "/usr/sbin/ip"
    /// Network namespaces need root (CAP_NET_ADMIN) and iproute2.
    static let available = getuid() == 0 && FileManager.default.isExecutableFile(atPath: ip)

    let name: String
    let hub = "10.77.0.1"

    init(hosts: Int) throws {
        name = "st\(getpid() % 100_000)\(Int.random(in: 0..<10))"
        let (status, output) = try Harness.run(TestNetwork.script, ["up", name, String(hosts)])
        guard status == 0 else {
            _ = try? Harness.run(TestNetwork.script, ["down", name])
            throw HarnessError("netns.sh up failed: \(output)")
        }
    }

    deinit { _ = try? Harness.run(TestNetwork.script, ["down", name]) }

    /// The namespace of host `i` (0 = the hub).
    func namespace(_ i: Int) -> String { i == 0 ? "\(name)-hub" : "\(name)-h\(i)" }

    func cut(_ i: Int) throws { try control("cut", i) }
    func heal(_ i: Int) throws { try control("heal", i) }

    private func control(_ command: String, _ i: Int) throws {
        let (status, output) = try Harness.run(TestNetwork.script, [command, name, String(i)])
        guard status == 0 else { throw HarnessError("netns.sh \(command) failed: \(output)") }
    }
}
