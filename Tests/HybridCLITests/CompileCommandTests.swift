import Foundation
import Testing

@Suite("hybrid compile and validate (the executable)")
struct CompileCommandTests {
    let root = NSTemporaryDirectory() + "hybrid-compile-" + UUID().uuidString

    init() throws {
        for (path, text) in [
            ("hybrid.yaml", "mode: superset\ndefault_env: dev\n"),
            ("env/dev.yaml", "ENV: dev\n"),
            ("assets/databases/db.yaml.j2", "database_name: analytics_{{ ENV }}\nsqlalchemy_uri: sqlite://\n"),
            (
                "assets/datasets/t.yaml.j2",
                "table_name: t\ndatabase: analytics_{{ ENV }}\ncolumns: [{column_name: a}]\n"
            ),
            ("assets/charts/c.yaml.j2", "slice_name: C\nviz_type: table\ndatasource: t\nparams: {groupby: [a]}\n"),
            ("mappings/acme.yaml", "source:\n  tables: {t: t}\ntarget:\n  tables: {t: acme_t}\n"),
        ] {
            try write(path, text)
        }
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test("compile prints a one-line summary and exits 0; a second run rebuilds nothing")
    func summary() throws {
        let first = try HybridProcess.run(["compile"], in: root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.hasPrefix("compile dev: 1 bundle, 6 nodes, 6 rebuilt, 0 cached, 4 written, 0 removed in "))
        let second = try HybridProcess.run(["compile", "--env", "dev"], in: root)
        #expect(
            second.stderr.hasPrefix("compile dev: 1 bundle, 6 nodes, 0 rebuilt, 6 cached, 0 written, 0 removed in "))
    }

    @Test("--timings prints the phases in order; --format json carries them")
    func timings() throws {
        let text = try HybridProcess.run(["compile", "--timings"], in: root)
        let line = try #require(text.stderr.split(separator: "\n").last.map(String.init))
        let names = line.dropFirst("phases: ".count).split(separator: ", ").map { $0.split(separator: " ")[0] }
        #expect(line.hasPrefix("phases: "))
        #expect(names == ["lock", "inputs", "render", "bundles", "finish"])
        let json = try HybridProcess.run(["compile", "--format", "json"], in: root)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let phases = try #require(object["phases"] as? [[String: Any]])
        #expect(phases.map { $0["name"] as? String } == ["lock", "inputs", "render", "bundles", "finish"])
        let seconds = phases.compactMap { $0["seconds"] as? Double }
        #expect(seconds.count == 5 && seconds.allSatisfy { $0 >= 0 })
        #expect(seconds.reduce(0, +) <= (object["seconds"] as? Double ?? 0) + 0.001)
    }

    @Test("--explain says why each node was rebuilt")
    func explain() throws {
        _ = try HybridProcess.run(["compile"], in: root)
        try write("assets/charts/c.yaml.j2", "slice_name: C2\nviz_type: table\ndatasource: t\nparams: {groupby: [a]}\n")
        let result = try HybridProcess.run(["compile", "--explain"], in: root)
        #expect(result.stderr.contains("render assets/charts/c.yaml.j2: template changed\n"))
        #expect(result.stderr.contains("output dev/charts/c.yaml: rendered text changed\n"))
    }

