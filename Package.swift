// swift-tools-version:5.9
//
// softmax-repro: a reproducibility harness for "The Two-Pass Softmax Algorithm"
// (Dukhan & Ablavatski, 2020). See README.md.
import PackageDescription

// The micro-kernels are always optimised: a debug `swift test` must still run
// 1M-element softmaxes in seconds, and the unrolled templates only become
// register-resident loops once constants are propagated and loops unrolled.
// -ffp-contract=off keeps every rounding explicit, so the portable C and the SIMD kernels round the
// same way and can be compared bit for bit.
let kernelFlags = ["-O3", "-fno-math-errno", "-ffp-contract=off"]
let kernelCFlags: [CSetting] = [
    .unsafeFlags(kernelFlags),
    .define("SOFTMAX_KERNEL_CFLAGS", to: "\"\(kernelFlags.joined(separator: " "))\""),
]

let package = Package(
    name: "softmax-repro",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "softmax-repro", targets: ["softmax-repro"]),
        .library(name: "Softmax", targets: ["Softmax"]),
    ],
    dependencies: [
        // Exact versions, so every machine builds the same dependency code (Package.resolved stays out
        // of git); these are the versions the build machines' package mirror serves.
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        // Tests only: property-based checks of the experiment-file parser.
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        // MARK: Public API: the paper's algorithms over dispatched kernels.
        .target(name: "Softmax", dependencies: ["CSoftmaxKernels"]),

        // MARK: The measurement harness and its command-line front end.
        .target(name: "Platform", dependencies: ["CPlatform"]),
        .target(name: "Harness", dependencies: ["Softmax", "Platform"]),
        .executableTarget(
            name: "softmax-repro",
            dependencies: [
                "Harness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Implementation details: C code the Swift modules sit on.
        .target(
            name: "CSoftmaxKernels",
            exclude: ["kernels.def", "families.def", "isas.def", "README.md"],
            cSettings: kernelCFlags),
        .target(
            name: "CPlatform",
            linkerSettings: [.linkedLibrary("hwloc"), .linkedLibrary("papi")]),

        // MARK: Tests, one target per source module.
        .testTarget(name: "SoftmaxTests", dependencies: ["Softmax"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(
            name: "HarnessTests",
            dependencies: ["Harness", .product(name: "PropertyBased", package: "swift-property-based")]),
    ]
)
