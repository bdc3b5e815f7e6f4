import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Preflight before import: names Superset keeps unique, against a fake Superset")
struct ImportPreflightTests {
    static let otherUUID = "0f0f0f0f-0000-4000-8000-000000000001"
    static let otherDatabaseUUID = "0f0f0f0f-0000-4000-8000-000000000002"

    /// Applies and expects the preflight's refusal; returns its text (message and notes).
    private static func refused(_ applier: Applier, _ bundle: BundleSnapshot, options: Applier.Options = .init())
        async throws -> String
    {
        do {
            _ = try await applier.apply(bundle, options: options)
            Issue.record("apply was not refused")
            return ""
        } catch {
            return ([error.message] + error.notes.map { ($0.location.map { "\($0): " } ?? "") + $0.message })
                .joined(separator: "\n")
        }
    }

    /// A dataset of another uuid in another database, with the bundle's table name.
    private static func seedForeignTable(_ fake: FakeSuperset) {
        fake.seed(
            kind: .database,
            yaml: Array(
                "database_name: other_db\nuuid: \(otherDatabaseUUID)\nsqlalchemy_uri: sqlite://\n".utf8))
        fake.seed(
            kind: .dataset,
            yaml: Array(
                "table_name: fact_sales\nschema: main\nuuid: \(otherUUID)\ndatabase_uuid: \(otherDatabaseUUID)\n".utf8))
    }

