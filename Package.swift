// swift-tools-version:6.0
import Foundation
import PackageDescription

// libtorch comes from Debian's libtorch-dev under /usr by default; LIBTORCH=/path points the
// build at another distribution (for example a CUDA build unpacked on a GPU node).
let libtorch = Context.environment["LIBTORCH"].flatMap { $0.isEmpty ? nil : $0 }
let torchIncludes = libtorch.map { ["\($0)/include", "\($0)/include/torch/csrc/api/include"] }
    ?? ["/usr/include/torch/csrc/api/include"]
let torchLinkFlags = libtorch.map { ["-L\($0)/lib", "-Xlinker", "-rpath", "-Xlinker", "\($0)/lib"] } ?? []

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Torch", targets: ["Torch"]),
    ],
    targets: [
        .target(
            name: "CTorch",
            cxxSettings: [
                .unsafeFlags(torchIncludes.flatMap { ["-isystem", $0] } + ["-Wno-deprecated-declarations"]),
            ],
            linkerSettings: [
                .linkedLibrary("torch"),
                .linkedLibrary("torch_cpu"),
                .linkedLibrary("c10"),
                .unsafeFlags(torchLinkFlags),
            ]
        ),
        .target(name: "Torch", dependencies: ["CTorch"]),
        .executableTarget(name: "strata-bench", dependencies: ["Torch"], path: "bench/Sources/strata-bench"),
        .testTarget(name: "TorchTests", dependencies: ["Torch"]),
    ],
    cxxLanguageStandard: .cxx17
)
