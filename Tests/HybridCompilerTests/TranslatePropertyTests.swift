import Foundation
import HybridCompiler
import HybridTestSupport
import HybridYAML
import Testing

/// compile(translate(export)) == export on repositories shaped like the benchmark's (macros, loops,
/// includes, tenants), for every environment.
@Suite("Translate round trip on generated repositories")
struct TranslatePropertyTests {
    private func compileAll(_ workspace: Workspace, env: String, tenants: Bool) async {
        _ = await Compiler(workspace: workspace).compile(CompileOptions(environment: env))
        if tenants {
            _ = await Compiler(workspace: workspace).compile(CompileOptions(environment: env, mappings: .all))
        }
    }

    /// `bundles/ENV` (with its tenants) as the export `ui_exports/ENV`.
    private func export(_ fixture: RepositoryFixture, env: String) throws {
        let target = fixture.root + "/ui_exports/" + env
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: fixture.root + "/ui_exports", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.root + "/bundles/" + env, toPath: target)
    }

    @Test(
        "an untouched export of every environment and tenant translates to no change", arguments: [1, 2, 3] as [UInt64])
    func identity(seed: UInt64) async throws {
        let fixture = try RepositoryFixture(files: GeneratedRepository.files(seed: seed, clients: Int(seed % 3)))
        let workspace = try Workspace.load(root: fixture.root)
        for env in GeneratedRepository.environments {
            await compileAll(workspace, env: env, tenants: seed % 3 != 0)
            try export(fixture, env: env)
            let (report, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: env))
            #expect(files.isEmpty, "seed \(seed) \(env): \(files.map(\.path))")
            #expect(report.unplaced.isEmpty, "seed \(seed) \(env): \(report.unplaced.map(\.message))")
        }
    }

    @Test(
        "random UI edits: placed edits reproduce the export; unplaced ones leave a .ui template that does; other environments still compile",
        arguments: [11, 12, 13, 14] as [UInt64])
    func edits(seed: UInt64) async throws {
        var random = SplitMix(state: seed)
        let fixture = try RepositoryFixture(files: GeneratedRepository.files(seed: seed, clients: 0))
        let workspace = try Workspace.load(root: fixture.root)
        let env = GeneratedRepository.environments[Int(seed % 3)]
        await compileAll(workspace, env: env, tenants: false)
        try export(fixture, env: env)
        // Edit string values of the export as the UI would: names, titles, descriptions, SQL.
        let root = fixture.root + "/ui_exports/" + env
        let editable = ["slice_name", "dashboard_title", "description", "expression", "x_axis"]
        let words = ["Net", "q4", "dev", "analytics_\(env)", "a: b", "{{ filter_values('x') }}", "ünï", "it's"]
        var edited = 0
        for kind in ["charts", "datasets", "dashboards"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: root + "/" + kind).sorted()
            where random.next() % 2 == 0 {
                let path = root + "/" + kind + "/" + name
                var document = try #require(
                    try YAMLParser.parseDocument(String(contentsOfFile: path, encoding: .utf8), file: path))
                document = mutate(document, keys: editable, words: words, random: &random, edited: &edited)
                try YAMLEmitter.emitString(document).write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
        let (report, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: env))
        try Translator.write(files, workspace: workspace)
        // Where a change could not be placed, the .ui file is the whole translation: take it.
        for file in report.uiFiles {
            let template = String(file.dropLast(3))
            try FileManager.default.removeItem(atPath: fixture.root + "/" + template)
            try FileManager.default.moveItem(atPath: fixture.root + "/" + file, toPath: fixture.root + "/" + template)
        }
        let result = await Compiler(workspace: workspace).compile(CompileOptions(environment: env))
        #expect(result.diagnostics.allSatisfy { $0.severity != .error }, "seed \(seed): \(result.diagnostics)")
        let bundle = fixture.snapshot("bundles/" + env).filter { !$0.key.hasPrefix(".hybrid-status") }
        let exported = fixture.snapshot("ui_exports/" + env)
        for (path, bytes) in exported where bundle[path] != bytes {
            Issue.record(
                "seed \(seed) \(env): \(path) differs:\n\(String(decoding: bundle[path] ?? Data(), as: UTF8.self))\n---\n\(String(decoding: bytes, as: UTF8.self))\nunplaced: \(report.unplaced.map(\.message))"
            )
        }
        let (again, againFiles) = try Translator(workspace: workspace).translate(TranslateOptions(environment: env))
        #expect(againFiles.isEmpty, "translating twice changes nothing (seed \(seed))")
        #expect(again.unplaced.isEmpty, "seed \(seed): \(again.unplaced.map(\.message))")
        for other in GeneratedRepository.environments where other != env {
            let compiled = await Compiler(workspace: workspace).compile(CompileOptions(environment: other))
            #expect(compiled.diagnostics.allSatisfy { $0.severity != .error }, "seed \(seed) \(other)")
        }
    }

    private func mutate(
        _ node: YAMLNode, keys: [String], words: [String], random: inout SplitMix, edited: inout Int
    ) -> YAMLNode {
        var node = node
        switch node.value {
        case .mapping(var mapping):
            for index in mapping.entries.indices {
                if let key = mapping.entries[index].key.stringValue, keys.contains(key),
                    let old = mapping.entries[index].value.stringValue, random.next() % 2 == 0
                {
                    let word = words[Int(random.next() % UInt64(words.count))]
                    mapping.entries[index].value.value = .string(
                        random.next() % 2 == 0 ? old + " " + word : word + " " + old)
                    edited += 1
                } else {
                    mapping.entries[index].value = mutate(
                        mapping.entries[index].value, keys: keys, words: words, random: &random, edited: &edited)
                }
            }
            node.value = .mapping(mapping)
        case .sequence(var items):
            for index in items.indices {
                items[index] = mutate(items[index], keys: keys, words: words, random: &random, edited: &edited)
            }
            node.value = .sequence(items)
        default:
            break
        }
        return node
    }
}
