// swift-tools-version:6.0
import PackageDescription

// No package dependencies: only the system's libsqlite3, zlib, libcrypto and libcurl,
// through system-library targets.
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
        // The readers' hot loops mutate buffer state held in classes; Swift's dynamic
        // exclusivity checks cost ~20% of ingest there (measured with perf), so release
        // builds of the library skip them. Debug builds (and so the tests) keep them.
        // OpenSSL's libcrypto, for SHA-256 only (chain of custody, secret fingerprints):
        // hardware-accelerated, where a hand-written Swift SHA-256 ran at ~150 MB/s.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // libcurl, for the webhook: Linux Foundation's URLSession refuses IPv6-literal hosts
        // and cannot say whether a timed-out request's body was sent.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "TokenTrail", dependencies: ["CSQLite", "CZlib", "CCrypto", "CCurl"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .executableTarget(name: "tokentrail", dependencies: ["TokenTrail"]),
        .executableTarget(name: "tokentrail-bench", dependencies: ["TokenTrail"]),
        // The CLI is a dependency so `swift test` builds it for the end-to-end tests.
        .testTarget(name: "TokenTrailTests", dependencies: ["TokenTrail", "tokentrail"],
                    exclude: ["Fixtures"]),
    ]
)
