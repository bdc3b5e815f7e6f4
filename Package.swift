// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "hybrid",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hybrid", targets: ["hybrid"]),
        .library(name: "HybridYAML", targets: ["HybridYAML"]),
        .library(name: "HybridCore", targets: ["HybridCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
    ],
    targets: [
        // System libraries (pkg-config names, Debian providers).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),

        // The calling thread's stack bounds (pthread_getattr_np needs _GNU_SOURCE), for recursion guards.
        .target(name: "CThreadStack"),

        // Libraries, one concern each.
        .target(name: "HybridDiagnostics"),
        .target(name: "HybridYAML", dependencies: ["CYAML", "HybridDiagnostics"]),
        .target(name: "HybridGraph", dependencies: ["CXXHash"]),
        .target(
            name: "HybridTemplates",
            dependencies: [
                "HybridYAML", "HybridDiagnostics", "HybridGraph", "CThreadStack",
                .product(name: "BigInt", package: "BigInt"),
            ],
            // The interpreter's scopes are confined to one render; dynamic exclusivity checks only cost time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(
            name: "HybridCore", dependencies: ["HybridYAML", "HybridDiagnostics", "HybridGraph", "HybridTemplates"]),

        // HTTP client for Superset and Preset: auth, CSRF, import/export, retries; bundle ZIPs.
        .target(
            name: "SupersetClient",
            dependencies: [
                "HybridDiagnostics",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),

        // The runtime: apply, export, drift-plan, plan, promote against Superset (HybridCore + SupersetClient).
        .target(
            name: "HybridRuntime",
            dependencies: ["HybridCore", "HybridYAML", "HybridGraph", "HybridDiagnostics", "SupersetClient"]
        ),

        // The thin executable.
        .executableTarget(
            name: "hybrid",
            dependencies: [
                "HybridCore", "HybridYAML", "HybridDiagnostics", "HybridGraph", "SupersetClient", "HybridRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for the template engine (built with -sanitize=fuzzer; see README).
        .executableTarget(name: "hybrid-fuzz", dependencies: ["HybridTemplates", "HybridYAML"]),
        // Benchmark driver used by scripts/bench-yaml.py (not a test).
        .executableTarget(name: "hybrid-bench", dependencies: ["HybridYAML", "HybridTemplates"]),

        .testTarget(
            name: "HybridYAMLTests",
            dependencies: [
                "HybridYAML",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "HybridGraphTests", dependencies: ["HybridGraph"]),
        .testTarget(
            name: "HybridTemplatesTests",
            dependencies: [
                "HybridTemplates", "HybridYAML",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "HybridCoreTests",
            dependencies: [
                "HybridCore", "HybridYAML",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "HybridCLITests", dependencies: ["hybrid"]),
        .testTarget(name: "SupersetClientTests", dependencies: ["SupersetClient"]),
        .testTarget(
            name: "HybridRuntimeTests", dependencies: ["HybridRuntime", "HybridCore", "SupersetClient", "HybridYAML"]),
    ],
    swiftLanguageModes: [.v6]
)
