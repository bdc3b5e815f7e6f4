import HybridCompiler
import HybridYAML
import SupersetModel
import Testing

@testable import HybridValidation

private let chart = "charts/revenue.yaml"
private let dashboard = "dashboards/overview.yaml"
private let params =
    "params: {x_axis: order_date, groupby: [brand], metrics: [Total Revenue], adhoc_filters: [], row_limit: 1000}"

private func referenceFindings(editing path: String, _ edits: [(String, String)]) throws -> [String] {
    renderFindings(ReferenceChecker().check(try ValidationFixture.bundle(editing: path, edits)))
}

@Suite("ReferenceChecker")
struct ValidationReferenceCheckerTests {
    @Test("the example bundle's references all resolve")
    func valid() throws {
        #expect(ReferenceChecker().check(try ValidationFixture.bundle()).isEmpty)
    }

    @Test("a dataset's database_uuid must be a database of the bundle")
    func danglingDatabase() throws {
        let findings = try referenceFindings(
            editing: "datasets/fact.yaml",
            [
                (
                    "database_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60",
                    "database_uuid: 00000000-0000-0000-0000-000000000001"
                )
            ])
        #expect(
            findings == [
                "datasets/fact.yaml:3:16 database_uuid: database '00000000-0000-0000-0000-000000000001' is not in this bundle"
            ])
    }

    @Test("a chart's dataset_uuid must be a dataset of the bundle")
    func danglingDataset() throws {
        let findings = try referenceFindings(
            editing: chart,
            [
                (
                    "dataset_uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5",
                    "dataset_uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f6"
                )
            ])
        #expect(
            findings == [
                "charts/revenue.yaml:3:15 dataset_uuid: dataset '1b4db7eb-4057-5ddf-91e0-36dec72071f6' is not in this bundle"
            ])
    }

    @Test("a dashboard's chart components must link to charts of the bundle")
    func danglingChart() throws {
        let findings = try referenceFindings(
            editing: dashboard,
            [("meta: {uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5d", "meta: {uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5e")]
        )
        #expect(
            findings == [
                "dashboards/overview.yaml:5:175 position.CHART-1.meta.uuid: chart "
                    + "'886313e1-3b8a-5372-9b90-0c9aee199e5e' is not in this bundle"
            ])
        let unlinked = try referenceFindings(
            editing: dashboard, [("meta: {uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5d, sliceName", "meta: {sliceName")])
        #expect(
            unlinked == [
                "dashboards/overview.yaml:5:168 position.CHART-1.meta: chart component 'CHART-1' is not linked: "
                    + "it has no meta.uuid"
            ])
    }

    @Test("a saved metric must be a metric of the chart's dataset; a near name is suggested")
    func unknownMetric() throws {
        let findings = try referenceFindings(
            editing: chart, [("metrics: [Total Revenue]", "metrics: [Total Revenu, Margin, brand]")])
        #expect(
            findings == [
                "charts/revenue.yaml:5:58 params.metrics[0]: metric 'Total Revenu' is not a metric of dataset "
                    + "'fact_sales' (datasets/fact.yaml); did you mean 'Total Revenue'?",
                "charts/revenue.yaml:5:72 params.metrics[1]: metric 'Margin' is not a metric of dataset "
                    + "'fact_sales' (datasets/fact.yaml)",
                "charts/revenue.yaml:5:80 params.metrics[2]: metric 'brand' is not a metric of dataset "
                    + "'fact_sales' (datasets/fact.yaml); 'brand' is a column: use an adhoc metric to aggregate it",
            ])
    }

    @Test("an adhoc SIMPLE metric's column must exist; SQL metrics are not checked")
    func adhocMetric() throws {
        let findings = try referenceFindings(
            editing: chart,
            [
                (
                    "metrics: [Total Revenue]",
                    "metrics: [{expressionType: SIMPLE, aggregate: SUM, column: {column_name: revenue}}, "
                        + "{expressionType: SQL, sqlExpression: SUM(x)}, {expressionType: SIMPLE, column: {column_name: brand}}]"
                )
            ])
        #expect(
            findings == [
                "charts/revenue.yaml:5:121 params.metrics[0].column.column_name: column 'revenue' is not a column "
                    + "of dataset 'fact_sales' (datasets/fact.yaml)"
            ])
    }

    @Test("an empty granularity_sqla is no column (Superset reads it as none); a wrong one is reported")
    func emptyGranularity() throws {
        let empty = try referenceFindings(
            editing: chart, [("x_axis: order_date,", "x_axis: order_date, granularity_sqla: '',")])
        #expect(empty.isEmpty)
        let wrong = try referenceFindings(
            editing: chart, [("x_axis: order_date,", "x_axis: order_date, granularity_sqla: day,")])
        #expect(wrong.count == 1)
        #expect(wrong.first?.contains("params.granularity_sqla: column 'day' is not a column") == true)
    }

    @Test("groupby, columns and x_axis strings must be columns of the dataset; adhoc columns are skipped")
    func unknownColumns() throws {
        let findings = try referenceFindings(
            editing: chart,
            [
                ("x_axis: order_date", "x_axis: order_dat"),
                ("groupby: [brand]", "groupby: [brnd, {label: x, sqlExpression: y}], columns: [region]"),
            ])
        #expect(
            findings == [
                "charts/revenue.yaml:5:18 params.x_axis: column 'order_dat' is not a column of dataset "
                    + "'fact_sales' (datasets/fact.yaml); did you mean 'order_date'?",
                "charts/revenue.yaml:5:39 params.groupby[0]: column 'brnd' is not a column of dataset "
                    + "'fact_sales' (datasets/fact.yaml); did you mean 'brand'?",
                "charts/revenue.yaml:5:86 params.columns[0]: column 'region' is not a column of dataset "
                    + "'fact_sales' (datasets/fact.yaml)",
            ])
    }

    @Test("a SIMPLE (or untyped) adhoc filter's subject must be a column; SQL filters are not checked")
    func adhocFilters() throws {
        let findings = try referenceFindings(
            editing: chart,
            [
                (
                    "adhoc_filters: []",
                    "adhoc_filters: [{expressionType: SIMPLE, subject: brand}, {subject: colour}, "
                        + "{expressionType: SQL, subject: whatever, sqlExpression: '1=1'}]"
                )
            ])
        #expect(
            findings == [
                "charts/revenue.yaml:5:142 params.adhoc_filters[1].subject: column 'colour' is not a column of "
                    + "dataset 'fact_sales' (datasets/fact.yaml)"
            ])
    }

    @Test("a native filter target's dataset and column must exist")
    func nativeFilters() throws {
        let missingColumn = try referenceFindings(
            editing: dashboard, [("column: {name: order_date}", "column: {name: order_dat}")])
        #expect(
            missingColumn == [
                "dashboards/overview.yaml:4:165 metadata.native_filter_configuration[0].targets[0].column.name: "
                    + "column 'order_dat' is not a column of dataset 'fact_sales' (datasets/fact.yaml); did you mean "
                    + "'order_date'?"
            ])
        let missingDataset = try referenceFindings(
            editing: dashboard,
            [("datasetUuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5", "datasetUuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f0")]
        )
        #expect(
            missingDataset == [
                "dashboards/overview.yaml:4:112 metadata.native_filter_configuration[0].targets[0].datasetUuid: "
                    + "dataset '1b4db7eb-4057-5ddf-91e0-36dec72071f0' is not in this bundle"
            ])
    }

    @Test("values of the wrong type are left to the schema check")
    func wrongTypesIgnored() throws {
        let findings = try referenceFindings(
            editing: chart,
            [
                (params, "params: {x_axis: 3, groupby: brand, metrics: {a: b}}"),
                ("dataset_uuid: 1b4db7eb", "dataset_uuid: 1b4db7eb"),
            ])
        #expect(findings.isEmpty)
    }
}
