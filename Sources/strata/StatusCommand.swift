import ArgumentParser
import Foundation
import Store

/// `strata status`: progress of a sweep from its output folder.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Tasks by state, workers, throughput and ETA of a sweep.")

    @Argument(help: "The sweep's output folder (holding strata.sqlite).")
    var dir: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let path = (dir as NSString).appendingPathComponent("strata.sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no strata.sqlite in \(dir); give the sweep's output folder (runs/<name>)")
        }
        let p = try SweepStore(path: path).progress()
        if json {
            let object: [String: Any] = ["name": p.name, "total": p.total, "states": p.states, "workers": p.workers,
                                         "tasks_per_s": p.tasksPerSecond, "eta_s": p.etaSeconds ?? NSNull()]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
                         as: UTF8.self))
            return
        }
        print("sweep '\(p.name)': \(p.total) task(s)")
        for state in ["queued", "leased", "done", "failed"] { print("  \(state): \(p.states[state] ?? 0)") }
        print("workers: " + p.workers.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        print(String(format: "throughput: %.2f tasks/s", p.tasksPerSecond))
        if let eta = p.etaSeconds { print(String(format: "ETA: %.0f s", eta)) }
    }
}
