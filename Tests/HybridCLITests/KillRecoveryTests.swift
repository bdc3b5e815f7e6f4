import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kill -9` at any moment of a compile leaves a state from which the next compile writes exactly
/// the output of a clean build, and a bundle interrupted mid-write is not marked complete.
@Suite("Compile killed with SIGKILL")
struct KillRecoveryTests {
    static func makeRepository(_ root: String, cacheTimeout: Int) throws {
        var files: [String: String] = [
            "hybrid.yaml": "mode: superset\n",
            "env/prod.yaml": "ENV: prod\nCACHE_TIMEOUT: \(cacheTimeout)\n",
            "assets/databases/db.yaml.j2": "database_name: analytics\nsqlalchemy_uri: sqlite://\n",
        ]
        for dataset in 0..<10 {
            files["assets/datasets/t\(dataset).yaml.j2"] =
                "table_name: t\(dataset)\ndatabase: analytics\ncolumns: [{column_name: a}, {column_name: b}]\n"
            for chart in 0..<6 {
                files["assets/charts/c\(dataset)_\(chart).yaml.j2"] =
                    "slice_name: C\(dataset).\(chart)\nviz_type: table\ndatasource: t\(dataset)\n"
                    + "cache_timeout: {{ CACHE_TIMEOUT }}\nparams: {groupby: [a]}\n"
            }
        }
        for tenant in 0..<12 {
            files["mappings/tenant\(tenant).yaml"] =
                "source:\n  columns: {a: a}\ntarget:\n  columns: {a: a\(tenant)}\n"
        }
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    static func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [:] }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files[relative] = FileManager.default.contents(atPath: directory + "/" + relative)
            }
        }
        return files
    }

    @Test("after a compile is killed at a random moment, the next compile equals a clean build")
    func killAndRecover() throws {
        let base = NSTemporaryDirectory() + "hybrid-kill-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base) }
        let repository = base + "/repo"
        try Self.makeRepository(repository, cacheTimeout: 0)
        var random = SystemRandomNumberGenerator()
        var interrupted = 0
        for round in 1...6 {
            try Self.makeRepository(repository, cacheTimeout: round)
            let process = Process()
            process.executableURL = HybridProcess.executable
            process.arguments = ["compile", "--env", "prod", "--all-mappings"]
            process.currentDirectoryURL = URL(fileURLWithPath: repository)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 5_000...120_000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { interrupted += 1 }

            let recovered = try HybridProcess.run(["compile", "--env", "prod", "--all-mappings"], in: repository)
            #expect(recovered.status == 0, "\(recovered.stderr)")
            let clean = base + "/clean-\(round)"
            try Self.makeRepository(clean, cacheTimeout: round)
            _ = try HybridProcess.run(["compile", "--env", "prod", "--all-mappings"], in: clean)
            let expected = Self.snapshot(clean + "/bundles")
            #expect(expected.count == 12 * (1 + 10 + 60 + 1) + 12)
            #expect(Self.snapshot(repository + "/bundles") == expected, "round \(round)")
        }
        // Most rounds must really have been cut short for the test to mean something.
        #expect(interrupted >= 3)
    }
}
