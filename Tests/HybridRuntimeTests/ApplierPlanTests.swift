import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Applier.plan against a fake Superset")
struct ApplierPlanTests {
    /// The fixture's five assets in plan order (kind, then path).
    static let paths = [
        "databases/analytics.yaml", "datasets/sales.yaml", "charts/by_tenant.yaml", "charts/revenue.yaml",
        "dashboards/overview.yaml",
    ]

    @Test("on an empty server every asset is a create 'not on the server', in kind then path order")
    func emptyServer() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let (plan, server) = try await harness.applier(fake).plan(bundle, options: .init())
        #expect(lines(plan) == Self.paths.map { "create \($0) (not on the server)" })
        #expect(plan.map(\.uuid) == (try Self.paths.map { try bundle.asset($0).uuid }))
        #expect(
            plan.map(\.name) == [
                "analytics_prod", "fact_sales", "Revenue by tenant (prod)", "Revenue (prod)", "Overview (prod)",
            ])
        #expect(server?.objects.isEmpty == true)
        // Four list calls, nothing exported (nothing there), nothing imported.
        #expect(fake.calls.count == 4)
        #expect(fake.calls.allSatisfy { $0.hasPrefix("GET /api/v1/") && $0.contains("?q=(columns:") })
        #expect(fake.imports.isEmpty)
        #expect(try harness.state(bundle, on: fake).assets.isEmpty)
    }

    @Test("after an apply every asset is unchanged, with no reason")
    func unchangedAfterApply() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        let (plan, server) = try await applier.plan(bundle, options: .init())
        #expect(lines(plan) == Self.paths.map { "unchanged \($0)" })
        #expect(server?.objects.count == 5)
    }

    @Test("an asset applied earlier and gone from the bundle is orphaned, after the bundle's assets")
    func orphaned() async throws {
        let harness = try RuntimeHarness()
        try harness.fixture.write(
            "assets/charts/extra.yaml.j2",
            "slice_name: Extra\nviz_type: table\ndatasource: fact_sales\nparams: {groupby: [customer_id]}\n")
        let before = try await harness.bundle()
        let extra = try before.asset("charts/extra.yaml")
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(before, options: .init())
        try harness.fixture.remove("assets/charts/extra.yaml.j2")
        let after = try await harness.bundle()
        let (plan, _) = try await applier.plan(after, options: .init())
        #expect(
            lines(plan)
                == Self.paths.map { "unchanged \($0)" }
                + ["orphaned charts/extra.yaml (applied earlier, no longer in the bundle)"])
        #expect(plan.last?.uuid == extra.uuid)
        #expect(plan.last?.kind == .chart)
        // Planning deletes nothing.
        #expect(fake.object(extra.uuid) != nil)
        #expect(fake.deleteCalls.isEmpty)
    }

    @Test("objects past the first page of a listing are found: the bundle's charts sort after 150 others")
    func paging() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        for number in 0..<150 {
            let uuid = "00000000-0000-4000-8000-" + String(format: "%012d", number)
            fake.seed(kind: .chart, yaml: Array("slice_name: Chart \(number)\nuuid: \(uuid)\nviz_type: table\n".utf8))
        }
        for asset in bundle.assets { fake.seed(kind: asset.kind, yaml: asset.bytes) }
        let (plan, server) = try await harness.applier(fake).plan(bundle, options: .init())
        #expect(lines(plan) == Self.paths.map { "unchanged \($0)" })
        #expect(server?.objects.count == 155)
        let chartPages = fake.calls.filter { $0.hasPrefix("GET /api/v1/chart/?") }
        #expect(chartPages.count == 2)
        #expect(chartPages.last?.hasSuffix("page:1,page_size:100)") == true)
    }

    @Test("--no-refresh plans from the applied state alone and sends no request at all")
    func noRefresh() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        let (fresh, freshServer) = try await applier.plan(bundle, options: .init(noRefresh: true))
        #expect(lines(fresh) == Self.paths.map { "create \($0) (never applied to this target)" })
        #expect(freshServer == nil)
        #expect(fake.requests.isEmpty)

        // Record an apply by hand, then change the chart defaults (only charts/revenue.yaml uses them).
        var state = AppliedState()
        for asset in bundle.assets {
            state.assets[asset.uuid] = .init(kind: asset.kind, path: asset.path, hash: asset.hash)
        }
        let target = try harness.connection(fake).target
        try state.save(
            at: AppliedState.path(store: harness.store, environment: "prod", tenant: nil, target: target),
            store: harness.store)
        try harness.fixture.write(
            "env/prod.yaml",
            try harness.fixture.read("env/prod.yaml").replacingOccurrences(
                of: "CACHE_TIMEOUT: 3600", with: "CACHE_TIMEOUT: 7200"))
        let changed = try await harness.bundle()
        let (plan, server) = try await applier.plan(changed, options: .init(noRefresh: true))
        #expect(
            lines(plan) == [
                "unchanged databases/analytics.yaml", "unchanged datasets/sales.yaml",
                "unchanged charts/by_tenant.yaml",
                "update charts/revenue.yaml (changed since the last apply)", "unchanged dashboards/overview.yaml",
            ])
        #expect(server == nil)
        #expect(fake.requests.isEmpty)
    }

    @Test("--force turns every unchanged asset into an update '--force' and keeps real changes' reasons")
    func force() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        fake.remove(try bundle.asset("dashboards/overview.yaml").uuid)
        let (plan, _) = try await applier.plan(bundle, options: .init(force: true))
        #expect(
            lines(plan) == Self.paths.dropLast().map { "update \($0) (--force)" }
                + ["create dashboards/overview.yaml (missing on the server (deleted since the last apply))"])
        let (offline, _) = try await applier.plan(bundle, options: .init(force: true, noRefresh: true))
        #expect(lines(offline) == Self.paths.map { "update \($0) (--force)" })
    }

    @Test("a server-side edit is 'drifted on the server'; a bundle edit is 'changed in the bundle'")
    func driftedVersusChanged() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        fake.edit(try bundle.asset("charts/revenue.yaml").uuid) {
            $0.replacingOccurrences(of: "description: Managed in Git (PROD)", with: "description: Edited in the UI")
        }
        try harness.fixture.write(
            "assets/charts/by_tenant.yaml.j2",
            try harness.fixture.read("assets/charts/by_tenant.yaml.j2").replacingOccurrences(
                of: "viz_type: table", with: "viz_type: pivot_table_v2"))
        let changed = try await harness.bundle()
        let (plan, _) = try await applier.plan(changed, options: .init())
        #expect(
            lines(plan) == [
                "unchanged databases/analytics.yaml", "unchanged datasets/sales.yaml",
                "update charts/by_tenant.yaml (changed in the bundle)",
                "update charts/revenue.yaml (drifted on the server)", "unchanged dashboards/overview.yaml",
            ])
        // Each update says what it changes on the server, attribute by attribute.
        let byPath = Dictionary(uniqueKeysWithValues: plan.map { ($0.path, $0.attributes.map(\.line)) })
        #expect(byPath["charts/by_tenant.yaml"] == ["~ viz_type: table → pivot_table_v2"])
        #expect(byPath["charts/revenue.yaml"] == ["~ description: Edited in the UI → Managed in Git (PROD)"])
        #expect(byPath["databases/analytics.yaml"] == [])
        #expect(plan.first { $0.path == "charts/revenue.yaml" }?.state == .drifted)
    }

    @Test("an asset deleted on the server since the last apply is a create 'missing on the server'")
    func missingAfterApply() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        fake.remove(try bundle.asset("charts/by_tenant.yaml").uuid)
        let (plan, server) = try await applier.plan(bundle, options: .init())
        #expect(
            lines(plan) == [
                "unchanged databases/analytics.yaml", "unchanged datasets/sales.yaml",
                "create charts/by_tenant.yaml (missing on the server (deleted since the last apply))",
                "unchanged charts/revenue.yaml", "unchanged dashboards/overview.yaml",
            ])
        #expect(server?.objects.count == 4)
    }

    @Test("assets seen equal at their current changed_on are not exported again; an edited one is")
    func verifiedAssetsAreNotExported() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        defer { fake.stop() }
        let applier = try harness.applier(fake)
        _ = try await applier.apply(bundle, options: .init())
        #expect(fake.exportCalls.isEmpty)
        let ids = fake.objects.mapValues(\.id)
        func id(_ path: String) throws -> Int { try #require(ids[try bundle.asset(path).uuid]) }

        // The first apply after an import compares every asset once, then remembers changed_on.
        _ = try await applier.apply(bundle, options: .init())
        let charts = try [id("charts/revenue.yaml"), id("charts/by_tenant.yaml")].sorted()
        #expect(
            fake.exportCalls == [
                "GET /api/v1/chart/export/?q=!(\(charts[0]),\(charts[1]))",
                "GET /api/v1/dashboard/export/?q=!(\(try id("dashboards/overview.yaml")))",
                "GET /api/v1/database/export/?q=!(\(try id("databases/analytics.yaml")))",
                "GET /api/v1/dataset/export/?q=!(\(try id("datasets/sales.yaml")))",
            ])
        let state = try harness.state(bundle, on: fake)
        for asset in bundle.assets {
            #expect(state.assets[asset.uuid]?.serverChangedOn == fake.object(asset.uuid)?.changedOn)
        }

        // Now a plan exports nothing...
        let exportsBefore = fake.exportCalls.count
        let (quiet, _) = try await applier.plan(bundle, options: .init())
        #expect(lines(quiet) == Self.paths.map { "unchanged \($0)" })
        #expect(fake.exportCalls.count == exportsBefore)

        // ...until one asset changes on the server: only it is exported.
        fake.edit(try bundle.asset("charts/revenue.yaml").uuid) {
            $0.replacingOccurrences(of: "cache_timeout: 3600", with: "cache_timeout: 60")
        }
        let (plan, _) = try await applier.plan(bundle, options: .init())
        #expect(fake.exportCalls.count == exportsBefore + 1)
        #expect(fake.calls.last == "GET /api/v1/chart/export/?q=!(\(try id("charts/revenue.yaml")))")
        #expect(plan.filter { $0.change != .unchanged }.map(\.path) == ["charts/revenue.yaml"])
        #expect(plan.first { $0.path == "charts/revenue.yaml" }?.reason == "drifted on the server")
    }
}
