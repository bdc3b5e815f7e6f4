import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Applier.apply with --prune against a fake Superset")
struct ApplierPruneTests {
    /// A second database with a dataset, a chart and a dashboard on it, to be removed later.
    static let extras = [
        "assets/databases/extra.yaml.j2": "database_name: extra_db\nsqlalchemy_uri: sqlite:///extra.db\n",
        "assets/datasets/extra.yaml.j2": """
        table_name: extra_table
        schema: main
        database: extra_db
        columns:
          - column_name: a

        """,
        "assets/charts/extra.yaml.j2": """
        slice_name: Extra chart
        viz_type: table
        datasource: datasets/extra
        params: {groupby: [a]}

        """,
        "assets/dashboards/extra.yaml.j2": """
        dashboard_title: Extra board
        slug: extra-board
        position:
          ROOT_ID: {type: ROOT, id: ROOT_ID, children: [GRID_ID]}
          GRID_ID: {type: GRID, id: GRID_ID, children: [CHART-1]}
          CHART-1: {type: CHART, id: CHART-1, meta: {chart: charts/extra}}

        """,
    ]

    static let extraPaths = [
        "databases/extra.yaml", "datasets/extra.yaml", "charts/extra.yaml", "dashboards/extra.yaml",
    ]

    /// A chart someone made in Superset's UI; hybrid never applied it.
    static let unmanagedUUID = "11111111-2222-4333-8444-555555555555"

    /// The fixture applied with the extras, an unmanaged chart on the server, then the extras removed
    /// from the repository: the extras are orphans.
    struct Setup {
        let harness: RuntimeHarness
        let fake: FakeSuperset
        let applier: Applier
        /// The bundle without the extras.
        let bundle: BundleSnapshot
        /// uuid of each extra, by bundle path.
        let extras: [String: String]
        /// Server id of each extra, by bundle path.
        let ids: [String: Int]
    }

