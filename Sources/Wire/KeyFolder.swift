import Foundation

/// The CURVE key folder of `strata keys generate DIR`:
///
///     DIR/coordinator/coordinator.key      the coordinator's key pair (0600)
///     DIR/coordinator/coordinator.pub      its public key
///     DIR/coordinator/authorized_workers   `<public key> <name>` per admitted worker
///     DIR/workers/<name>/worker.key        a worker's key pair (0600)
///     DIR/workers/<name>/coordinator.pub   the coordinator's public key, for that worker
///
/// A worker folder is everything one worker needs: copy it to the node (or make it a Secret).
public enum KeyFolder {
    /// Creates the coordinator's keys and `workers` worker folders (`worker-001`, …).
    /// Refuses to overwrite an existing coordinator key.
    @discardableResult
    public static func generate(_ dir: String, workers: Int) throws -> [String] {
        let coordinator = dir + "/coordinator"
        guard !FileManager.default.fileExists(atPath: coordinator + "/coordinator.key") else {
            throw KeyError("\(coordinator)/coordinator.key exists; add workers with `strata keys add \(dir) NAME`, "
                           + "or remove the folder to start over (every worker then needs its new folder)")
        }
        try makeDirectory(coordinator, mode: 0o700)
        let key = try CurveKey.generate()
        try key.write(to: coordinator + "/coordinator.key", secret: true,
                      comment: "Strata coordinator CURVE key pair. SECRET: keep it on the coordinator's host only.")
        try key.write(to: coordinator + "/coordinator.pub", secret: false,
                      comment: "Strata coordinator public key: give it to every worker.")
        let header = """
            # Worker public keys the coordinator admits: `<public key> <name>` per line.
            # Add one with `strata keys add DIR NAME`; a running coordinator re-reads this file when it
            # changes or on SIGHUP. Delete a line to shut a worker out of new connections.

            """
        try write(header, to: coordinator + "/authorized_workers", mode: 0o644)
        var written = [coordinator]
        for i in 1...max(1, workers) {
            written.append(try addWorker(dir, name: String(format: "worker-%03d", i)))
        }
        return written
    }

    /// Makes `DIR/workers/NAME/` and appends its public key to the allow-list. Returns the folder.
    @discardableResult
    public static func addWorker(_ dir: String, name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw KeyError("worker name '\(name)': use letters, digits, '-', '_' and '.'")
        }
        let coordinator = try CoordinatorKeys.load(dir)
        let folder = dir + "/workers/" + name
        guard !FileManager.default.fileExists(atPath: folder + "/worker.key") else {
            throw KeyError("\(folder)/worker.key exists; pick another name")
        }
        try makeDirectory(folder, mode: 0o700)
        let key = try CurveKey.generate()
        try key.write(to: folder + "/worker.key", secret: true,
                      comment: "Strata worker '\(name)' CURVE key pair. SECRET: keep it on this worker's hosts.")
        try CurveKey(publicKey: coordinator.key.publicKey).write(
            to: folder + "/coordinator.pub", secret: false, comment: "Strata coordinator public key.")
        guard let handle = FileHandle(forWritingAtPath: coordinator.allowListPath) else {
            throw KeyError("\(coordinator.allowListPath): cannot append")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data("\(key.publicKey) \(name)\n".utf8))
        return folder
    }

    static func makeDirectory(_ path: String, mode: Int) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: mode])
        } catch {
            throw KeyError("\(path): cannot create the folder: \(error.localizedDescription)")
        }
    }

    static func write(_ text: String, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: mode])
        else { throw KeyError("\(path): cannot write") }
    }
}

/// A coordinator's keys: its key pair and the path of its allow-list.
public struct CoordinatorKeys: Sendable {
    public var key: CurveKey
    public var allowListPath: String

    /// Reads `coordinator.key` from `path`, which is a `strata keys generate` folder or its
    /// `coordinator/` subfolder; checks that the allow-list reads.
    public static func load(_ path: String) throws -> CoordinatorKeys {
        let folder = FileManager.default.fileExists(atPath: path + "/coordinator.key") ? path : path + "/coordinator"
        guard FileManager.default.fileExists(atPath: folder + "/coordinator.key") else {
            throw KeyError("\(path) holds no coordinator.key (nor coordinator/coordinator.key); "
                           + "make the keys with `strata keys generate \(path)`")
        }
        let key = try CurveKey.load(folder + "/coordinator.key")
        guard key.secretKey != nil else { throw KeyError("\(folder)/coordinator.key has no secret-key line") }
        let list = folder + "/authorized_workers"
        _ = try AllowList.load(list)
        return CoordinatorKeys(key: key, allowListPath: list)
    }
}

/// A worker's keys: its key pair and the coordinator's public key.
public struct WorkerKeys: Sendable {
    public var key: CurveKey
    public var coordinator: String

    /// Reads `worker.key` and `coordinator.pub` from a worker folder.
    public static func load(_ folder: String) throws -> WorkerKeys {
        for file in ["worker.key", "coordinator.pub"] where !FileManager.default.fileExists(atPath: folder + "/" + file) {
            throw KeyError("\(folder) holds no \(file); a worker's --keys is its folder from `strata keys generate` "
                           + "(DIR/workers/NAME, holding worker.key and coordinator.pub)")
        }
        let key = try CurveKey.load(folder + "/worker.key")
        guard key.secretKey != nil else { throw KeyError("\(folder)/worker.key has no secret-key line") }
        return WorkerKeys(key: key, coordinator: try CurveKey.load(folder + "/coordinator.pub").publicKey)
    }
}
