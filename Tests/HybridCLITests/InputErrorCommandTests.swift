import Foundation
import HybridTestSupport
import Testing

/// Small wrong inputs that used to get a wrong or cryptic answer, or none.
@Suite("Wrong arguments get a message that says what is wrong (the executable)")
struct InputErrorCommandTests {
    let repository = TemporaryDirectory()
    var root: String { repository.path }

    init() throws {
        for (path, text) in smallRepositoryFiles {
            try repository.write(path, text)
        }
    }

    @Test(
        "--env given as a path is refused as not a name, with the name to use",
        arguments: ["../env/dev", "env/dev.yaml", "env/dev"])
    func environmentAsPath(argument: String) throws {
        let result = try HybridProcess.run(["compile", "--env", argument], in: root)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "error: '\(argument)' is not an environment name: an environment is named by its file in env/ (env/dev.yaml is --env dev) (did you mean --env dev?)\n"
            ), "\(result.stderr)")
    }

    @Test("--jobs -1 says what is wrong with it, in compile and promote")
    func negativeJobs() throws {
        for command in [["compile"], ["promote", "--chain", "dev"]] {
            let result = try HybridProcess.run(command + ["--jobs", "-1"], in: root)
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("Error: --jobs must be at least 1\n"), "\(result.stderr)")
        }
    }

    @Test("a URL with a port out of range is a configuration error naming the port, before any request")
    func portOutOfRange() throws {
        let result = try HybridProcess.run(
            ["plan", "--env", "dev", "--url", "http://127.0.0.1:99999"], in: root,
            environment: ["HYBRID_SUPERSET_USERNAME": "u", "HYBRID_SUPERSET_PASSWORD": "p"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("'http://127.0.0.1:99999' has port 99999; a port is 1 to 65535"), "\(result.stderr)")
        #expect(!result.stderr.contains("-1000"))
    }

    @Test("--all-mappings names the dot-named mapping files it skips")
    func hiddenMappings() throws {
        try repository.write("mappings/.beta.yaml", "source: {}\n")
        let result = try HybridProcess.run(["compile", "--all-mappings"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderr.hasPrefix(
                "mappings/.beta.yaml:1:1: warning: skipped by --all-mappings: a file whose name starts with '.' is hidden, not a tenant"
            ), "\(result.stderr)")
        #expect(result.stderr.contains(", 1 bundle,") || result.stderr.contains(": 1 bundle,"), "\(result.stderr)")
    }

    @Test("each corrupt cache entry is warned about once")
    func corruptEntryWarnedOnce() throws {
        #expect(try HybridProcess.run(["compile"], in: root).status == 0)
        let renders = root + "/.hybrid-cache/v1/render"
        let entries = (FileManager.default.enumerator(atPath: renders)?.allObjects as? [String] ?? []).filter {
            $0.count > 3
        }
        #expect(!entries.isEmpty)
        for entry in entries {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: renders + "/" + entry))
            try handle.seek(toOffset: 20)
            handle.write(Data("garbage".utf8))
            try handle.close()
        }
        // Touch the templates so that their renders are looked up again.
        for name in ["databases/db.yaml.j2", "datasets/t.yaml.j2"] {
            try repository.write("assets/" + name, try repository.read("assets/" + name) + "\n")
        }
        let result = try HybridProcess.run(["compile"], in: root)
        #expect(result.status == 0)
        let warnings = result.stderr.split(separator: "\n").filter { $0.contains("is corrupt") }
        #expect(!warnings.isEmpty)
        #expect(Set(warnings).count == warnings.count, "\(result.stderr)")
    }
}
