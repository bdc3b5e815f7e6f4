import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Applier.apply against a fake Superset")
struct ApplierApplyTests {
    static let all = [
        "charts/by_tenant.yaml", "charts/revenue.yaml", "dashboards/overview.yaml", "databases/analytics.yaml",
        "datasets/sales.yaml", "metadata.yaml",
    ]

    /// Rewrites one line of `env/prod.yaml`.
    private static func setProd(_ harness: RuntimeHarness, _ old: String, _ new: String) throws {
        let text = try harness.fixture.read("env/prod.yaml")
        #expect(text.contains(old))
        try harness.fixture.write("env/prod.yaml", text.replacingOccurrences(of: old, with: new))
    }

    @Test("a first apply sends every asset and metadata.yaml in one import and records each one")
    func firstApply() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let outcome = try await harness.applier(fake).apply(bundle, options: .init())
        #expect(outcome.importCalls == 1)
        #expect(outcome.imported == ["databases": 1, "datasets": 1, "charts": 2, "dashboards": 1])
        #expect(outcome.deleted.isEmpty)
        #expect(outcome.serverReachedForRefresh)
        #expect(outcome.auditStatus == .success)
        #expect(outcome.auditAssets == outcome.imported)
        #expect(outcome.bundle == "prod")
        #expect(outcome.target == fake.url.trimmingCharacters(in: ["/"]))
        let sent = try #require(fake.imports.first)
        #expect(fake.imports.count == 1)
        #expect(sent.paths == Self.all)
        #expect(sent.files["metadata.yaml"] == String(decoding: BundleMetadata.bytes, as: UTF8.self))
        #expect(sent.passwords == nil)
        let state = try harness.state(bundle, on: fake)
        #expect(state.assets.count == 5)
        for asset in bundle.assets {
            #expect(
                state.assets[asset.uuid] == AppliedState.Asset(kind: asset.kind, path: asset.path, hash: asset.hash))
        }
    }

    @Test("a changed chart is sent with its dataset and database, and nothing else")
    func chartClosure() async throws {
        let harness = try RuntimeHarness()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(try await harness.bundle(), options: .init())
        // CACHE_TIMEOUT is used by the chart defaults, which only charts/revenue.yaml includes.
        try Self.setProd(harness, "CACHE_TIMEOUT: 3600", "CACHE_TIMEOUT: 7200")
        let changed = try await harness.bundle()
        let outcome = try await applier.apply(changed, options: .init())
        #expect(
            outcome.plan.filter { $0.change != .unchanged }.map(\.path) == ["charts/revenue.yaml"])
        #expect(outcome.importCalls == 1)
        #expect(outcome.imported == ["charts": 1, "datasets": 1, "databases": 1])
        let sent = try #require(fake.imports.last)
        #expect(fake.imports.count == 2)
        #expect(
            sent.paths == ["charts/revenue.yaml", "databases/analytics.yaml", "datasets/sales.yaml", "metadata.yaml"])
        #expect(sent.files["charts/revenue.yaml"]?.contains("cache_timeout: 7200") == true)
        let revenue = try changed.asset("charts/revenue.yaml")
        #expect(try harness.state(changed, on: fake).assets[revenue.uuid]?.hash == revenue.hash)
    }

    @Test("a changed dataset is sent with its database only, not with the charts that use it")
    func datasetClosure() async throws {
        let harness = try RuntimeHarness()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(try await harness.bundle(), options: .init())
        try Self.setProd(harness, "SCHEMA: public", "SCHEMA: reporting")
        let changed = try await harness.bundle()
        let outcome = try await applier.apply(changed, options: .init())
        #expect(outcome.plan.filter { $0.change != .unchanged }.map(\.path) == ["datasets/sales.yaml"])
        #expect(fake.imports.count == 2)
        #expect(fake.imports.last?.paths == ["databases/analytics.yaml", "datasets/sales.yaml", "metadata.yaml"])
    }

    @Test("dependencies sent with a changed chart keep no changed_on: the import moved it on the server")
    func sentDependenciesForgetChangedOn() async throws {
        let harness = try RuntimeHarness()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(try await harness.bundle(), options: .init())
        // A refresh with nothing changed remembers every asset's changed_on.
        _ = try await applier.apply(try await harness.bundle(), options: .init())
        try Self.setProd(harness, "CACHE_TIMEOUT: 3600", "CACHE_TIMEOUT: 7200")
        let changed = try await harness.bundle()
        _ = try await applier.apply(changed, options: .init())
        let state = try harness.state(changed, on: fake)
        for path in ["charts/revenue.yaml", "datasets/sales.yaml", "databases/analytics.yaml"] {
            let uuid = try changed.asset(path).uuid
            #expect(state.assets[uuid]?.serverChangedOn == nil, "\(path)")
        }
        let untouched = try changed.asset("charts/by_tenant.yaml").uuid
        #expect(state.assets[untouched]?.serverChangedOn == fake.object(untouched)?.changedOn)
    }

    @Test("chunkSize splits the changed roots in plan order; each call carries its chunk's closure")
    func chunks() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let outcome = try await harness.applier(fake).apply(bundle, options: .init(chunkSize: 2))
        #expect(outcome.importCalls == 3)
        #expect(
            fake.imports.map(\.paths) == [
                // Roots: the database and the dataset.
                ["databases/analytics.yaml", "datasets/sales.yaml", "metadata.yaml"],
                // Roots: the two charts, with the dataset and database they need.
                [
                    "charts/by_tenant.yaml", "charts/revenue.yaml", "databases/analytics.yaml", "datasets/sales.yaml",
                    "metadata.yaml",
                ],
                // Root: the dashboard, with everything.
                Self.all,
            ])
        #expect(try harness.state(bundle, on: fake).assets.count == 5)
        // Each asset counts once, however many chunks carried it.
        #expect(outcome.imported == ["databases": 1, "datasets": 1, "charts": 2, "dashboards": 1])

        // A chunk size below one counts as one: a call per changed asset.
        let other = try FakeSuperset()
        defer { other.stop() }
        let single = try await harness.applier(other).apply(bundle, options: .init(chunkSize: 0))
        #expect(single.importCalls == 5)
        #expect(other.imports.map { $0.paths.count } == [2, 3, 4, 4, 6])
    }

    @Test("when nothing changed no import call is made and the outcome is a noop")
    func nothingChanged() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        let again = try await applier.apply(bundle, options: .init())
        #expect(again.importCalls == 0)
        #expect(again.imported.isEmpty)
        #expect(again.auditStatus == .noop)
        #expect(again.auditAssets.isEmpty)
        #expect(fake.imports.count == 1)
        #expect(fake.calls.filter { $0.hasPrefix("POST ") }.count == 1)
    }

    @Test("assets the server already holds as the bundle has them are adopted without an import")
    func adoptsUnchanged() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        for asset in bundle.assets { fake.seed(kind: asset.kind, yaml: asset.bytes) }
        let outcome = try await harness.applier(fake).apply(bundle, options: .init())
        #expect(outcome.plan.allSatisfy { $0.change == .unchanged })
        #expect(outcome.importCalls == 0)
        #expect(fake.imports.isEmpty)
        let state = try harness.state(bundle, on: fake)
        for asset in bundle.assets {
            #expect(
                state.assets[asset.uuid]
                    == AppliedState.Asset(
                        kind: asset.kind, path: asset.path, hash: asset.hash,
                        serverChangedOn: fake.object(asset.uuid)?.changedOn))
        }
    }

    @Test("an accepted chunk is recorded at once, a refused one is not; a retry imports only the rest")
    func refusedChunk() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        // The second chunk, then its first asset retried alone.
        fake.failImport(number: 2)
        fake.failImport(number: 3)
        let applier = try harness.applier(fake)
        do {
            _ = try await applier.apply(bundle, options: .init(chunkSize: 2))
            Issue.record("the refused import should fail the apply")
        } catch {
            #expect(error.message.contains("Import failed for an unknown reason"))
            #expect(error.notes.map(\.message).contains { $0.contains("charts/by_tenant.yaml (uuid") })
        }
        #expect(fake.imports.map(\.accepted) == [true, false, false])
        let first = try [bundle.asset("databases/analytics.yaml"), bundle.asset("datasets/sales.yaml")]
        #expect(Set(try harness.state(bundle, on: fake).assets.keys) == Set(first.map(\.uuid)))

        let retry = try await applier.apply(bundle, options: .init(chunkSize: 2))
        #expect(
            lines(retry.plan) == [
                "unchanged databases/analytics.yaml", "unchanged datasets/sales.yaml",
                "create charts/by_tenant.yaml (not on the server)", "create charts/revenue.yaml (not on the server)",
                "create dashboards/overview.yaml (not on the server)",
            ])
        #expect(retry.importCalls == 2)
        #expect(
            fake.imports.dropFirst(3).map(\.paths) == [
                [
                    "charts/by_tenant.yaml", "charts/revenue.yaml", "databases/analytics.yaml", "datasets/sales.yaml",
                    "metadata.yaml",
                ],
                Self.all,
            ])
        #expect(Set(try harness.state(bundle, on: fake).assets.keys) == Set(bundle.assets.map(\.uuid)))
    }

    @Test("a dry run plans but imports nothing and records nothing")
    func dryRun() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let outcome = try await harness.applier(fake).apply(bundle, options: .init(force: true, dryRun: true))
        #expect(outcome.plan.map(\.change) == Array(repeating: .create, count: 5))
        #expect(outcome.importCalls == 0)
        #expect(outcome.imported.isEmpty)
        #expect(outcome.auditStatus == .noop)
        #expect(fake.imports.isEmpty)
        #expect(fake.objects.isEmpty)
        #expect(try harness.state(bundle, on: fake).assets.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: harness.store.root + "/applied"))
    }

    @Test("HYBRID_DB_PASSWORD_<NAME> is looked up by database name; empty or absent gives none")
    func passwordLookup() {
        #expect(Applier.passwordVariable(for: "vault 2024") == "HYBRID_DB_PASSWORD_VAULT_2024")
        #expect(Applier.passwordVariable(for: "Ünïcode") == "HYBRID_DB_PASSWORD__N_CODE")
        let environment = ["HYBRID_DB_PASSWORD_ANALYTICS_PROD": "pw", "HYBRID_DB_PASSWORD_OTHER": ""]
        #expect(Applier.databasePassword(for: "analytics-prod", environment: environment) == "pw")
        #expect(Applier.databasePassword(for: "analytics.prod", environment: environment) == "pw")
        #expect(Applier.databasePassword(for: "other", environment: environment) == nil)
        #expect(Applier.databasePassword(for: "missing", environment: environment) == nil)
    }

    @Test("a database URI with a user name is sent masked with its password in the passwords field")
    func passwordsField() async throws {
        let suffix = uniqueSuffix()
        let harness = try RuntimeHarness()
        try harness.fixture.write(
            "assets/databases/vault.yaml.j2",
            "database_name: vault_\(suffix)\nsqlalchemy_uri: postgresql+psycopg2://reporter@vault.example.com/v\n")
        try harness.fixture.write(
            "assets/databases/plain.yaml.j2", "database_name: plain_\(suffix)\nsqlalchemy_uri: sqlite:///plain.db\n")
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)

        // Without a variable: no passwords field, the URI as it is.
        _ = try await applier.apply(bundle, options: .init())
        let bare = try #require(fake.imports.last)
        #expect(bare.passwords == nil)
        #expect(bare.files["databases/vault.yaml"]?.contains("//reporter@vault.example.com/v\n") == true)

        let variables = [
            Applier.passwordVariable(for: "vault_\(suffix)"): "s3cret",
            Applier.passwordVariable(for: "plain_\(suffix)"): "unused",
        ]
        _ = try await withEnvironment(variables) {
            try await applier.apply(bundle, options: .init(force: true))
        }
        #expect(getenv(Applier.passwordVariable(for: "vault_\(suffix)")) == nil)
        let sent = try #require(fake.imports.last)
        #expect(fake.imports.count == 2)
        // Only the URI with a user name takes a password, keyed by the file's path in the bundle.
        #expect(sent.passwords == ["databases/vault.yaml": "s3cret"])
        #expect(
            sent.files["databases/vault.yaml"]?.contains(
                "sqlalchemy_uri: postgresql+psycopg2://reporter:XXXXXXXXXX@vault.example.com/v\n") == true)
        #expect(sent.files["databases/plain.yaml"]?.contains("sqlalchemy_uri: sqlite:///plain.db\n") == true)
        #expect(!sent.files.values.contains { $0.contains("s3cret") })
    }
}
