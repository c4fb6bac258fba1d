import Foundation
import Threads

/// `strata-train`, the executable that holds libtorch: `strata train` and `strata info` run there (the lean
/// `strata` replaces itself with it), and a worker starts it for every task. It lies beside `strata`, so that
/// the coordinator, the worker and the report never load libtorch.
public enum TrainingEngine {
    /// The engine's file name.
    public static let name = "strata-train"

    /// The engine beside `executable` (a `strata` binary).
    public static func path(beside executable: String) -> String {
        ((executable as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// The engine beside this process's executable (`/proc/self/exe`, links resolved); throws with what to build
    /// when it is missing.
    public static func locate(beside executable: String = WorkerOptions.currentExecutable()) throws -> String {
        let engine = path(beside: executable)
        guard FileManager.default.isExecutableFile(atPath: engine) else { throw missing(beside: executable) }
        return engine
    }

    /// The error for an engine that is not there.
    public static func missing(beside executable: String) -> WorkerError {
        WorkerError(.engine, "\(name) not found beside \(executable): build it with `swift build --product \(name)` (with "
                    + "`-c release` for a release build) or `make build`, which builds both, and keep the two "
                    + "executables in one folder")
    }

    /// What `strata-train info --json` reports: libtorch's version, threads and CUDA devices. A worker asks
    /// once as it starts, to resolve `--device auto`, instead of loading libtorch itself.
    public static func info(engine: String) throws -> EngineInfo {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: engine)
        process.arguments = ["info", "--json"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw WorkerError(.engine, "cannot start \(engine): \(error.localizedDescription)") }
        // stderr is read on another thread while this one reads stdout, so that neither pipe can fill up and block
        // the engine.
        let stderrData = Mutex(Data())
        let readers = DispatchGroup()
        DispatchQueue.global().async(group: readers) {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            stderrData.withLock { $0 = data }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        readers.wait()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let why = String(decoding: stderrData.withLock { $0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let how = process.terminationReason == .exit ? "exited with status \(process.terminationStatus)"
                : "was killed by signal \(process.terminationStatus)"
            throw WorkerError(.engine, "`\(engine) info --json` \(how)\(why.isEmpty ? "" : ": \(why)"); run it by hand to "
                              + "see why (typically libtorch's libraries cannot be loaded: docs/ENGINE.md)")
        }
        do {
            return try JSONDecoder().decode(EngineInfo.self, from: data)
        } catch {
            throw WorkerError(.engine, "`\(engine) info --json` printed no engine description (\(error)): is \(engine) the "
                              + "strata-train of this strata build?")
        }
    }
}

/// The engine's libtorch as `strata info --json` prints it.
public struct EngineInfo: Codable, Sendable, Equatable {
    /// libtorch's version string.
    public var libtorch: String
    /// libtorch's intra-op threads.
    public var threads: Int
    /// Whether libtorch has CUDA and sees a GPU.
    public var cudaAvailable: Bool
    /// Visible CUDA devices.
    public var cudaDevices: Int
    /// How CUDA was set up: loaded, absent from this libtorch, or why it did not load.
    public var cudaStatus: String

    public init(libtorch: String, threads: Int, cudaAvailable: Bool, cudaDevices: Int, cudaStatus: String) {
        (self.libtorch, self.threads, self.cudaAvailable) = (libtorch, threads, cudaAvailable)
        (self.cudaDevices, self.cudaStatus) = (cudaDevices, cudaStatus)
    }

    enum CodingKeys: String, CodingKey {
        case libtorch, threads, cudaAvailable = "cuda_available", cudaDevices = "cuda_devices"
        case cudaStatus = "cuda_status"
    }
}
