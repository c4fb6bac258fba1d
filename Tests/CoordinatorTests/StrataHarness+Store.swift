import Foundation
import Store
import StrataTesting

extension StrataHarness {
    /// The store the coordinator writes in its output folder.
    var storePath: String { out + "/strata.sqlite" }

    /// Opens the store once the coordinator has created it and listens.
    func store() throws -> SweepStore {
        try wait(15, "the coordinator to create its store") {
            FileManager.default.fileExists(atPath: storePath) && log("coordinator").contains("listening")
        }
        return try SweepStore(path: storePath)
    }
}
