import Foundation
import Store
import Sweep
import Testing

/// A sweep folder keeps the history of the configs run into it and refuses a different one unless asked to
/// extend the sweep.
struct ConfigHistoryTests {
    static func config(_ widths: [Int], name: String = "s") throws -> SweepConfig {
        let grid = widths.map(String.init).joined(separator: ", ")
        return try SweepConfig.parse(yaml: "name: \(name)\nkind: synthetic\ngrid: {width: [\(grid)]}\n", file: "\(name).yaml")
    }

    @Test func theSameConfigResumesAndADifferentOneIsRefusedWithWhatToDo() throws {
        let folder = NSTemporaryDirectory() + "strata-history-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SweepStore(folder: folder)
        try store.setUp(config: try Self.config([1, 2]))
        try store.setUp(config: try Self.config([1, 2]))  // a restart
        #expect(try store.tasks().count == 2)
        do {
            try store.setUp(config: try Self.config([1, 2, 3]))
            Issue.record("a config with another task was accepted")
        } catch let error as StoreError {
            #expect(error.code == .configChanged)
            #expect(error.description.contains("it has 1 task(s) the sweep lacks"), "\(error)")
            #expect(error.description.contains("pass --extend") && error.description.contains("another --out"))
        }
        #expect(throws: StoreError.self) { try store.setUp(config: try Self.config([1])) }
        #expect(throws: StoreError.self) { try store.setUp(config: try Self.config([1, 2], name: "other")) }
        #expect(try store.tasks().count == 2, "nothing was added by a refused config")

        try store.setUp(config: try Self.config([1, 2, 3]), extend: true)
        let tasks = try store.tasks()
        #expect(tasks.count == 3 && tasks.map(\.ord) == [0, 1, 2] && tasks.last?.label == "width=3")
        let history = try store.configRuns()
        #expect(history.map(\.tasks) == [2, 2, 3] && history.map(\.added) == [2, 0, 1])
        #expect(history.last?.yaml.contains("width: [1, 2, 3]") == true)
        #expect(history.allSatisfy { $0.strataVersion == StrataVersion.string && !$0.host.isEmpty })
    }
}
