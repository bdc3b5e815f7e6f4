import Foundation
import HybridDiagnostics
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("hybrid.yaml")
struct ProjectConfigTests {
    private func parse(_ text: String) throws(Diagnostic) -> ProjectConfig {
        try ProjectConfig.parse(Array(text.utf8), file: "hybrid.yaml")
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("the seed's configuration reads, with defaults for what it leaves out")
    func seed() throws {
        let config = try parse(
            """
            mode: preset
            superset:
              url: "https://superset.example.com"
            preset:
              workspaces:
                dev: "https://workspace-dev.us1a.app.preset.io/"
            default_env: dev
            assets_dir: "./assets/"
            bundles_dir: "bundles"
            """)
        #expect(config.mode == .preset)
        #expect(config.runtimeURL(for: "dev") == "https://workspace-dev.us1a.app.preset.io/")
        #expect(config.supersetURL == "https://superset.example.com")
        #expect(config.assetsDirectory == "assets")
        #expect(config.cacheDirectory == ".hybrid-cache")
        #expect(config.uuidNamespace == UUIDv5.defaultNamespace)
        #expect(config.promotionChain == ["dev", "staging", "prod"])
        #expect(config.policy.otherEnvironmentMarkers == ["prod"])
        #expect(config.tableNameScope == nil)
        #expect(try parse("superset:\n  table_name_scope: server\n").tableNameScope == "server")
        #expect(try parse("superset:\n  table_name_scope: auto\n").tableNameScope == nil)
        #expect(config.renderMemoryBudget == nil)
        #expect(try parse("render:\n  memory_budget: 64MiB\n").renderMemoryBudget == 64 << 20)
        #expect(try parse("render:\n  memory_budget: 2097152\n").renderMemoryBudget == 2 << 20)
        #expect(throws: Diagnostic.self) { try parse("render:\n  memory_budget: 12 parsecs\n") }
        #expect(config.remoteCache == nil)
        #expect(try parse("cache:\n  remote: http://cache:8080/hybrid\n").remoteCache == "http://cache:8080/hybrid")
    }

    @Test(
        "unknown keys and wrong types are errors at their line and column",
        arguments: [
            (
                "mode: superset\nbundle_dir: x\n",
                "hybrid.yaml:2:1: error: unknown key 'bundle_dir' in hybrid.yaml (allowed: mode, superset, preset, default_env, assets_dir, bundles_dir, cache_dir, uuid_namespace, promotion, policy, translate, render, watch, cache)"
            ),
            ("mode: cloud\n", "hybrid.yaml:1:7: error: mode must be one of: superset, preset (got 'cloud')"),
            (
                "cache:\n  remote: http://ci:pw@cache/x\n",
                "hybrid.yaml:2:11: error: cache.remote must not hold credentials (hybrid.yaml is committed); put a "
                    + "token in HYBRID_REMOTE_CACHE_TOKEN, or the whole URL in HYBRID_REMOTE_CACHE"
            ),
            (
                "cache:\n  remote_url: http://cache\n",
                "hybrid.yaml:2:3: error: unknown key 'remote_url' in cache (allowed: remote)"
            ),
            ("superset:\n  url: 8088\n", "hybrid.yaml:2:8: error: superset.url must be a string, not an integer"),
            (
                "superset:\n  table_name_scope: schema\n",
                "hybrid.yaml:2:21: error: superset.table_name_scope must be database, server or auto, not 'schema'"
            ),
            (
                "superset:\n  url: ftp://x\n",
                "hybrid.yaml:2:8: error: superset.url must be an http:// or https:// URL, got 'ftp://x'"
            ),
            (
                "superset:\n  uri: http://x\n",
                "hybrid.yaml:2:3: error: unknown key 'uri' in superset (allowed: url, urls, table_name_scope)"
            ),
            (
                "assets_dir: ../elsewhere\n",
                "hybrid.yaml:1:13: error: assets_dir must be a directory inside the repository (relative, without '..'), got '../elsewhere'"
            ),
            (
                "uuid_namespace: nope\n",
                "hybrid.yaml:1:17: error: uuid_namespace must be a UUID like 6ba7b811-9dad-11d1-80b4-00c04fd430c8"
            ),
            (
                "promotion:\n  chain: [dev]\n",
                "hybrid.yaml:2:10: error: promotion.chain needs at least two environments"
            ),
            ("policy:\n  forbidden:\n    prod: ['(']\n", nil),
            ("preset: [a]\n", "hybrid.yaml:1:9: error: preset must be a mapping, not a list"),
            (
                "watch:\n  no_apply: prod\n",
                "hybrid.yaml:2:13: error: watch.no_apply must be a list, not a string"
            ),
            (
                "watch:\n  noapply: [prod]\n",
                "hybrid.yaml:2:3: error: unknown key 'noapply' in watch (allowed: no_apply)"
            ),
        ] as [(String, String?)])
    func errors(text: String, expected: String?) {
        let message = error(text)
        if let expected {
            #expect(message == expected)
        } else {
            #expect(message?.hasPrefix("hybrid.yaml:3:12: error: invalid regular expression '('") == true)
        }
    }

    @Test("watch.no_apply lists the environments watch --apply refuses; [prod] by default")
    func watchNoApply() throws {
        let directory = TemporaryDirectory()
        try directory.write("hybrid.yaml", "mode: superset\n")
        #expect(try ProjectConfig.load(root: directory.path).watchNoApply == ["prod"])
        try directory.write("hybrid.yaml", "watch:\n  no_apply: [staging, prod]\n")
        #expect(try ProjectConfig.load(root: directory.path).watchNoApply == ["staging", "prod"])
        try directory.write("hybrid.yaml", "watch:\n  no_apply: []\n")
        #expect(try ProjectConfig.load(root: directory.path).watchNoApply == [])
    }

    @Test("a missing hybrid.yaml means the defaults")
    func missing() throws {
        let directory = TemporaryDirectory()
        let config = try ProjectConfig.load(root: directory.path)
        #expect(config.bundlesDirectory == "bundles")
        #expect(config.path == nil)
    }
}
