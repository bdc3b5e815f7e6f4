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
