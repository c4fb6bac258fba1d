import ArgumentParser
import CommandSupport
import Foundation
import Wire

/// `strata keys`: CURVE key pairs for a coordinator and its workers.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make CURVE key pairs for a coordinator and its workers.",
        discussion: """
            Layout of DIR:
              coordinator/coordinator.key      the coordinator's key pair (secret, mode 0600): --keys DIR on the coordinator
              coordinator/authorized_workers   the worker public keys it admits (re-read on change or SIGHUP)
              workers/NAME/                    one folder per worker (worker.key, coordinator.pub): --keys on that worker
            """,
        subcommands: [Generate.self, Add.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the coordinator's key pair and N worker key folders.")

        @Argument(help: "The folder to create.")
        var dir: String

        @Option(help: "Worker key folders to make (worker-001, worker-002, …).")
        var workers = 1

        func run() throws {
            let made = try reportingKeyErrors { try KeyFolder.generate(dir, workers: workers) }
            print("coordinator keys: \(made[0]) (use: strata coordinator CONFIG --keys \(dir) --bind tcp://0.0.0.0:5555)")
            for folder in made.dropFirst() { print("worker keys:      \(folder) (use: strata worker --keys \(folder) …)") }
            print("keep the .key files secret; more workers: strata keys add \(dir) NAME")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make one more worker key folder and admit its key (a running coordinator picks it up).")

        @Argument(help: "The folder made by `strata keys generate`.")
        var dir: String

        @Argument(help: "The worker's name (letters, digits, '-', '_', '.').")
        var name: String

        func run() throws {
            let folder = try reportingKeyErrors { try KeyFolder.addWorker(dir, name: name) }
            print("worker keys: \(folder) (use: strata worker --keys \(folder) …); admitted in \(dir)/coordinator/authorized_workers")
        }
    }
}

/// Runs `body`, turning a key problem into a command error (its message, without the usage text).
func reportingKeyErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as KeyError {
        throw CommandError("\(error)")
    }
}
