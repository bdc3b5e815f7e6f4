import Foundation
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
        let drifts = try await DriftPlanner(connection: try harness.connection(fake)).drift(bundle)
        #expect(drifts.isEmpty)
        #expect(
            fake.exportCalls.map { $0.components(separatedBy: "?")[0] } == [
                "GET /api/v1/chart/export/", "GET /api/v1/dashboard/export/", "GET /api/v1/database/export/",
                "GET /api/v1/dataset/export/",
            ])
    }

    @Test("an asset the server lacks is missing, with no fields and no diff")
    func missing() async throws {
        let (harness, bundle, fake) = try await Self.applied()
        defer { fake.stop() }
        let dashboard = try bundle.asset("dashboards/overview.yaml")
        fake.remove(dashboard.uuid)
        let drifts = try await DriftPlanner(connection: try harness.connection(fake)).drift(bundle)
        #expect(
            drifts == [
                DriftPlanner.Drift(
                    path: "dashboards/overview.yaml", uuid: dashboard.uuid, state: .missing, fields: [], diff: "")
            ])

        // On an empty server everything is missing, in kind then path order.
        let empty = try FakeSuperset()
        defer { empty.stop() }
        let all = try await DriftPlanner(connection: try harness.connection(empty)).drift(bundle)
        #expect(all.map(\.state) == Array(repeating: .missing, count: 5))
        #expect(
            all.map(\.path) == [
                "databases/analytics.yaml", "datasets/sales.yaml", "charts/by_tenant.yaml", "charts/revenue.yaml",
                "dashboards/overview.yaml",
            ])
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
        let drifts = try await DriftPlanner(connection: try harness.connection(fake)).drift(bundle)
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
