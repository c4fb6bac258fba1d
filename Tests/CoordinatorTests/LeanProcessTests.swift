import Foundation
import Store
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
        let strata = URL(fileURLWithPath: Harness.binary).resolvingSymlinksInPath().path
        let engine = URL(fileURLWithPath: Harness.binary).deletingLastPathComponent()
            .appendingPathComponent("strata-train").resolvingSymlinksInPath().path
        try #require(FileManager.default.isExecutableFile(atPath: engine),
                     "build both executables first (swift build): \(engine) is missing")
        let h = try Harness()
        let coordinator = try h.coordinator(try h.config(Self.yaml))
        let worker = try h.worker("lean")
        var child: pid_t = 0
        try h.wait(30, "the worker to start a task in strata-train") {
            child = ProcessTable.children(of: worker.processIdentifier).first {
                ProcessTable.executable($0) == engine && ProcessTable.arguments($0).contains("--spec-json")
            } ?? 0
            return child != 0
        }
        // Right after the exec only the executable is mapped; the loader maps libtorch before main.
        try h.wait(10, "the task process to map libtorch_cpu") { ProcessTable.maps(child).contains("libtorch_cpu") }
        for (name, process) in [("coordinator", coordinator), ("worker", worker)] {
            let pid = process.processIdentifier
            #expect(ProcessTable.executable(pid) == strata, "\(name) runs \(ProcessTable.executable(pid))")
            let maps = ProcessTable.maps(pid)
            #expect(!maps.isEmpty, "cannot read /proc/\(pid)/maps")
            #expect(!maps.contains("libtorch") && !maps.contains("libc10"), "the \(name) maps libtorch")
        }
        #expect(try h.exit(coordinator, within: 90) == 0, "\(h.log("coordinator"))\n\(h.log("lean"))")
        let tasks = try h.store().tasks()
        #expect(tasks.count == 2 && tasks.allSatisfy { $0.state == "done" }, "\(tasks.map { "\($0.id) \($0.state)" })")
    }
}

/// Processes as /proc shows them.
enum ProcessTable {
    /// The processes whose parent is `parent`.
    static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            // stat: "pid (comm) state ppid …"; comm may hold spaces and parentheses.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }

    /// The executable's path ("" when the process is gone).
    static func executable(_ pid: pid_t) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
    }

    /// The command line's arguments.
    static func arguments(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The memory map: every file mapped.
    static func maps(_ pid: pid_t) -> String {
        (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
    }
}
