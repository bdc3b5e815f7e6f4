import Foundation

/// Runs the built `hybrid` executable and captures what it prints.
struct HybridProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `hybrid` binary next to the test bundle (the same build products directory).
    static var executable: URL {
        let products =
            Bundle.main.bundleURL.lastPathComponent.hasSuffix(".xctest")
            ? Bundle.main.bundleURL.deletingLastPathComponent()
            : Bundle.main.bundleURL
        let candidate = products.appendingPathComponent("hybrid")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "hybrid")
    }

    static func run(_ arguments: [String], in directory: String? = nil, environment overrides: [String: String]? = nil)
        throws -> Result
    {
        var environment = overrides ?? ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        return try run(executable: executable.path, arguments, in: directory, environment: environment)
    }

    /// Runs any program with exactly `environment`, capturing what it prints.
    static func run(executable: String, _ arguments: [String], in directory: String?, environment: [String: String])
        throws -> Result
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A Git author and committer for tests that commit.
    static let gitIdentity = [
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    ]
}

/// A small repository for CLI tests (env dev, one tenant mapping, a database, a dataset, a chart),
/// as (path, text) pairs.
let smallRepositoryFiles: [(String, String)] = [
    ("hybrid.yaml", "mode: superset\ndefault_env: dev\n"),
    ("env/dev.yaml", "ENV: dev\n"),
    ("mappings/acme.yaml", "source:\n  tables: {t: t}\ntarget:\n  tables: {t: acme_t}\n"),
    ("assets/databases/db.yaml.j2", "database_name: analytics_{{ ENV }}\nsqlalchemy_uri: sqlite://\n"),
    ("assets/datasets/t.yaml.j2", "table_name: t\ndatabase: analytics_{{ ENV }}\ncolumns: [{column_name: a}]\n"),
    ("assets/charts/c.yaml.j2", "slice_name: C\nviz_type: table\ndatasource: t\nparams: {groupby: [a]}\n"),
]
