import Foundation
import HybridCache
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("DriftPlanner.drift against a fake Superset")
struct DriftPlannerTests {
    /// The fixture's bundle and a fake that holds exactly it.
    private static func applied() async throws -> (RuntimeHarness, BundleSnapshot, FakeSuperset) {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let fake = try FakeSuperset()
        _ = try await harness.applier(fake).apply(bundle, options: .init())
        return (harness, bundle, fake)
    }

    @Test("no drift when the server's export equals the bundle; every asset was exported to compare")
    func noDrift() async throws {
        let (harness, bundle, fake) = try await Self.applied()
        defer { fake.stop() }
        let drifts = try await DriftPlanner(connection: try harness.connection(fake), store: harness.store).drift(
            bundle)
        #expect(drifts.isEmpty)
        #expect(
            fake.exportCalls.map { $0.components(separatedBy: "?")[0] } == [
                "GET /api/v1/chart/export/", "GET /api/v1/dashboard/export/", "GET /api/v1/database/export/",
                "GET /api/v1/dataset/export/",
            ])
    }

    @Test("an applied asset the server lacks was deleted outside Git: drift, with no fields and no diff")
    func deleted() async throws {
        let (harness, bundle, fake) = try await Self.applied()
        defer { fake.stop() }
        let dashboard = try bundle.asset("dashboards/overview.yaml")
        fake.remove(dashboard.uuid)
        let drifts = try await DriftPlanner(connection: try harness.connection(fake), store: harness.store).drift(
            bundle)
        #expect(
            drifts == [
                DriftPlanner.Drift(
                    path: "dashboards/overview.yaml", uuid: dashboard.uuid, state: .deleted, fields: [], diff: "")
            ])
        #expect(drifts.allSatisfy { $0.state.isDrift })
    }

    @Test("never applied and not on the server: every asset a pending create, none of it drift")
    func firstDeployment() async throws {
        let harness = try RuntimeHarness()
        let bundle = try await harness.bundle()
        let empty = try FakeSuperset()
        defer { empty.stop() }
        let all = try await DriftPlanner(connection: try harness.connection(empty), store: harness.store).drift(bundle)
        #expect(all.map(\.state) == Array(repeating: .create, count: 5))
        #expect(!all.contains { $0.state.isDrift })
        #expect(
            all.map(\.path) == [
                "databases/analytics.yaml", "datasets/sales.yaml", "charts/by_tenant.yaml", "charts/revenue.yaml",
                "dashboards/overview.yaml",
            ])
    }

    @Test("on the server but never applied from here: adopted when equal, drift when it differs")
    func adopt() async throws {
        let (_, bundle, fake) = try await Self.applied()
        defer { fake.stop() }
        // Another repository (another cache) sees the same server: nothing applied from there.
        let other = try RuntimeHarness()
        let revenue = try bundle.asset("charts/revenue.yaml")
        let planner = DriftPlanner(connection: try other.connection(fake), store: other.store)
        #expect(try await planner.drift(bundle).isEmpty)  // all adopted: equal content
        fake.edit(revenue.uuid) { $0.replacingOccurrences(of: "x_axis: order_date", with: "x_axis: customer_id") }
        let drifts = try await planner.drift(bundle)
        #expect(drifts.map(\.state) == [.adoptDiffers])
        #expect(drifts.first?.fields == ["params"])
        #expect(SyncState.adoptDiffers.isDrift)
    }

    @Test("applied, then changed in the bundle only: a pending update with the diff, not drift")
    func pendingUpdate() async throws {
        let (harness, _, fake) = try await Self.applied()
        defer { fake.stop() }
        try harness.fixture.write(
            "assets/charts/revenue.yaml.j2",
            try harness.fixture.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "x_axis: order_date", with: "x_axis: customer_id"))
        let changed = try await harness.bundle()
        let drifts = try await DriftPlanner(connection: try harness.connection(fake), store: harness.store).drift(
            changed)
        #expect(drifts.map(\.state) == [.update])
        #expect(drifts.first?.path == "charts/revenue.yaml")
        #expect(drifts.first?.diff.contains("-  x_axis: customer_id\n+  x_axis: order_date") == true)
    }

    @Test("the classification of every case, from bytes and the applied record")
    func classification() {
        let a: [UInt8] = Array("a: 1\n".utf8)
        let b: [UInt8] = Array("a: 2\n".utf8)
        let c: [UInt8] = Array("a: 3\n".utf8)
        let appliedA = AppliedState.Asset(kind: .chart, path: "charts/x.yaml", hash: ContentHash(of: a))
        #expect(SyncState.of(bundleBytes: a, applied: nil, onServer: false, serverBytes: nil) == .create)
        #expect(SyncState.of(bundleBytes: a, applied: appliedA, onServer: false, serverBytes: nil) == .deleted)
        #expect(SyncState.of(bundleBytes: a, applied: nil, onServer: true, serverBytes: a) == .adopt)
        #expect(SyncState.of(bundleBytes: a, applied: nil, onServer: true, serverBytes: b) == .adoptDiffers)
        #expect(SyncState.of(bundleBytes: a, applied: appliedA, onServer: true, serverBytes: a) == .inSync)
        #expect(SyncState.of(bundleBytes: a, applied: appliedA, onServer: true, serverBytes: nil) == .inSync)
        #expect(SyncState.of(bundleBytes: b, applied: appliedA, onServer: true, serverBytes: a) == .update)
        #expect(SyncState.of(bundleBytes: a, applied: appliedA, onServer: true, serverBytes: c) == .drifted)
        #expect(SyncState.of(bundleBytes: b, applied: appliedA, onServer: true, serverBytes: c) == .drifted)
        #expect(SyncState.allCases.filter(\.isDrift) == [.adoptDiffers, .drifted, .deleted])
    }

    @Test("a server-side edit is drifted, naming the changed top-level fields, with a bundle/server diff")
    func drifted() async throws {
        let (harness, bundle, fake) = try await Self.applied()
        defer { fake.stop() }
        let revenue = try bundle.asset("charts/revenue.yaml")
        fake.edit(revenue.uuid) {
            $0.replacingOccurrences(of: "description: Managed in Git (PROD)", with: "description: Edited in the UI")
                .replacingOccurrences(of: "x_axis: order_date", with: "x_axis: customer_id")
        }
        let drifts = try await DriftPlanner(connection: try harness.connection(fake), store: harness.store).drift(
            bundle)
        let drift = try #require(drifts.first)
        #expect(drifts.count == 1)
        #expect(drift.path == "charts/revenue.yaml")
        #expect(drift.uuid == revenue.uuid)
        #expect(drift.state == .drifted)
        #expect(drift.fields == ["description", "params"])
        #expect(
            drift.diff == """
                --- bundle/charts/revenue.yaml
                +++ server/charts/revenue.yaml
                @@ -1,13 +1,13 @@
                 cache_timeout: 3600
                 dataset_uuid: e6c47e85-24ce-5242-8171-fd48e4e7f20a
                -description: Managed in Git (PROD)
                +description: Edited in the UI
                 params:
                   adhoc_filters: []
                   groupby:
                     - customer_id
                   metrics:
                     - Total Revenue
                -  x_axis: order_date
                +  x_axis: customer_id
                 slice_name: Revenue (prod)
                 uuid: d24de257-556a-55aa-9e13-36219dbb1b48
                 version: 1.0.0

                """)
    }
}
