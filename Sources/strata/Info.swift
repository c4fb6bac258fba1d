import ArgumentParser
import Torch

/// `strata info`: what this build of Strata runs on.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print libtorch's version, threads and devices.")

    func run() throws {
        print("libtorch \(Runtime.version)")
        print("threads  \(Runtime.threads)")
        print("cuda     \(Runtime.cudaAvailable ? "\(Runtime.cudaDeviceCount) device(s)" : "not available")")
        print("         \(Runtime.cudaStatus)")
    }
}
