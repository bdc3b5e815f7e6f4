// swift-tools-version: 6.1

import PackageDescription

let package = Package(
    name: "hybrid",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "hybrid", targets: ["hybrid"]),
        .library(name: "HybridYAML", targets: ["HybridYAML"]),
        .library(name: "HybridCompiler", targets: ["HybridCompiler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // HMAC-SHA256 for guest tokens signed locally (HS256).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The audit store: SQLite (the default) and PostgreSQL (CI fleets).
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `hybrid serve`: the HTTP server and its Prometheus metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The shared remote cache's HTTP client (keep-alive pool, timeouts); also Hummingbird's test client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
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

        // Libraries, one concern each (README "Targets" says what each owns).
        .target(name: "HybridDiagnostics"),
        .target(
            name: "HybridYAML",
            dependencies: ["CYAML", "HybridDiagnostics", .product(name: "BigInt", package: "BigInt")]
        ),
        // Content hashes, the CAS and records, the file-hash index, the build lock, atomic files.
        .target(name: "HybridCache", dependencies: ["CXXHash"]),
        // The shared remote cache over HTTP (Bazel's cas/ac layout): verified reads, writes only when allowed.
        .target(
            name: "HybridRemoteCache",
            dependencies: [
                "HybridDiagnostics", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "HybridTemplates",
            dependencies: [
                "HybridYAML", "HybridDiagnostics", "HybridCache", "CThreadStack",
                .product(name: "BigInt", package: "BigInt"),
            ],
            // The interpreter's scopes are confined to one render; dynamic exclusivity checks only cost time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // What Superset imports and exports: asset kinds, bundle documents, the normal form, schemas, facts.
        .target(name: "SupersetModel", dependencies: ["HybridYAML"]),
        // The incremental compiler: Project/ (inputs), Render/, Link/, Bundle/ (outputs), Graph/.
        .target(
            name: "HybridCompiler",
            dependencies: [
                "HybridYAML", "HybridDiagnostics", "HybridCache", "HybridTemplates", "SupersetModel",
                "HybridRemoteCache",
            ]
        ),
        // `hybrid validate`: schema, reference, duplicate and policy checks over compiled bundles.
        .target(
            name: "HybridValidation",
            dependencies: [
                "HybridYAML", "HybridDiagnostics", "HybridCache", "SupersetModel", "HybridCompiler",
                "HybridRemoteCache",
            ]
        ),

        // HTTP client for Superset and Preset: auth, CSRF, import/export, retries; bundle ZIPs.
        // AsyncHTTPClient rather than URLSession: FoundationNetworking would link libcurl and its
        // thirty libraries into `hybrid`, ~4 ms of dynamic loading on every start.
        .target(
            name: "SupersetClient",
            dependencies: [
                "HybridDiagnostics",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // The deploy audit store: records, SQLite (GRDB) and PostgreSQL (postgres-nio) backends, the spool.
        .target(
            name: "HybridAudit",
            dependencies: [
                "HybridDiagnostics", "HybridCache",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The runtime: apply, export, drift-plan, plan, promote against Superset; applied state, audit log.
        .target(
            name: "HybridRuntime",
            dependencies: [
                "HybridCompiler", "HybridValidation", "SupersetModel", "HybridYAML", "HybridCache", "HybridDiagnostics",
                "SupersetClient", "HybridAudit", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // `hybrid serve`: the audit and metrics API, the guest-token endpoint, /metrics and the page.
        .target(
            name: "HybridServe",
            dependencies: [
                "HybridAudit", "HybridRuntime", "HybridCompiler", "HybridDiagnostics", "SupersetClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // `hybrid watch`'s file-system events: inotify (polling as the fallback), debounced batches.
        .target(name: "HybridWatch"),

        // The thin executable.
        .executableTarget(
            name: "hybrid",
            dependencies: [
                "HybridCompiler", "HybridValidation", "SupersetModel", "HybridYAML", "HybridDiagnostics",
                "HybridCache", "HybridRemoteCache", "HybridTemplates", "SupersetClient", "HybridRuntime", "HybridAudit",
                "HybridServe",
                "HybridWatch", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // A position-dependent release executable: the loader has no 190,000 relative relocations
            // to apply (and pages to dirty) on every start, ~1.5 ms of each command. No exported
            // symbols (the static runtime's link arguments add -export-dynamic): the runtime's start-up
            // `dladdr` walks the dynamic symbol table linearly, 55,000 entries, ~0.8 ms of each command.
            linkerSettings: [
                .unsafeFlags(
                    ["-Xlinker", "-no-pie", "-Xlinker", "--no-export-dynamic"],
                    .when(platforms: [.linux], configuration: .release))
            ]
        ),
        // libFuzzer target for the template engine (built with -sanitize=fuzzer; see README).
        .executableTarget(name: "hybrid-fuzz", dependencies: ["HybridTemplates", "HybridYAML"]),
        // Benchmark driver used by scripts/bench-yaml.py (not a test).
        .executableTarget(name: "hybrid-bench", dependencies: ["HybridYAML", "HybridTemplates", "HybridDiagnostics"]),

        // Writes audit records in a loop (the concurrency and kill tests, scripts/bench-serve.py); not a test.
        .executableTarget(name: "hybrid-audit-writer", dependencies: ["HybridAudit"]),

        // Test helpers shared by the test targets: a stub HTTP server, temporary directories.
        .target(
            name: "HybridTestSupport",
            dependencies: [
                "HybridAudit", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/HybridTestSupport"
        ),

        .testTarget(
            name: "HybridYAMLTests",
            dependencies: [
                "HybridYAML", "HybridTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "HybridCacheTests", dependencies: ["HybridCache"]),
        .testTarget(name: "HybridRemoteCacheTests", dependencies: ["HybridRemoteCache", "HybridDiagnostics"]),
        .testTarget(name: "HybridWatchTests", dependencies: ["HybridWatch", "HybridTestSupport"]),
        .testTarget(
            name: "HybridTemplatesTests",
            dependencies: [
                "HybridTemplates", "HybridYAML", "HybridTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "SupersetModelTests", dependencies: ["SupersetModel", "HybridYAML"]),
        .testTarget(
            name: "HybridCompilerTests",
            dependencies: [
                "HybridCompiler", "SupersetModel", "HybridYAML", "HybridCache", "HybridDiagnostics",
                "HybridTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "HybridValidationTests",
            dependencies: [
                "HybridValidation", "HybridCompiler", "SupersetModel", "HybridYAML", "HybridCache", "HybridTestSupport",
            ]
        ),
        .testTarget(
            name: "HybridCLITests",
            dependencies: [
                "hybrid", "hybrid-audit-writer", "HybridTestSupport", "HybridYAML", "SupersetClient", "HybridAudit",
            ]
        ),
        .testTarget(
            name: "SupersetClientTests", dependencies: ["SupersetClient", "HybridDiagnostics", "HybridTestSupport"]),
        .testTarget(
            name: "HybridRuntimeTests",
            dependencies: [
                "HybridRuntime", "HybridCompiler", "HybridValidation", "SupersetModel", "SupersetClient", "HybridYAML",
                "HybridCache", "HybridDiagnostics", "HybridTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "HybridAuditTests",
            dependencies: [
                "HybridAudit", "HybridDiagnostics", "HybridTestSupport", "hybrid-audit-writer",
            ]
        ),
        .testTarget(
            name: "HybridServeTests",
            dependencies: [
                "HybridServe", "HybridAudit", "HybridRuntime", "HybridCompiler", "HybridDiagnostics", "SupersetClient",
                "HybridTestSupport", "hybrid-audit-writer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
