import Foundation
import Sweep

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The resumable checkpoints of one run in a directory (`strata train --checkpoint-dir DIR`), written so that a
/// process killed at any moment, even with SIGKILL halfway through a save, leaves the last complete checkpoint
/// usable.
///
/// Each checkpoint is a folder `epoch-NNNNNN` holding what its writer puts there (model, optimizer and data-order
/// state, measurement state), `events.jsonl` (every event of the run up to and including the checkpoint's own
/// `checkpoint` event) and, written last, `manifest.json` (the task, its fingerprint, the epoch, the measured
/// epochs). A checkpoint is written into a `.partial-…` folder next to the others, flushed to disk, then renamed
/// into place, so a folder named `epoch-…` is always whole; older checkpoints and leftover partial folders are
/// removed after that. One run writes to a directory at a time.
struct CheckpointDirectory {
    /// What a checkpoint says about itself.
    struct Manifest: Codable {
        /// The layout version (`CheckpointDirectory.format`).
        var format: Int
        /// The last epoch trained before the checkpoint was written.
        var epoch: Int
        /// `TaskSpec.checkpointFingerprint` of the task that wrote it.
        var fingerprint: String
        /// That task, to say what differs when another task finds the checkpoint.
        var spec: TaskSpec
        /// The measured checkpoint epochs so far (each has its measurement state in the folder).
        var measured: [Int]
    }

    /// A complete checkpoint found in the directory.
    struct Saved {
        var folder: URL
        var manifest: Manifest
        /// The run's events up to the checkpoint, in the order they were emitted.
        var events: [TrainingEvent]
    }

    static let format = 1
    static let manifestFile = "manifest.json"
    static let eventsFile = "events.jsonl"
    static let partialPrefix = ".partial-"

    /// The directory.
    let url: URL

    /// The folder name of the checkpoint of `epoch`.
    static func folderName(epoch: Int) -> String { "epoch-" + String(format: "%06d", epoch) }

    /// The newest complete checkpoint, or nil when there is none; throws when it belongs to another task than
    /// `spec`, or cannot be read.
    func latest(for spec: TaskSpec) throws -> Saved? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        var newest: (epoch: Int, folder: URL)?
        for name in names where name.hasPrefix("epoch-") {
            let folder = url.appendingPathComponent(name)
            guard let epoch = Int(name.dropFirst("epoch-".count)),
                  FileManager.default.fileExists(atPath: folder.appendingPathComponent(Self.manifestFile).path)
            else { continue }
            if epoch > newest?.epoch ?? -1 { newest = (epoch, folder) }
        }
        guard let newest else {
            if names.contains("extra.pt") {
                throw TrainingError(.checkpoint, "\(url.path) holds a checkpoint in the layout of an older strata (model.pt at "
                                    + "its top), which cannot be resumed: delete it, or use another --checkpoint-dir")
            }
            return nil
        }
        let manifest: Manifest
        do {
            let data = try Data(contentsOf: newest.folder.appendingPathComponent(Self.manifestFile))
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw TrainingError(.checkpoint, "\(newest.folder.path): unreadable checkpoint manifest (\(error)); delete the folder "
                                + "to resume from an earlier checkpoint, or the directory to start over")
        }
        guard manifest.format == Self.format else {
            throw TrainingError(.checkpoint, "\(newest.folder.path) is a checkpoint of layout \(manifest.format), this strata "
                                + "reads layout \(Self.format): finish the run with the strata that wrote it, or "
                                + "delete \(url.path) to start over")
        }
        guard manifest.fingerprint == spec.checkpointFingerprint else {
            let differences = spec.resultDifferences(from: manifest.spec)
            let what = differences.isEmpty ? "" : " (" + differences.joined(separator: "; ") + ")"
            throw TrainingError(.checkpoint, "\(url.path) holds a checkpoint of another task\(what): resume it with the task that "
                                + "wrote it, or start this task afresh with another --checkpoint-dir or after "
                                + "deleting \(url.path)")
        }
        let text = try String(contentsOf: newest.folder.appendingPathComponent(Self.eventsFile), encoding: .utf8)
        let events = try text.split(separator: "\n").map { try TrainingEvent.decode(jsonLine: $0) }
        return Saved(folder: newest.folder, manifest: manifest, events: events)
    }

    /// Writes a checkpoint: `fill` puts the tensors into a new folder, then the events and the manifest follow,
    /// everything is flushed and the folder is renamed into place. Returns the new checkpoint's folder.
    func save(manifest: Manifest, events: [TrainingEvent], fill: (URL) throws -> Void) throws -> URL {
        let manager = FileManager.default
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        let name = Self.folderName(epoch: manifest.epoch)
        let partial = url.appendingPathComponent("\(Self.partialPrefix)\(name)-\(UUID().uuidString.prefix(8))")
        try manager.createDirectory(at: partial, withIntermediateDirectories: false)
        do {
            try fill(partial)
            let lines = try events.map { try $0.jsonLine() + "\n" }.joined()
            try Data(lines.utf8).write(to: partial.appendingPathComponent(Self.eventsFile))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(manifest).write(to: partial.appendingPathComponent(Self.manifestFile))
            for file in try manager.contentsOfDirectory(atPath: partial.path) {
                try Self.flush(partial.appendingPathComponent(file))
            }
            try Self.flush(partial)
        } catch {
            try? manager.removeItem(at: partial)
            throw error
        }
        let folder = url.appendingPathComponent(name)
        if manager.fileExists(atPath: folder.path) { try manager.removeItem(at: folder) }  // not whole: no manifest
        guard rename(partial.path, folder.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(at: partial)
            throw TrainingError(.checkpoint, "cannot rename \(partial.path) to \(folder.path): \(reason)")
        }
        try Self.flush(url)
        // The new checkpoint is in place: older ones and what killed writers left behind can go.
        for other in (try? manager.contentsOfDirectory(atPath: url.path)) ?? [] where other != name {
            let older = Int(other.dropFirst("epoch-".count)).map { $0 < manifest.epoch } ?? false
            let stale = other.hasPrefix(Self.partialPrefix) || (other.hasPrefix("epoch-") && older)
            if stale { try? manager.removeItem(at: url.appendingPathComponent(other)) }
        }
        return folder
    }

    /// Puts `name` from the checkpoint folder `previous` into `folder` as a hard link (a copy where the file
    /// system has none); false when `previous` is nil or lacks the file.
    static func reuse(_ name: String, from previous: URL?, into folder: URL) -> Bool {
        guard let previous else { return false }
        let source = previous.appendingPathComponent(name), target = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: source.path) else { return false }
        if link(source.path, target.path) == 0 { return true }
        return (try? FileManager.default.copyItem(at: source, to: target)) != nil
    }

    /// Forces a file's or a folder's contents to disk.
    static func flush(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw TrainingError(.checkpoint, "cannot open \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw TrainingError(.checkpoint, "cannot flush \(url.path) to disk: \(String(cString: strerror(errno)))")
        }
    }
}
