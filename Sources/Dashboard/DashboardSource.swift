import Coordinator
import Foundation
import Report
import Store
import Sweep
import Threads
import Wire

/// What the dashboard shows, read without involving the coordinator's thread: the live `StatusBody` the
/// coordinator publishes every quarter second (a copy under a lock), and the sweep's store through a read
/// connection of the dashboard's own (SQLite in WAL mode: readers never block the coordinator's writes).
public final class DashboardSource: Sendable {
    /// The coordinator's latest published status (nil before it has started).
    let status: @Sendable () -> StatusBody?
    /// The coordinator loop's store and acknowledgement times (nil when not known).
    let timings: @Sendable () -> LoopTimings?
    /// The sweep's output folder, holding `strata.sqlite`.
    public let folder: String
    private let store = Mutex<SweepStore?>(nil)
    private let cachedTasks = Mutex<(at: Double, tasks: [TaskRow])?>(nil)
    private let cachedClaims = Mutex<(finished: Int, at: Double, html: String)?>(nil)

    public init(folder: String, status: @escaping @Sendable () -> StatusBody?,
                timings: @escaping @Sendable () -> LoopTimings? = { nil })
    {
        (self.folder, self.status, self.timings) = (folder, status, timings)
    }

    /// The dashboard of a coordinator running in this process.
    public convenience init(_ coordinator: Coordinator) {
        self.init(folder: coordinator.options.folder, status: { coordinator.status }, timings: { coordinator.timings })
    }

    /// One row of the task table.
    public struct TaskRow: Codable, Sendable, Equatable {
        public var id: String
        public var ord: Int
        public var label: String
        public var state: String
        public var attempts: Int
        public var worker: String?
        public var reason: String?
    }

    /// The store, opened on first use (the coordinator creates it when it starts).
    func openStore() throws -> SweepStore {
        try store.withLock { store in
            if let store { return store }
            let path = (folder as NSString).appendingPathComponent("strata.sqlite")
            guard FileManager.default.fileExists(atPath: path) else {
                throw DashboardError("the sweep's store is not created yet")
            }
            let opened = try SweepStore(path: path)
            store = opened
            return opened
        }
    }

    /// Every task with its state and, for a failed one, why; read at most twice a second whatever the number of
    /// pages open.
    public func tasks() throws -> [TaskRow] {
        let now = Date().timeIntervalSince1970
        if let cached = cachedTasks.withLock({ $0 }), now - cached.at < 0.5 { return cached.tasks }
        let rows = try openStore().tasks().map {
            TaskRow(id: $0.id, ord: $0.ord, label: $0.label, state: $0.outcome == "diverged" ? "diverged" : $0.state.rawValue,
                    attempts: $0.attempts, worker: $0.leaseHolder, reason: $0.reason)
        }
        cachedTasks.withLock { $0 = (now, rows) }
        return rows
    }

    /// Events stored for a task so far (every attempt).
    public func eventCount(task: String) throws -> Int { try openStore().eventCount(task: task) }

    /// Events stored in the whole sweep.
    public func eventCount() throws -> Int { try openStore().eventCount() }

    /// A task's section of the report (curves, heatmaps as far as they have grown), rendered by `strata report`'s
    /// own code; nil for an unknown task.
    public func taskSection(_ id: String) throws -> String? {
        let store = try openStore()
        let records = try store.tasks()
        guard let index = records.firstIndex(where: { $0.id == id }) else { return nil }
        let record = records[index]
        let spec = try JSONDecoder().decode(TaskSpec.self, from: Data(record.spec.utf8))
        var task = try TaskReport.folded(id: record.id, spec: spec, state: TaskReport.state(of: record),
                                         reason: record.reason, eventBodies: try store.eventBodies(task: id))
        task.grid = Self.grid(record.label)
        return HTMLReport(model: ReportModel(title: "", gridKeys: [], tasks: [])).taskSection(task, index: index)
    }

    /// The claims table for the tasks finished so far, rendered by the report's code. Reading every task's events
    /// is the costly part: it is done again only when the number of finished tasks changed, and at most every
    /// 10 s, so that a sweep of many short tasks does not reload its store on every finish.
    public func claimsSection() throws -> String {
        let finished = try tasks().filter { ["done", "failed", "diverged"].contains($0.state) }.count
        let now = Date().timeIntervalSince1970
        if let cached = cachedClaims.withLock({ $0 }), cached.finished == finished || now - cached.at < 10 {
            return cached.html
        }
        let html = HTMLReport(model: try ReportModel.load(folder: folder)).claimsSection()
        cachedClaims.withLock { $0 = (finished, now, html) }
        return html
    }

    /// A task label's grid values (`arch=mlp width=64`).
    static func grid(_ label: String) -> [String: String] {
        var grid: [String: String] = [:]
        for part in label.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { grid[String(kv[0])] = String(kv[1]) }
        }
        return grid
    }
}