    static func setUp() async throws -> Setup {
        let harness = try RuntimeHarness()
        for (path, text) in extras { try harness.fixture.write(path, text) }
        let before = try await harness.bundle()
        let fake = try FakeSuperset()
        fake.seed(
            kind: .chart,
            yaml: Array("slice_name: Someone else's chart\nuuid: \(unmanagedUUID)\nviz_type: table\n".utf8))
        let applier = try harness.applier(fake)
        _ = try await applier.apply(before, options: .init())
        let extras = try Dictionary(uniqueKeysWithValues: extraPaths.map { ($0, try before.asset($0).uuid) })
        let ids = try extras.mapValues { try #require(fake.object($0)?.id) }
        for path in Self.extras.keys { try harness.fixture.remove(path) }
        let bundle = try await harness.bundle()
        #expect(bundle.assets.count == 5)
        return Setup(harness: harness, fake: fake, applier: applier, bundle: bundle, extras: extras, ids: ids)
    }

    @Test("prune deletes only the orphans hybrid applied, dashboards then charts, datasets, databases")
    func dependentsFirst() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        let outcome = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
        #expect(
            fake.deleteCalls == [
                "DELETE /api/v1/dashboard/\(setup.ids["dashboards/extra.yaml"]!)",
                "DELETE /api/v1/chart/\(setup.ids["charts/extra.yaml"]!)",
                "DELETE /api/v1/dataset/\(setup.ids["datasets/extra.yaml"]!)",
                "DELETE /api/v1/database/\(setup.ids["databases/extra.yaml"]!)",
            ])
        #expect(outcome.importCalls == 0)
        #expect(outcome.deleted == ["dashboards": 1, "charts": 1, "datasets": 1, "databases": 1])
        #expect(outcome.auditStatus == .success)
        #expect(
            outcome.auditAssets == [
                "dashboards_deleted": 1, "charts_deleted": 1, "datasets_deleted": 1, "databases_deleted": 1,
            ])
        // The unmanaged chart and the bundle's assets are still there; the extras are gone and forgotten.
        #expect(Set(fake.objects.keys) == Set(setup.bundle.assets.map(\.uuid) + [Self.unmanagedUUID]))
        let state = try setup.harness.state(setup.bundle, on: fake)
        #expect(Set(state.assets.keys) == Set(setup.bundle.assets.map(\.uuid)))
    }

    @Test("a 404 on delete counts as already gone: the apply succeeds and forgets the orphans")
    func notFoundIsGone() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        fake.answer404ToDeletes()
        let outcome = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
        #expect(fake.deleteCalls.count == 4)
        #expect(outcome.plan.filter { $0.change == .orphaned }.count == 4)
        // Nothing was deleted by this apply: the audit does not say so.
        #expect(outcome.deleted.isEmpty)
        #expect(outcome.auditStatus == .noop)
        let state = try setup.harness.state(setup.bundle, on: fake)
        #expect(Set(state.assets.keys) == Set(setup.bundle.assets.map(\.uuid)))
        // A later prune has nothing left to delete.
        let again = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
        #expect(again.plan.allSatisfy { $0.change == .unchanged })
        #expect(fake.deleteCalls.count == 4)
    }

    @Test("an orphan already deleted on the server is forgotten without a DELETE")
    func orphanGoneFromServer() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        fake.remove(setup.extras["charts/extra.yaml"]!)
        let outcome = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
        #expect(fake.deleteCalls.count == 3)
        #expect(!fake.deleteCalls.contains { $0.hasPrefix("DELETE /api/v1/chart/") })
        #expect(outcome.deleted == ["dashboards": 1, "datasets": 1, "databases": 1])
        let state = try setup.harness.state(setup.bundle, on: fake)
        #expect(state.assets[setup.extras["charts/extra.yaml"]!] == nil)
        #expect(state.assets.count == 5)
    }

    @Test("without --prune, or in a dry run, orphans are reported, kept on the server and in the state")
    func withoutPrune() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        let kept = try await setup.applier.apply(setup.bundle, options: .init())
        let dry = try await setup.applier.apply(setup.bundle, options: .init(prune: true, dryRun: true))
        for outcome in [kept, dry] {
            #expect(
                outcome.plan.filter { $0.change == .orphaned }.map(\.path).sorted() == Self.extraPaths.sorted())
            #expect(outcome.deleted.isEmpty)
            #expect(outcome.auditStatus == .noop)
        }
        #expect(fake.deleteCalls.isEmpty)
        #expect(fake.objects.count == 10)
        let state = try setup.harness.state(setup.bundle, on: fake)
        #expect(state.assets.count == 9)
    }

    @Test("a refused delete stops the prune: what was deleted is forgotten, the rest is kept for a retry")
    func refusedDelete() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        fake.failDelete(number: 2)
        do {
            _ = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
            Issue.record("the refused delete should fail the apply")
        } catch {
            #expect(error.message.contains("Fatal error"))
        }
        #expect(fake.deleteCalls.count == 2)
        let dashboard = setup.extras["dashboards/extra.yaml"]!
        let remaining = ["charts/extra.yaml", "datasets/extra.yaml", "databases/extra.yaml"].map { setup.extras[$0]! }
        let state = try setup.harness.state(setup.bundle, on: fake)
        #expect(state.assets[dashboard] == nil)
        #expect(remaining.allSatisfy { state.assets[$0] != nil })
        #expect(fake.object(dashboard) == nil)

        let retry = try await setup.applier.apply(setup.bundle, options: .init(prune: true))
        #expect(retry.plan.filter { $0.change == .orphaned }.map(\.uuid).sorted() == remaining.sorted())
        #expect(retry.deleted == ["charts": 1, "datasets": 1, "databases": 1])
        #expect(
            fake.deleteCalls.dropFirst(2) == [
                "DELETE /api/v1/chart/\(setup.ids["charts/extra.yaml"]!)",
                "DELETE /api/v1/dataset/\(setup.ids["datasets/extra.yaml"]!)",
                "DELETE /api/v1/database/\(setup.ids["databases/extra.yaml"]!)",
            ])
        #expect(try setup.harness.state(setup.bundle, on: fake).assets.count == 5)
    }

    @Test("--prune with --no-refresh lists the server to find ids, exports nothing, and deletes")
    func pruneWithoutRefresh() async throws {
        let setup = try await Self.setUp()
        let fake = setup.fake
        defer { fake.stop() }
        let before = fake.calls.count
        let outcome = try await setup.applier.apply(setup.bundle, options: .init(noRefresh: true, prune: true))
        #expect(!outcome.serverReachedForRefresh)
        let calls = fake.calls.dropFirst(before)
        #expect(calls.filter { $0.hasPrefix("GET ") && $0.contains("?q=(columns:") }.count == 4)
        #expect(!calls.contains { $0.contains("/export/") })
        #expect(calls.filter { $0.hasPrefix("DELETE ") }.count == 4)
        #expect(calls.count == 8)
        #expect(Set(fake.objects.keys) == Set(setup.bundle.assets.map(\.uuid) + [Self.unmanagedUUID]))
    }
}