    @Test("an unknown key in hybrid.yaml is an error at its line, exit 1")
    func unknownConfigKey() throws {
        try write("hybrid.yaml", "mode: superset\nbundle_dir: out\n")
        let result = try HybridProcess.run(["compile", "--env", "dev"], in: root)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "hybrid.yaml:2:1: error: unknown key 'bundle_dir' in hybrid.yaml (allowed: mode, superset, preset, default_env, assets_dir, bundles_dir, cache_dir, uuid_namespace, promotion, policy, translate, render, watch, cache)"
            ))
    }

    @Test("a malformed mapping file is an error at its line, exit 1")
    func malformedMapping() throws {
        try write("mappings/acme.yaml", "source:\n  tables: {t: t\n")
        let result = try HybridProcess.run(["compile", "--mapping", "acme"], in: root)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("mappings/acme.yaml:3:1: error: "))
    }

    @Test("a dangling chart reference is an error at the template line, exit 1")
    func danglingReference() throws {
        try write("assets/charts/c.yaml.j2", "slice_name: C\nviz_type: table\ndatasource: nope\n")
        let result = try HybridProcess.run(["compile"], in: root)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix(
                "assets/charts/c.yaml.j2:3:13: error: datasource refers to dataset 'nope', which is not in this bundle")
        )
    }

    @Test("validate --format github prints annotations on the template, exit 1 on errors")
    func validateGitHub() throws {
        try write("assets/charts/c.yaml.j2", "slice_name: C\nviz_type: table\ndatasource: t\nparams: {groupby: [b]}\n")
        let result = try HybridProcess.run(["validate", "--format", "github"], in: root)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "::error file=assets/charts/c.yaml.j2,line=4,col=1,title=hybrid validate::params.groupby[0]: "))
    }

    @Test("a tenant's bundle goes to bundles/<env>/<tenant>/")
    func tenantBundle() throws {
        let result = try HybridProcess.run(["compile", "--mapping", "mappings/acme.yaml"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        let dataset = try String(contentsOfFile: root + "/bundles/dev/acme/datasets/t.yaml", encoding: .utf8)
        #expect(dataset.contains("table_name: acme_t\n"))
    }

    @Test("graph --format json lists renders, the files and variables they read, and outputs")
    func graph() throws {
        let result = try HybridProcess.run(["graph", "--format", "json"], in: root)
        #expect(result.status == 0, "\(result.stderr)")
        struct Graph: Decodable {
            struct Node: Decodable { var id, kind: String }
            struct Edge: Decodable { var from, to, kind: String }
            var nodes: [Node]
            var edges: [Edge]
        }
        let graph = try JSONDecoder().decode(Graph.self, from: Data(result.stdout.utf8))
        #expect(graph.nodes.contains { $0.id == "render:charts/c.yaml.j2" && $0.kind == "render" })
        #expect(graph.nodes.contains { $0.id == "output:dev/charts/c.yaml" })
        let edges = Set(graph.edges.map { "\($0.from) -\($0.kind)-> \($0.to)" })
        #expect(edges.contains("file:assets/charts/c.yaml.j2 -loads-> render:charts/c.yaml.j2"))
        #expect(edges.contains("variable:ENV -reads-> render:datasets/t.yaml.j2"))
        #expect(edges.contains("file:env/dev.yaml -defines-> variable:ENV"))
        #expect(edges.contains("output:dev/datasets/t.yaml -references-> output:dev/charts/c.yaml"))
        let dot = try HybridProcess.run(["graph"], in: root)
        #expect(dot.stdout.hasPrefix("digraph hybrid {\n"))
    }

    @Test("cache stats counts the cache's files; cache clean empties it and the next compile rebuilds all")
    func cacheStatsAndClean() throws {
        _ = try HybridProcess.run(["compile"], in: root)
        let stats = try HybridProcess.run(["cache", "stats", "--format", "json"], in: root)
        struct Stats: Decodable { var files: Int }
        #expect(try JSONDecoder().decode(Stats.self, from: Data(stats.stdout.utf8)).files > 5)
        let clean = try HybridProcess.run(["cache", "clean"], in: root)
        #expect(clean.status == 0)
        #expect(clean.stdout.hasPrefix("removed "))
        let again = try HybridProcess.run(["compile"], in: root)
        #expect(again.stderr.hasPrefix("compile dev: 1 bundle, 6 nodes, 6 rebuilt, 0 cached, 0 written, 0 removed"))
    }

    @Test("cache gc reports sizes before and after (json), refuses a bad size, and the next compile has nothing to do")
    func cacheGC() throws {
        _ = try HybridProcess.run(["compile"], in: root)
        try write(
            "assets/charts/c.yaml.j2",
            try String(contentsOfFile: root + "/assets/charts/c.yaml.j2", encoding: .utf8) + "# edited\n")
        _ = try HybridProcess.run(["compile"], in: root)
        let gc = try HybridProcess.run(["cache", "gc", "--format", "json"], in: root)
        #expect(gc.status == 0, "\(gc.stderr)")
        struct Report: Decodable {
            var filesBefore, filesAfter, removedFiles, referencedFiles, removedReferenced: Int
            var bytesBefore, bytesAfter: Int64
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(gc.stdout.utf8))
        #expect(report.removedFiles >= 1 && report.removedReferenced == 0)
        #expect(report.filesAfter == report.referencedFiles && report.bytesAfter < report.bytesBefore)
        let again = try HybridProcess.run(["compile"], in: root)
        #expect(again.stderr.contains(" 0 rebuilt, 6 cached, 0 written, 0 removed"), "\(again.stderr)")
        let bad = try HybridProcess.run(["cache", "gc", "--max-size", "lots"], in: root)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--max-size expects a size like 500M, 2G or 1048576, got 'lots'"))
    }
}
