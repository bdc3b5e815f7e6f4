import HybridYAML
import Testing

@testable import SupersetModel

@Suite("Legacy chart migration (Superset's import)")
struct LegacyChartMigrationTests {
    private func migrated(_ text: String) throws -> YAMLMapping {
        var root = try #require(try YAMLParser.parseDocument(text, file: "chart.yaml")?.mappingValue)
        LegacyChartMigration.migrate(&root)
        return root
    }

    @Test("bubble → bubble_v2 as Superset 6.1 exported the example 'Life Expectancy VS Rural %'")
    func bubble() throws {
        let root = try migrated(
            """
            viz_type: bubble
            params:
              adhoc_filters: []
              granularity_sqla: year
              limit: 0
              row_limit: 50000
              time_range: '2014-01-01 : 2014-01-02'
              viz_type: bubble
              x_axis_showminmax: false
              y_axis_showminmax: false
            """)
        #expect(root["viz_type"]?.stringValue == "bubble_v2")
        let params = try #require(root["params"]?.mappingValue)
        #expect(params["viz_type"]?.stringValue == "bubble_v2")
        #expect(params["granularity_sqla"] == nil && params["time_range"] == nil && params["limit"] == nil)
        #expect(params["x_axis_showminmax"] == nil)
        #expect(params["row_limit"]?.value == .int(0))  // `limit` renamed over it
        #expect(params["truncateYAxis"]?.value == .bool(true))
        let filter = try #require(params["adhoc_filters"]?.sequenceValue?.first?.mappingValue)
        #expect(filter["operator"]?.stringValue == "TEMPORAL_RANGE")
        #expect(filter["subject"]?.stringValue == "year")
        #expect(filter["comparator"]?.stringValue == "2014-01-01 : 2014-01-02")
    }

    @Test("line with an interpolation becomes the matching echarts type, with an x axis and its grain")
    func line() throws {
        let root = try migrated(
            """
            viz_type: line
            params: {viz_type: line, line_interpolation: step-after, granularity_sqla: ds, show_brush: 'yes',
              time_compare: ['1 week', '1 year ago'], comparison_type: absolute, x_ticks_layout: 45°, contribution: true}
            """)
        let params = try #require(root["params"]?.mappingValue)
        #expect(root["viz_type"]?.stringValue == "echarts_timeseries_step")
        #expect(params["seriesType"]?.stringValue == "end")
        #expect(params["x_axis"]?.stringValue == "ds")
        #expect(params["time_grain_sqla"]?.stringValue == "P1D")
        #expect(params["zoomable"]?.value == .bool(true))
        #expect(params["contributionMode"]?.stringValue == "row")
        #expect(params["time_compare"]?.sequenceValue?.map(\.stringValue) == ["1 week ago", "1 year ago"])
        #expect(params["comparison_type"]?.stringValue == "difference")
        #expect(params["xAxisLabelRotation"]?.value == .int(45))
        #expect(params["line_interpolation"] == nil && params["show_brush"] == nil && params["contribution"] == nil)
        let filter = try #require(params["adhoc_filters"]?.sequenceValue?.first?.mappingValue)
        #expect(filter["comparator"]?.stringValue == "No filter")
    }

    @Test("dist_bar, pivot_table, histogram, sankey and dual_line take their processors' rules")
    func others() throws {
        let bar = try #require(
            try migrated(
                "viz_type: dist_bar\nparams: {viz_type: dist_bar, groupby: [a, b], columns: [c], bar_stacked: true}\n")[
                    "params"]?.mappingValue)
        #expect(bar["x_axis"]?.stringValue == "a")
        #expect(bar["groupby"]?.sequenceValue?.map(\.stringValue) == ["b", "c"])
        #expect(bar["columns"] == nil && bar["stack"]?.stringValue == "Stack")
        let pivot = try #require(
            try migrated(
                "viz_type: pivot_table\nparams: {viz_type: pivot_table, pandas_aggfunc: mean, groupby: [x]}\n")[
                    "params"]?.mappingValue)
        #expect(pivot["aggregateFunction"]?.stringValue == "Average")
        #expect(pivot["groupbyRows"]?.sequenceValue?.count == 1)
        #expect(pivot["rowOrder"]?.stringValue == "value_z_to_a")
        let histogram = try #require(
            try migrated("viz_type: histogram\nparams: {viz_type: histogram, all_columns_x: [v], link_length: '10'}\n")[
                "params"]?.mappingValue)
        #expect(histogram["column"]?.stringValue == "v" && histogram["bins"]?.value == .int(10))
        #expect(histogram["groupby"]?.sequenceValue?.isEmpty == true)
        let sankey = try #require(
            try migrated("viz_type: sankey\nparams: {viz_type: sankey, groupby: [s, t]}\n")["params"]?.mappingValue)
        #expect(
            sankey["source"]?.stringValue == "s" && sankey["target"]?.stringValue == "t" && sankey["groupby"] == nil)
        let dual = try #require(
            try migrated("viz_type: dual_line\nparams: {viz_type: dual_line, metric: m1, metric_2: m2}\n")["params"]?
                .mappingValue)
        #expect(dual["metrics"]?.sequenceValue?.map(\.stringValue) == ["m1"])
        #expect(dual["metrics_b"]?.sequenceValue?.map(\.stringValue) == ["m2"])
        #expect(dual["adhoc_filters_b"]?.sequenceValue?.isEmpty == true)
    }

    @Test("a modern type is left alone, and migrating twice changes nothing")
    func idempotent() throws {
        var root = try migrated("viz_type: bubble\nparams: {viz_type: bubble, granularity_sqla: year}\n")
        let once = root
        #expect(!LegacyChartMigration.migrate(&root))
        #expect(root == once)
    }
}
