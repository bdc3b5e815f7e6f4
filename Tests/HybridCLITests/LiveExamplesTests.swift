import Foundation
import HybridTestSupport
import HybridYAML
import Testing

/// Nested in the live runtime suite, which runs serially: these tests share its Superset.
extension LiveRuntimeTests {
    /// Superset's own example dashboards (the export YAML its wheel ships under `superset/examples/`) as
    /// a corpus no one here wrote: a repository made of them is applied by hybrid to a real Superset
    /// 6.1 and exported back, and the export is translated back into templates. `.ci/run` sets
    /// HYBRID_SUPERSET_EXAMPLES to that folder of the Superset it installs.
    @Suite("Superset's example dashboards against a live Superset")
    struct LiveExamplesTests {
        static var examples: String? { ProcessInfo.processInfo.environment["HYBRID_SUPERSET_EXAMPLES"] }

        /// The examples as a repository: one template per export file (the shared database pointed at the
        /// local analytics database), files that repeat another's uuid left out (two examples share datasets).
        final class ExampleRepository {
            let directory = TemporaryDirectory()
            var root: String { directory.path }
            private(set) var templates: [String: String] = [:]
            private(set) var repeated: [String] = []

            init(examples: String) throws {
                let database =
                    ProcessInfo.processInfo.environment["HYBRID_SUPERSET_ANALYTICS_DB"].map { "sqlite:///" + $0 }
                    ?? "sqlite:///analytics.db"
                try directory.write("hybrid.yaml", "superset:\n  url: \(LiveServer.url)\n")
                try directory.write("env/examples.yaml", "ENV: examples\n")
                var seen: [String: String] = [:]
                let files = (FileManager.default.enumerator(atPath: examples)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("_shared/metadata") }.sorted()
                for file in files {
                    var text = try String(contentsOfFile: examples + "/" + file, encoding: .utf8)
                    let parts = file.split(separator: "/").map(String.init)
                    let name = String(parts.last!.dropLast(5))
                    let kind: String
                    if file.hasPrefix("_shared/") {
                        kind = "databases"
                        text = text.replacingOccurrences(of: "__SQLALCHEMY_EXAMPLES_URI__", with: database)
                    } else if parts.contains("charts") {
                        kind = "charts"
                    } else if name == "dashboard" {
                        kind = "dashboards"
                    } else {
                        kind = "datasets"
                    }
                    let document = try #require(try YAMLParser.parseDocument(text, file: file))
                    let uuid = try #require(document.mappingValue?["uuid"]?.stringValue)
                    if let first = seen[uuid] {
                        repeated.append("\(file) (uuid of \(first))")
                        continue
                    }
                    seen[uuid] = file
                    // `_shared/` would make a partial (a path component starting with `_`): the database is `examples`.
                    let path =
                        kind == "databases"
                        ? "assets/databases/examples.yaml.j2" : "assets/\(kind)/\(parts[0])/\(name).yaml.j2"
                    // The examples hold no Jinja today; should one, it is kept verbatim.
                    let hasJinja = text.contains("{{") || text.contains("{%") || text.contains("{#")
                    templates[path] = file
                    try directory.write(path, hasJinja ? "{% raw %}" + text + "{% endraw %}\n" : text)
                }
            }

            func hybrid(_ arguments: [String]) throws -> HybridProcess.Result {
                var variables = ProcessInfo.processInfo.environment
                variables["HYBRID_SUPERSET_USERNAME"] = LiveServer.username
                variables["HYBRID_SUPERSET_PASSWORD"] = LiveServer.password
                return try HybridProcess.run(arguments, in: root, environment: variables)
            }

            /// Bundle-relative path → bytes of every file under `folder`.
            func files(_ folder: String) -> [String: Data] {
                var result: [String: Data] = [:]
                let base = root + "/" + folder
                for case let path as String in FileManager.default.enumerator(atPath: base)?.allObjects ?? []
                where path.hasSuffix(".yaml") && !path.hasPrefix(".") {
                    result[path] = FileManager.default.contents(atPath: base + "/" + path)
                }
                return result
            }
        }

        @Test(
            "applied by hybrid and exported back: every file identical; translated from the export and compiled: every file identical"
        )
        func roundTrip() throws {
            guard let examples = Self.examples else {
                #expect(ProcessInfo.processInfo.environment["CI"] != "true", "HYBRID_SUPERSET_EXAMPLES is not set")
                return
            }
            let repo = try ExampleRepository(examples: examples)
            #expect(repo.templates.count > 100, "the wheel's examples: \(repo.templates.count) assets")
            let compile = try repo.hybrid(["compile", "--env", "examples"])
            #expect(compile.status == 0, "\(compile.stderr)")
            let validate = try repo.hybrid(["validate", "--env", "examples"])
            #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
            let apply = try repo.hybrid(["apply", "--env", "examples"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let export = try repo.hybrid(["export", "--env", "examples", "--out", "ui_exports/examples"])
            #expect(export.status == 0, "\(export.stderr)")

            let bundle = repo.files("bundles/examples")
            let exported = repo.files("ui_exports/examples")
            #expect(Set(bundle.keys) == Set(exported.keys))
            let differing = bundle.keys.filter { bundle[$0] != exported[$0] }.sorted()
            #expect(
                differing.isEmpty,
                "identical \(bundle.count - differing.count) of \(bundle.count); differing \(differing)")
            // One example chart is of a legacy type: compile warns and writes it as Superset's import migrates it.
            #expect(
                compile.stderr.contains("is a legacy chart type: the bundle holds it as Superset's import rewrites it"))

            // Export → translate (into an empty assets folder) → compile gives the export back, every file.
            try FileManager.default.removeItem(atPath: repo.root + "/assets")
            try FileManager.default.createDirectory(atPath: repo.root + "/assets", withIntermediateDirectories: true)
            let translate = try repo.hybrid(["translate", "--env", "examples"])
            #expect(translate.status == 0, "\(translate.stdout)\(translate.stderr)")
            #expect(translate.stdout.contains("created \(exported.count - 1)"), "\(translate.stdout)")
            let recompile = try repo.hybrid(["compile", "--env", "examples"])
            #expect(recompile.status == 0, "\(recompile.stderr)")
            let translated = repo.files("bundles/examples")
            let same = exported.keys.filter { translated[$0] == exported[$0] }.count
            #expect(same == exported.count, "export → translate → compile: \(same) of \(exported.count) identical")
            let drift = try repo.hybrid(["drift-plan", "--env", "examples"])
            #expect(drift.stdout == "NO_DRIFT\n", "\(drift.stdout)")
        }
    }
}
