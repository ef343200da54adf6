// swift-tools-version:6.0
import PackageDescription

// No package dependencies: only the system's libsqlite3 and zlib, through system-library targets.
let package = Package(
    name: "TokenTrail",
    products: [
        .executable(name: "tokentrail", targets: ["tokentrail"]),
        .library(name: "TokenTrail", targets: ["TokenTrail"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "TokenTrail", dependencies: ["CSQLite", "CZlib"]),
        .executableTarget(name: "tokentrail", dependencies: ["TokenTrail"]),
        .executableTarget(name: "tokentrail-bench", dependencies: ["TokenTrail"]),
        .testTarget(name: "TokenTrailTests", dependencies: ["TokenTrail"],
                    resources: [.copy("Fixtures")]),
    ]
)