    @Test("a database_name another uuid holds is refused with both assets named and no import call")
    func databaseName() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let theirs = fake.seed(
            kind: .database,
            yaml: Array("database_name: analytics_prod\nuuid: \(Self.otherUUID)\nsqlalchemy_uri: sqlite://\n".utf8))
        let text = try await Self.refused(try harness.applier(fake), bundle)
        #expect(fake.imports.isEmpty)
        #expect(text.contains("preflight: 1 asset of bundle prod would take a name"))
        #expect(text.contains("nothing was imported"))
        let uuid = try bundle.asset("databases/analytics.yaml").uuid
        #expect(
            text.contains(
                "databases/analytics.yaml:1:16: databases/analytics.yaml (uuid \(uuid)) takes database_name "
                    + "'analytics_prod', which database \(theirs.id) (uuid \(Self.otherUUID)): analytics_prod already has"
            ))
        #expect(text.contains("give the database another database_name"))
        #expect(try harness.state(bundle, on: fake).assets.isEmpty)
    }

    @Test("a dashboard slug another uuid holds is refused before any import")
    func slug() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let theirs = fake.seed(
            kind: .dashboard,
            yaml: Array("dashboard_title: Theirs\nslug: overview-prod\nuuid: \(Self.otherUUID)\n".utf8))
        let text = try await Self.refused(try harness.applier(fake), bundle)
        #expect(fake.imports.isEmpty)
        #expect(
            text.contains("takes slug 'overview-prod', which dashboard \(theirs.id) (uuid \(Self.otherUUID)): Theirs"))
        #expect(text.contains("give the dashboard another slug"))
    }

    @Test("a dataset whose database, schema and table another uuid holds is refused")
    func samePlace() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let database = try bundle.asset("databases/analytics.yaml")
        fake.seed(kind: .database, yaml: database.bytes)
        fake.seed(
            kind: .dataset,
            yaml: Array(
                "table_name: fact_sales\nschema: public\nuuid: \(Self.otherUUID)\ndatabase_uuid: \(database.uuid)\n"
                    .utf8))
        let text = try await Self.refused(try harness.applier(fake), bundle)
        #expect(fake.imports.isEmpty)
        #expect(text.contains("takes table_name 'fact_sales' (database 'analytics_prod', schema 'public')"))
        #expect(!text.contains("another database or schema"))
    }

    @Test("a table name another database holds is no clash once the server is known to scope table names per database")
    func otherDatabaseScopedPerDatabase() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        fake.keepNamesUnique(.tableNamePerDatabase)
        Self.seedForeignTable(fake)
        let applier = try harness.applier(fake)
        let outcome = try await applier.apply(bundle, options: .init())
        // Unknown scope: a warning, then the accepted import teaches the scope.
        #expect(outcome.warnings.count == 1)
        #expect(
            outcome.warnings.first?.message.contains("which dataset 2 (uuid \(Self.otherUUID)): fact_sales") == true)
        #expect(outcome.importCalls == 1)
        let knowledge = TableNameScope.Knowledge.load(
            configured: nil, store: harness.store, target: try harness.connection(fake).target)
        #expect(knowledge.scope == .database)
        // The listing now shows two datasets named fact_sales: the scope is plain from it alone.
        #expect(try await ServerView.list(try harness.connection(fake).client).listsSharedTableNames)
    }

    @Test(
        "on a server that keeps table names unique, the failed chunk is retried one by one, the dataset is named, and the next apply is refused before importing"
    )
    func otherDatabaseScopedPerServer() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        fake.keepNamesUnique(.tableNamePerServer)
        Self.seedForeignTable(fake)
        let applier = try harness.applier(fake)
        let first = try await Self.refused(applier, bundle)
        // The chunk (5 assets), then the database alone (accepted), then the dataset alone (refused).
        #expect(fake.imports.map(\.accepted) == [false, true, false])
        #expect(first.contains("answered 500 to POST /api/v1/assets/import/"))
        #expect(
            first.contains(
                "the failed import call carried databases/analytics.yaml, datasets/sales.yaml, charts/by_tenant.yaml"))
        #expect(first.contains("imported one by one, 1 asset was accepted; datasets/sales.yaml (uuid"))
        #expect(first.contains("this server keeps table names unique across databases"))
        // The database that was accepted is applied; nothing else is.
        let state = try harness.state(bundle, on: fake)
        #expect(Set(state.assets.values.map(\.path)) == ["databases/analytics.yaml"])
        let second = try await Self.refused(applier, bundle)
        #expect(fake.imports.count == 3)
        #expect(second.contains("preflight: 1 asset of bundle prod would take a name"))
        #expect(second.contains("in another database or schema; this server keeps table names unique across databases"))
        #expect(second.contains("(an import of datasets/sales.yaml was refused while dataset 2"))
    }

    @Test("superset.table_name_scope: server refuses a table name another database holds at once")
    func configuredScope() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        Self.seedForeignTable(fake)
        let text = try await Self.refused(try harness.applier(fake), bundle, options: .init(tableNameScope: .server))
        #expect(fake.imports.isEmpty)
        #expect(text.contains("(superset.table_name_scope in hybrid.yaml)"))
        // Declared per database: no clash, no warning.
        let outcome = try await harness.applier(fake).apply(bundle, options: .init(tableNameScope: .database))
        #expect(outcome.warnings.isEmpty)
        #expect(outcome.importCalls == 1)
    }

    @Test("the same uuid on the server is no clash, and unchanged assets are not checked")
    func sameUUID() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        fake.keepNamesUnique(.tableNamePerServer)
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        let again = try await applier.apply(bundle, options: .init())
        #expect(again.importCalls == 0)
        #expect(again.warnings.isEmpty)
    }

    @Test("a chunk that fails once and then passes asset by asset is applied, and the error says so")
    func transientChunkFailure() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        fake.failImport(number: 1)
        let text = try await Self.refused(try harness.applier(fake), bundle)
        #expect(fake.imports.map(\.accepted) == [false, true, true, true, true, true])
        #expect(text.contains("every asset of the chunk was accepted"))
        #expect(try harness.state(bundle, on: fake).assets.count == 5)
    }

    @Test("plan reports the preflight refusal and exits non-zero")
    func planRefusal() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        fake.seed(
            kind: .dashboard,
            yaml: Array("dashboard_title: Theirs\nslug: overview-prod\nuuid: \(Self.otherUUID)\n".utf8))
        let applier = try harness.applier(fake)
        let (plan, server) = try await applier.plan(bundle, options: .init())
        let (checked, knowledge) = applier.preflight(bundle, plan: plan, server: try #require(server), options: .init())
        let refusal = try #require(
            checked.refusal(bundle: bundle, tableNames: knowledge, consequence: "apply would refuse"))
        #expect(refusal.message.hasSuffix("apply would refuse"))
        #expect(checked.clashes.map(\.path) == ["dashboards/overview.yaml"])
        #expect(fake.imports.isEmpty)
    }
}

@Suite("A plan remembers what it saw in sync")
struct PlanRemembersTests {
    @Test("after an apply, the first plan exports the sent assets once; the next plan exports nothing")
    func secondPlanExportsNothing() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        _ = try await applier.plan(bundle, options: .init())
        let exported = fake.exportCalls.count
        #expect(exported > 0)
        let (plan, _) = try await applier.plan(bundle, options: .init())
        #expect(fake.exportCalls.count == exported)
        #expect(plan.allSatisfy { $0.change == .unchanged })
        // Changed on the server since: exported again, and drift is seen.
        let chart = try bundle.asset("charts/revenue.yaml")
        fake.edit(chart.uuid) { $0.replacingOccurrences(of: "slice_name: Revenue (prod)", with: "slice_name: Edited") }
        let (after, _) = try await applier.plan(bundle, options: .init())
        #expect(fake.exportCalls.count > exported)
        #expect(after.first { $0.path == "charts/revenue.yaml" }?.state == .drifted)
    }
}
