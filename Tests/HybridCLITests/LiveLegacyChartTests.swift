import Foundation
import HybridYAML
import SupersetClient
import Testing

/// Nested in the live runtime suite, which runs serially: these tests share its Superset.
extension LiveRuntimeTests {
    /// hybrid's port of Superset's legacy chart migration (``LegacyChartMigration``) against the real
    /// thing: a chart of every legacy type, with the params each processor rewrites, is compiled (the
    /// bundle holds hybrid's migration); the legacy charts themselves are then imported straight through
    /// Superset's API, so that its import migrates them, and its export must equal hybrid's bundle.
    @Suite("Legacy chart types against a live Superset")
    struct LiveLegacyChartTests {
        static let common = "granularity_sqla: order_date, time_range: Last week, adhoc_filters: [], row_limit: 100"

        static let charts: [String: String] = [
            "line":
                "metrics: [Total Revenue], groupby: [customer_id], line_interpolation: step-before, show_brush: 'yes', "
                + "x_axis_label: X, bottom_margin: auto, time_compare: ['1 week'], comparison_type: absolute, "
                + "x_ticks_layout: 45°, contribution: true, show_markers: true, rolling_type: None",
            "area": "metrics: [Total Revenue], stacked_style: stream, y_axis_label: Y, show_controls: true",
            "bar": "metrics: [Total Revenue], bar_stacked: true, show_bar_value: true, y_log_scale: true",
            "dist_bar":
                "metrics: [Total Revenue], groupby: [customer_id, order_date], columns: [revenue], bar_stacked: false",
            "bubble":
                "entity: customer_id, x: {expressionType: SQL, sqlExpression: SUM(revenue), label: x}, "
                + "y: {expressionType: SQL, sqlExpression: COUNT(*), label: y}, size: {expressionType: SQL, "
                + "sqlExpression: MAX(revenue), label: s}, limit: 10, x_axis_showminmax: true, y_axis_showminmax: false, "
                + "x_log_scale: true, x_axis_label: X",
            "heatmap":
                "all_columns_x: customer_id, all_columns_y: order_date, metric: Total Revenue, y_axis_bounds: [0, 10], "
                + "show_perc: true, sort_by_metric: true, canvas_image_rendering: pixelated",
            "histogram": "all_columns_x: [revenue], link_length: '7', normalized: true, x_axis_label: R",
            "pivot_table":
                "metrics: [Total Revenue], groupby: [customer_id], columns: [order_date], pandas_aggfunc: sum, "
                + "pivot_margins: true, number_format: ',.1f', combine_metric: false, transpose_pivot: true, "
                + "timeseries_limit_metric: Total Revenue",
            "sankey": "metric: Total Revenue, groupby: [customer_id, order_date]",
            "sunburst": "metric: Total Revenue, groupby: [customer_id, order_date]",
            "treemap": "metrics: [Total Revenue], groupby: [customer_id], order_desc: true",
            "dual_line":
                "metric: Total Revenue, metric_2: Total Revenue, x_axis_format: smart_date, y_axis_2_format: ',d'",
        ]

        @Test(
            "every legacy type: the bundle holds the chart as Superset's import migrates it, and its export is identical"
        )
        func migratedLikeSuperset() async throws {
            let repo = LiveRepository()
            for (type, params) in Self.charts {
                try repo.write(
                    "assets/charts/legacy_\(type).yaml.j2",
                    "slice_name: Legacy \(type) {{ SUFFIX }}\nviz_type: \(type)\ndatasource: fact_sales\n"
                        + "params: {viz_type: \(type), \(Self.common), \(params)}\n")
            }
            // A chart whose params do not repeat the type: Superset then renames nothing, only the type.
            try repo.write(
                "assets/charts/legacy_plain.yaml.j2",
                "slice_name: Legacy plain {{ SUFFIX }}\nviz_type: sunburst\ndatasource: fact_sales\n"
                    + "params: {groupby: [customer_id], \(Self.common)}\n")
            let compile = try repo.hybrid(["compile", "--env", "live"])
            #expect(compile.status == 0, "\(compile.stderr)")
            let apply = try repo.hybrid(["apply", "--env", "live"])
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            // hybrid's migration, kept aside; Superset's import gets the legacy charts to migrate itself.
            var migrated: [String: String] = [:]
            var files: [(path: String, bytes: [UInt8])] = []
            for path in ["metadata.yaml", "databases/analytics.yaml", "datasets/fact_sales.yaml"] {
                files.append((path, Array(try repo.read("bundles/live/" + path).utf8)))
            }
            for type in Self.charts.keys.sorted() + ["plain"] {
                let path = "charts/legacy_\(type).yaml"
                migrated[type] = try repo.read("bundles/live/" + path)
                var chart = try #require(try YAMLParser.parseDocument(migrated[type]!, file: path)?.mappingValue)
                let legacyParams =
                    type == "plain"
                    ? "{groupby: [customer_id], \(Self.common)}"
                    : "{viz_type: \(type), \(Self.common), \(Self.charts[type]!)}"
                let params = try #require(try YAMLParser.parseDocument(legacyParams, file: type))
                chart.setValue(.string(type == "plain" ? "sunburst" : type), forKey: "viz_type")
                chart.setValue(params.value, forKey: "params")
                files.append((path, YAMLEmitter.emit(YAMLNode(.mapping(chart)))))
            }
            let client = SupersetAPIClient(
                target: try SupersetTarget(
                    LiveServer.url, auth: .password(username: LiveServer.username, password: LiveServer.password)))
            try await client.importAssets(bundle: try BundleArchive.make(files: files, topFolder: "bundle"))
            let export = try repo.hybrid(["export", "--env", "live", "--out", "exported"])
            #expect(export.status == 0, "\(export.stderr)")
            for type in Self.charts.keys.sorted() + ["plain"] {
                let exported = try repo.read("exported/charts/legacy_\(type).yaml")
                #expect(migrated[type] == exported, "\(type):\n\(migrated[type]!)\n--- Superset's ---\n\(exported)")
                #expect(!exported.contains("\nviz_type: \(type)\n"), "\(type) is migrated by Superset")
            }
        }
    }
}
