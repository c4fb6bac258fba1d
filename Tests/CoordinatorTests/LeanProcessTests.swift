import Foundation
import Store
import StrataTesting
import Testing

/// The coordinator and the worker are lean: neither maps libtorch, while each task's process (`strata-train`,
/// beside `strata`) does, and trains.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct LeanProcessTests {
    /// Two tasks on one worker: a slow synthetic one (time to look at the processes) and a small real training.
    static let yaml = """
        name: lean
        dataset: {name: synthetic, train_size: 40, test_size: 20}
        arch: mlp
        width: 8
        epochs: 2
        grid: {kind: [synthetic, train]}
        synthetic: {events: 20, pace_ms: 250}
        measure: {examples: 8, probe_train: 8, probe_test: 8, planes: 1, resolution: 4}
        execution: {retries: 0, heartbeat_ms: 300, heartbeat_timeout_ms: 3000, task_timeout_s: 60}
        """

    @Test func neitherCoordinatorNorWorkerLoadsLibtorchButTheTaskProcessDoes() throws {
        // /proc/PID/exe shows paths with links resolved (.build/debug is a link).
        let strata = URL(fileURLWithPath: try Executables.strata()).resolvingSymlinksInPath().path
        let engine = URL(fileURLWithPath: try Executables.named("strata-train")).resolvingSymlinksInPath().path
        let h = try StrataHarness()
        let coordinator = try h.coordinator(try h.config(Self.yaml))
        let worker = try h.worker("lean")
        var child: pid_t = 0
        try h.wait(30, "the worker to start a task in strata-train") {
            child = ProcessTree.children(of: worker.pid).first {
                ProcessTable.executable($0) == engine && ProcessTable.arguments($0).contains("--spec-json")
            } ?? 0
            return child != 0
        }
        // Right after the exec only the executable is mapped; the loader maps libtorch before main.
        try h.wait(10, "the task process to map libtorch_cpu") { ProcessTable.maps(child).contains("libtorch_cpu") }
        for (name, process) in [("coordinator", coordinator), ("worker", worker)] {
            let pid = process.pid
            #expect(ProcessTable.executable(pid) == strata, "\(name) runs \(ProcessTable.executable(pid))")
            let maps = ProcessTable.maps(pid)
            #expect(!maps.isEmpty, "cannot read /proc/\(pid)/maps")
            #expect(!maps.contains("libtorch") && !maps.contains("libc10"), "the \(name) maps libtorch")
        }
        #expect(try coordinator.exitStatus(within: 90) == 0, "\(h.log("coordinator"))\n\(h.log("lean"))")
        let tasks = try h.store().tasks()
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.state == .done }, "\(tasks.map { "\($0.id) \($0.state)" })")
    }
}

/// Processes as /proc shows them.
enum ProcessTable {
    /// The executable's path ("" when the process is gone).
    static func executable(_ pid: pid_t) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
    }

    /// The command line's arguments.
    static func arguments(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The memory map: every file mapped. Read to its end: /proc files announce a size of 0.
    static func maps(_ pid: pid_t) -> String {
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/maps") else { return "" }
        defer { try? file.close() }
        return String(decoding: (try? file.readToEnd()) ?? Data(), as: UTF8.self)
    }
}
