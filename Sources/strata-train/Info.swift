import ArgumentParser
import Foundation
import Torch
import Worker

/// `strata info`: what this build of Strata runs on.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print libtorch's version, threads and devices.")

    @Flag(help: "Print one JSON object (libtorch, threads, cuda_available, cuda_devices, cuda_status): what a worker reads to resolve --device auto.")
    var json = false

    func run() throws {
        if json {
            let info = EngineInfo(libtorch: Runtime.version, threads: Runtime.threads,
                                  cudaAvailable: Runtime.cudaAvailable,
                                  cudaDevices: Runtime.cudaAvailable ? Runtime.cudaDeviceCount : 0,
                                  cudaStatus: Runtime.cudaStatus)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(info), as: UTF8.self))
            return
        }
        print("libtorch \(Runtime.version)")
        print("threads  \(Runtime.threads)")
        print("cuda     \(Runtime.cudaAvailable ? "\(Runtime.cudaDeviceCount) device(s)" : "not available")")
        print("         \(Runtime.cudaStatus)")
    }
}
