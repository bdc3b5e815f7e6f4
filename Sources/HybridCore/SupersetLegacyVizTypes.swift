/// Chart types that Superset 6.1's import rewrites into their ECharts/v2 successors (with their
/// params), read from `superset/migrations/shared/migrate_viz/processors.py` of the 6.1.0 wheel.
/// A chart written with one of these never matches its export, so compile warns about it.
public enum SupersetLegacyVizTypes {
    /// Legacy `viz_type` → the type the import stores. `line` may also become
    /// `echarts_timeseries_smooth` or `_step`, depending on its `line_interpolation`.
    public static let successors: [String: String] = [
        "area": "echarts_area",
        "bar": "echarts_timeseries_bar",
        "bubble": "bubble_v2",
        "dist_bar": "echarts_timeseries_bar",
        "dual_line": "mixed_timeseries",
        "heatmap": "heatmap_v2",
        "histogram": "histogram_v2",
        "line": "echarts_timeseries_line",
        "pivot_table": "pivot_table_v2",
        "sankey": "sankey_v2",
        "sunburst": "sunburst_v2",
        "treemap": "treemap_v2",
    ]
}
