import HybridCompiler
import HybridYAML
import SupersetModel
import Testing

@testable import HybridValidation

private let dashboardPath = "dashboards/overview.yaml"

@Suite("DuplicateChecker")
struct ValidationDuplicateCheckerTests {
    @Test("the example bundle has no duplicates")
    func valid() throws {
        #expect(DuplicateChecker().check(try ValidationFixture.bundle()).isEmpty)
    }

    @Test("a second dashboard with the same uuid and slug is reported at the later path, pointing at the first")
    func duplicateSlugAndUUID() throws {
        // Added after the fixture but sorting before it: "dashboards/a.yaml" is the first definition.
        let copy = ValidationFixture.text(dashboardPath).replacingOccurrences(
            of: "dashboard_title: Overview (prod)\n", with: "")
        let documents = try ValidationFixture.bundle(adding: [("dashboards/a.yaml", copy)])
        let findings = DuplicateChecker().check(documents)
        #expect(
            renderFindings(findings) == [
                "dashboards/overview.yaml:2:7 slug: dashboard slug 'overview-prod' is already used by dashboards/a.yaml",
                "dashboards/overview.yaml:6:7 uuid: uuid '350c6781-eb22-5309-b551-110984bb10ea' is already used by "
                    + "dashboards/a.yaml",
            ])
        #expect(
            findings.map(\.related) == [
                ["first defined in dashboards/a.yaml:1"], ["first defined in dashboards/a.yaml:5"],
            ])
        #expect(findings.allSatisfy { $0.rule == .duplicate && $0.severity == .error })
    }

    @Test("a uuid shared by assets of different kinds is a duplicate; a null slug is not")
    func crossKindUUID() throws {
        let documents = try ValidationFixture.bundle(
            editing: "charts/revenue.yaml",
            [("uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5d", "uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60")],
            adding: [
                ("dashboards/b.yaml", "dashboard_title: B\nslug: null\n"),
                ("dashboards/c.yaml", "dashboard_title: C\nslug: null\n"),
            ])
        let findings = DuplicateChecker().check(documents)
        #expect(
            renderFindings(findings) == [
                "databases/analytics.yaml:6:7 uuid: uuid '9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60' is already used by "
                    + "charts/revenue.yaml"
            ])
        #expect(findings.first?.related == ["first defined in charts/revenue.yaml:6"])
    }

    @Test("chart names (a warning), database names and tables per database must be unique")
    func namesAndTables() throws {
        let documents = try ValidationFixture.bundle(adding: [
            (
                "charts/z.yaml",
                "slice_name: Revenue (prod)\nuuid: 00000000-0000-0000-0000-000000000001\n"
            ),
            (
                "databases/other.yaml",
                "database_name: analytics_prod\nuuid: 00000000-0000-0000-0000-000000000002\n"
            ),
            (
                "datasets/again.yaml",
                "table_name: fact_sales\nschema: public\ndatabase_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60\n"
                    + "uuid: 00000000-0000-0000-0000-000000000003\n"
            ),
            (
                "datasets/other_schema.yaml",
                "table_name: fact_sales\nschema: staging_area\ndatabase_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60\n"
                    + "uuid: 00000000-0000-0000-0000-000000000004\n"
            ),
        ])
        let findings = DuplicateChecker().check(documents)
        #expect(
            renderFindings(findings) == [
                "charts/z.yaml:1:13 slice_name: chart name 'Revenue (prod)' is already used by charts/revenue.yaml; "
                    + "the name no longer identifies one chart",
                "databases/other.yaml:1:16 database_name: database name 'analytics_prod' is already used by "
                    + "databases/analytics.yaml",
                "datasets/fact.yaml:1:13 table_name: table 'public.fact_sales' of database "
                    + "'9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60' is already the dataset datasets/again.yaml",
            ])
        #expect(findings.map(\.severity) == [.warning, .error, .error])
        #expect(
            findings.map(\.related) == [
                ["first defined in charts/revenue.yaml:1"], ["first defined in databases/analytics.yaml:1"],
                ["first defined in datasets/again.yaml:1"],
            ])
    }

    @Test("a dataset may not define a column or metric name twice")
    func columnsAndMetrics() throws {
        let documents = try ValidationFixture.bundle(
            editing: "datasets/fact.yaml",
            [
                ("{column_name: brand, filterable: true, groupby: true}", "{column_name: brand}, {column_name: brand}"),
                ("d3format: ',.2f'}]", "d3format: ',.2f'}, {metric_name: Total Revenue, expression: x}]"),
            ])
        #expect(
            renderFindings(DuplicateChecker().check(documents)) == [
                "datasets/fact.yaml:5:106 columns[2].column_name: column 'brand' is defined twice in this dataset",
                "datasets/fact.yaml:6:99 metrics[1].metric_name: metric 'Total Revenue' is defined twice in this dataset",
            ])
    }
}
