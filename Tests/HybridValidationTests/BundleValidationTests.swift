import Foundation
import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridValidation

@Suite("Validation of compiled bundles")
struct BundleValidationTests {
    private func validate(_ fixture: RepositoryFixture) async throws -> (CompileReport, BundleValidation.Result) {
        let workspace = try Workspace.load(root: fixture.root)
        let report = await Compiler(workspace: workspace).compile(CompileOptions(environment: "prod", mappings: .all))
        return (report, await BundleValidation(workspace: workspace).validate(report))
    }

    @Test("every bundle of the fixture, with and without tenants, is valid Superset import input")
    func fixtureIsValid() async throws {
        let fixture = try RepositoryFixture()
        let (report, result) = try await validate(fixture)
        #expect(report.errorCount == 0)
        #expect(report.bundles.count == 2)
        #expect(result.findings.map { "\($0.file): \($0.finding.keyPath): \($0.finding.message)" } == [])
        // Two bundles of 5 assets and metadata.yaml; identical files share a cache entry.
        #expect(result.documentsChecked + result.documentsCached == 12)
    }

    @Test("tenants going to one server may not share a slug, a database_name or a dataset under other uuids")
    func crossTenantNames() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write(
            "mappings/client_b.yaml",
            try fixture.read("mappings/client_b.yaml").replacingOccurrences(of: "  SLUG_SUFFIX: \"-b\"\n", with: "")
                .replacingOccurrences(of: "database: client_b_dw", with: "database: client_a_warehouse"))
        let (_, result) = try await validate(fixture)
        let lines = result.findings.map { "\($0.bundle) \($0.finding.path) \($0.finding.keyPath)" }
        #expect(
            lines == [
                "prod/client_a dashboards/overview.yaml slug", "prod/client_a databases/analytics.yaml database_name",
                "prod/client_b dashboards/overview.yaml slug", "prod/client_b databases/analytics.yaml database_name",
            ])
        let slug = try #require(result.findings.first { $0.bundle == "prod/client_a" && $0.finding.keyPath == "slug" })
        #expect(slug.finding.rule == .duplicate && slug.finding.severity == .error)
        #expect(slug.finding.message.hasPrefix("slug 'overview-prod' is also taken in prod/client_b by another asset"))
        #expect(slug.finding.related.first?.hasPrefix("also in prod/client_b: dashboards/overview.yaml (uuid ") == true)
        #expect(slug.template == "assets/dashboards/overview.yaml.j2")
        // The datasets differ: client_b's table is b_sales in schema public, client_a's client_a_sales in analytics.
        #expect(!result.findings.contains { $0.finding.path.hasPrefix("datasets/") })
        #expect(!result.clashesCached)

        // Nothing changed: the same findings, from the cache.
        let (_, again) = try await validate(fixture)
        #expect(again.clashesCached)
        #expect(again.findings.map { "\($0.bundle) \($0.finding.path) \($0.finding.keyPath)" } == lines)
        // A tenant's file changes: checked again, and the slug clash is gone.
        try fixture.write(
            "mappings/client_b.yaml",
            try fixture.read("mappings/client_b.yaml").replacingOccurrences(
                of: "  CACHE_TIMEOUT: 5\n", with: "  CACHE_TIMEOUT: 5\n  SLUG_SUFFIX: \"-c\"\n"))
        let (_, changed) = try await validate(fixture)
        #expect(!changed.clashesCached)
        #expect(!changed.findings.contains { $0.finding.keyPath == "slug" })
    }

    @Test("with nothing changed, validation checks nothing again")
    func cached() async throws {
        let fixture = try RepositoryFixture()
        _ = try await validate(fixture)
        let (_, again) = try await validate(fixture)
        #expect(again.documentsChecked == 0)
        #expect(again.bundlesChecked == 0)
        #expect(again.documentsCached == 12)
    }

    @Test("a finding names the template, its line, the key path and the compiled file")
    func findingLocations() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write(
            "assets/charts/revenue.yaml.j2",
            try fixture.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "  metrics: [Total Revenue]", with: "  metrics: [Total Revenu]"
            ).replacingOccurrences(
                of: "viz_type: echarts_timeseries_line", with: "viz_type: echarts_timeseries_line\ncolour: red"))
        let (_, result) = try await validate(fixture)
        let metric = result.findings.filter { $0.finding.keyPath == "params.metrics[0]" }
        #expect(metric.map(\.bundle) == ["prod/client_a", "prod/client_b"])
        let finding = try #require(metric.last)
        #expect(finding.template == "assets/charts/revenue.yaml.j2")
        #expect(finding.templateLine == 9)
        #expect(finding.templateColumn == 3)
        #expect(finding.file == "bundles/prod/client_b/charts/revenue.yaml")
        #expect(finding.finding.message.contains("did you mean 'Total Revenue'?"))
        let unknown = try #require(result.findings.first { $0.finding.keyPath == "colour" })
        #expect(unknown.finding.rule == .schema)
        #expect(unknown.finding.message.hasPrefix("unknown key 'colour'"))
        #expect(unknown.templateLine == 3)
    }
}
