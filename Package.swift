// swift-tools-version:6.0
import Foundation
import PackageDescription

// libtorch is PyTorch's own (2.x), unpacked from the `torch` wheel into .deps/libtorch by
// scripts/install-deps; LIBTORCH=/path points the build at another one (any libtorch 2.x).
// Only the CPU libraries are linked (torch_cpu, c10): CUDA is never a link-time dependency; the shim
// loads libtorch_cuda at start when it lies beside libtorch_cpu (docs/ENGINE.md).
let libtorch: String = {
    if let path = Context.environment["LIBTORCH"], !path.isEmpty { return path }
    return Context.packageDirectory + "/.deps/libtorch"
}()
let torchIncludes = ["\(libtorch)/include", "\(libtorch)/include/torch/csrc/api/include"]
let torchLinkFlags = ["-L\(libtorch)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(libtorch)/lib"]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "Dynamics", targets: ["Dynamics"]),
        .executable(name: "strata", targets: ["strata"]),
        .executable(name: "strata-train", targets: ["strata-train"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        .target(
            name: "CTorch",
            cxxSettings: [
                .unsafeFlags(torchIncludes.flatMap { ["-isystem", $0] } + ["-Wno-deprecated-declarations"]),
            ],
            linkerSettings: [
                .linkedLibrary("torch_cpu"),
                .linkedLibrary("c10"),
                .linkedLibrary("dl"),
                .unsafeFlags(torchLinkFlags),
            ]
        ),
        // SplitMix64: host-side seeded choices, without libtorch (Torch re-exports it).
        .target(name: "SeededRandom"),
        .target(name: "Torch", dependencies: ["CTorch", "SeededRandom"]),
        .target(name: "FlatJSON"),
        .target(name: "Sweep", dependencies: ["FlatJSON", .product(name: "Yams", package: "Yams")]),
        // The scores, similarity rows and .npy arrays need no libtorch (Dynamics re-exports them).
        .target(name: "DynamicsCore", dependencies: ["Sweep"]),
        .target(name: "Dynamics", dependencies: ["DynamicsCore", "Torch"]),
        .systemLibrary(name: "CZlib"),
        .target(name: "Datasets", dependencies: ["Torch", "CZlib", "Sweep"]),
        .target(name: "Models", dependencies: ["Torch"]),
        .target(name: "Training", dependencies: ["Torch", "Models", "Datasets", "Dynamics", "Sweep"]),
        .target(name: "Report", dependencies: ["Sweep", "Store", "DynamicsCore", "SeededRandom", "CZlib"]),
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "Threads"),
        .target(name: "Wire", dependencies: ["CZeroMQ", "FlatJSON", "Threads", "Sweep",
                                             .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "Store",
            dependencies: ["Sweep", "Threads", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Coordinator",
            dependencies: ["Wire", "Threads", "Store", "Sweep", .product(name: "Logging", package: "swift-log")]
        ),
        // The live dashboard (`--http`): a read-only Hummingbird server over the coordinator's published status and
        // its own read connection to the store; the coordinator module itself stays free of HTTP.
        .target(name: "Dashboard", dependencies: [
            "Coordinator", "Store", "Report", "Sweep", "Wire", "Threads",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Worker", dependencies: ["Wire", "Threads", "Sweep", "FlatJSON",
                                               .product(name: "Logging", package: "swift-log")]),
        .target(name: "CommandSupport", dependencies: [
            "Sweep", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Two executables, built together: `strata` (coordinator, worker, report, …) does not link libtorch and
        // forwards `train` and `info` to `strata-train` beside it (execv); workers start `strata-train` per task.
        .executableTarget(
            name: "strata",
            dependencies: [
                "Sweep", "Report", "Wire", "Threads", "Store", "Coordinator", "Worker", "CommandSupport", "Dashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "strata-train",
            dependencies: [
                "Sweep", "Torch", "Training", "Datasets", "Models", "Threads", "Worker", "CommandSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "strata-bench", dependencies: ["Torch", "Models", "Datasets", "Dynamics"], path: "bench/Sources/strata-bench"),
        .executableTarget(name: "strata-swarm", dependencies: ["Wire"], path: "bench/Sources/strata-swarm"),
        // The test kit: process harness, temporary folders, free ports, the built executables. Used only by tests.
        .target(name: "StrataTesting", path: "Tests/StrataTesting"),
        .testTarget(name: "StrataTestingTests", dependencies: ["StrataTesting"]),
        .testTarget(name: "TorchTests", dependencies: ["Torch"]),
        .testTarget(name: "SweepTests", dependencies: ["Sweep"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Torch"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Torch"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Sweep", "Torch"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Sweep"]),
        .testTarget(name: "ReportEndToEndTests", dependencies: ["Report", "Store", "Sweep", "CZlib", "StrataTesting"]),
        .testTarget(name: "FlatJSONTests", dependencies: ["FlatJSON"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Threads"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Sweep"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Store", "Sweep", "Wire", "StrataTesting",
                                                            "Dashboard",
                                                            .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "Wire", "Sweep", "StrataTesting"]),
        .testTarget(name: "DynamicsTests", dependencies: ["Dynamics", "Torch"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClusterTests", dependencies: ["StrataTesting", .product(name: "Yams", package: "Yams")]),
    ],
    cxxLanguageStandard: .cxx17
)
