import HybridYAML

/// What Superset 6.1's chart import does to a legacy chart type (`migrate_chart` in
/// `commands/chart/importers/v1/utils.py`, with the `MigrateViz` processors of
/// `migrations/shared/migrate_viz`): the type becomes its successor (`bubble` → `bubble_v2`, …) and
/// its params are rewritten — keys renamed and removed, defaults the new chart needs set, the old
/// time column and range turned into a `TEMPORAL_RANGE` adhoc filter — and a `query_context`'s
/// `form_data` becomes the new params. The normal form applies it, so a bundle holds what the server
/// will export and a legacy template does not show as drift after every apply.
public enum LegacyChartMigration {
    /// Superset's `DEFAULT_TIME_FILTER` (`NO_TIME_RANGE`): the range of a chart that has none.
    static let defaultTimeFilter = "No filter"

    /// Migrates a chart document in place; false when its type is not a legacy one, or when the
    /// migration needs what cannot be known here (an adhoc time column with a time range, which
    /// Superset resolves against the current date) and the chart is left as it is.
    @discardableResult
    public static func migrate(_ root: inout YAMLMapping) -> Bool {
        guard let vizType = root["viz_type"]?.stringValue, var migrator = Migrator(source: vizType),
            var params = root["params"]?.mappingValue
        else { return false }
        migrator.preAction(&params)
        guard migrator.migrate(&params) else { return false }
        params.setValue(.string(migrator.target), forKey: "viz_type")
        root.setValue(.mapping(params), forKey: "params")
        root.setValue(.string(migrator.target), forKey: "viz_type")
        root.updateValue(forKey: "query_context") { context in
            guard let text = context.stringValue, case .mapping(var mapping)? = try? JSONText.parse(text).value,
                mapping["form_data"] != nil
            else { return }
            mapping.setValue(.mapping(params), forKey: "form_data")
            context = YAMLNode(.string(JSONText.write(YAMLNode(.mapping(mapping)))), mark: context.mark)
        }
        return true
    }

    /// One `MigrateViz` processor.
    struct Migrator {
        var source: String
        var target: String
        var hasXAxisControl = false
        /// Source key → target key, in the processor's order.
        var renames: [(String, String)] = []
        var removals: Set<String> = []

        init?(source: String) {
            self.source = source
            switch source {
            case "treemap":
                target = "treemap_v2"
                removals = ["metrics"]
                renames = [("order_desc", "sort_by_metric")]
            case "pivot_table":
                target = "pivot_table_v2"
                removals = ["pivot_margins"]
                renames = [
                    ("columns", "groupbyColumns"), ("combine_metric", "combineMetric"), ("groupby", "groupbyRows"),
                    ("number_format", "valueFormat"), ("pandas_aggfunc", "aggregateFunction"),
                    ("row_limit", "series_limit"), ("timeseries_limit_metric", "series_limit_metric"),
                    ("transpose_pivot", "transposePivot"),
                ]
            case "dual_line":
                target = "mixed_timeseries"
                hasXAxisControl = true
                renames = [
                    ("x_axis_format", "x_axis_time_format"), ("y_axis_2_format", "y_axis_format_secondary"),
                    ("y_axis_2_bounds", "y_axis_bounds_secondary"),
                ]
                removals = ["metric", "metric_2"]
            case "sunburst":
                target = "sunburst_v2"
                renames = [("groupby", "columns")]
            case "line", "area", "bar", "dist_bar":
                target =
                    ["line": "echarts_timeseries_line", "area": "echarts_area", "bar": "echarts_timeseries_bar"][source]
                    ?? "echarts_timeseries_bar"
                hasXAxisControl = source != "dist_bar"
                renames = Self.timeseriesRenames
                removals = ["contribution", "line_interpolation", "reduce_x_ticks", "show_brush", "show_markers"]
            case "bubble":
                target = "bubble_v2"
                renames = [
                    ("bottom_margin", "x_axis_title_margin"), ("left_margin", "y_axis_title_margin"),
                    ("limit", "row_limit"), ("x_axis_format", "xAxisFormat"), ("x_log_scale", "logXAxis"),
                    ("x_ticks_layout", "xAxisLabelRotation"), ("y_axis_showminmax", "truncateYAxis"),
                    ("y_log_scale", "logYAxis"),
                ]
                removals = ["x_axis_showminmax"]
            case "heatmap":
                target = "heatmap_v2"
                renames = [
                    ("all_columns_x", "x_axis"), ("all_columns_y", "groupby"), ("y_axis_bounds", "value_bounds"),
                    ("show_perc", "show_percentage"),
                ]
                removals = ["sort_by_metric", "canvas_image_rendering"]
            case "histogram":
                target = "histogram_v2"
                renames = [
                    ("x_axis_label", "x_axis_title"), ("y_axis_label", "y_axis_title"), ("normalized", "normalize"),
                ]
                removals = ["all_columns_x", "link_length", "queryFields"]
            case "sankey":
                target = "sankey_v2"
                removals = ["groupby"]
            default:
                return nil
            }
        }

        static let timeseriesRenames = [
            ("bottom_margin", "x_axis_title_margin"), ("left_margin", "y_axis_title_margin"),
            ("show_controls", "show_extra_controls"), ("x_axis_label", "x_axis_title"),
            ("x_axis_format", "x_axis_time_format"), ("x_axis_showminmax", "truncateXAxis"),
            ("x_ticks_layout", "xAxisLabelRotation"), ("y_axis_label", "y_axis_title"),
            ("y_axis_showminmax", "truncateYAxis"), ("y_log_scale", "logAxis"),
        ]

        // MARK: _pre_action

        mutating func preAction(_ data: inout YAMLMapping) {
            switch source {
            case "treemap":
                if let metrics = data["metrics"]?.sequenceValue, let first = metrics.first {
                    data.setValue(first.value, forKey: "metric")
                }
            case "pivot_table":
                if let margins = data["pivot_margins"], truth(margins.value) {
                    data.setValue(margins.value, forKey: "colTotals")
                    data.setValue(margins.value, forKey: "colSubTotals")
                }
                if let function = data["pandas_aggfunc"], truth(function.value), let name = function.stringValue,
                    let mapped = Self.aggregations[name]
                {
                    data.setValue(.string(mapped), forKey: "pandas_aggfunc")
                }
                data.setValue(.string("value_z_to_a"), forKey: "rowOrder")
            case "dual_line":
                data.setValue(.int(0), forKey: "yAxisIndex")
                data.setValue(.int(1), forKey: "yAxisIndexB")
                data.setValue(data["adhoc_filters"]?.value ?? .null, forKey: "adhoc_filters_b")
                data.setValue(.bool(true), forKey: "truncateYAxis")
                data.setValue(.sequence([data["metric"] ?? YAMLNode(.null)]), forKey: "metrics")
                data.setValue(.sequence([data["metric_2"] ?? YAMLNode(.null)]), forKey: "metrics_b")
            case "line", "area", "bar", "dist_bar":
                timeseriesPreAction(&data)
            case "bubble":
                marginDefault(&data, label: "x_axis_label", margin: "bottom_margin")
                ticksLayout(&data)
                data.setValue(.bool(true), forKey: "y_axis_showminmax")
            case "heatmap":
                data.setValue(.string("continuous"), forKey: "legend_type")
            case "histogram":
                if let columns = data["all_columns_x"], truth(columns.value), let first = columns.sequenceValue?.first {
                    data.setValue(first.value, forKey: "column")
                }
                let bins: YAMLValue
                if let length = data["link_length"], truth(length.value), let number = Self.pythonInt(length.value) {
                    bins = .int(number)
                } else {
                    bins = .int(5)
                }
                data.setValue(bins, forKey: "bins")
                if !truth(data["groupby"]?.value ?? .null) { data.setValue(.sequence([]), forKey: "groupby") }
            case "sankey":
                if let groupby = data["groupby"]?.sequenceValue, groupby.count > 1 {
                    data.setValue(groupby[0].value, forKey: "source")
                    data.setValue(groupby[1].value, forKey: "target")
                }
            default:
                break
            }
        }

        static let aggregations = [
            "sum": "Sum", "mean": "Average", "median": "Median", "min": "Minimum", "max": "Maximum",
            "std": "Sample Standard Deviation", "var": "Sample Variance",
        ]

        /// `TimeseriesChart._pre_action` and the line, area, bar and dist_bar additions.
        private mutating func timeseriesPreAction(_ data: inout YAMLMapping) {
            data.setValue(
                truth(data["contribution"]?.value ?? .null) ? .string("row") : .null, forKey: "contributionMode")
            data.setValue(.bool(data["show_brush"]?.stringValue == "yes"), forKey: "zoomable")
            let markers = data["show_markers"]?.value ?? .null
            data.setValue(truth(markers) ? markers : .bool(false), forKey: "markerEnabled")
            data.setValue(.bool(true), forKey: "y_axis_showminmax")
            marginDefault(&data, label: "x_axis_label", margin: "bottom_margin")
            marginDefault(&data, label: "y_axis_label", margin: "left_margin")
            if let compare = data["time_compare"], compare.value != .null {
                let items = compare.sequenceValue ?? [compare]
                let values: [YAMLNode] = items.compactMap { item in
                    guard let text = item.stringValue?.trimmingPythonWhitespace(), !text.isEmpty else { return nil }
                    return YAMLNode(.string(text.hasSuffix(" ago") ? text : text + " ago"))
                }
                data.setValue(.sequence(values), forKey: "time_compare")
            }
            let comparison = data["comparison_type"].flatMap { truth($0.value) ? $0.value : nil } ?? .string("values")
            data.setValue(
                comparison == .string("absolute") ? .string("difference") : comparison, forKey: "comparison_type")
            ticksLayout(&data)
            switch source {
            case "line":
                switch data["line_interpolation"]?.stringValue {
                case "cardinal":
                    target = "echarts_timeseries_smooth"
                case "step-before":
                    target = "echarts_timeseries_step"
                    data.setValue(.string("start"), forKey: "seriesType")
                case "step-after":
                    target = "echarts_timeseries_step"
                    data.setValue(.string("end"), forKey: "seriesType")
                default:
                    break
                }
            case "area":
                removals.insert("stacked_style")
                let style = data["stacked_style"].flatMap { truth($0.value) ? $0.stringValue : nil } ?? "stack"
                let stack = ["expand": "Expand", "stack": "Stack", "stream": "Stream"][style]
                data.setValue(stack.map { .string($0) } ?? .null, forKey: "stack")
                data.setValue(.float(0.7), forKey: "opacity")
            case "bar":
                renames.append(("show_bar_value", "show_value"))
                removals.insert("bar_stacked")
                data.setValue(truth(data["bar_stacked"]?.value ?? .null) ? .string("Stack") : .null, forKey: "stack")
            case "dist_bar":
                let groupby = data["groupby"].flatMap { truth($0.value) ? $0.sequenceValue : nil } ?? []
                let columns = data["columns"].flatMap { truth($0.value) ? $0.sequenceValue : nil } ?? []
                if let first = groupby.first { data.setValue(first.value, forKey: "x_axis") }
                data.setValue(.sequence(Array(groupby.dropFirst()) + columns), forKey: "groupby")
                renames.append(("show_bar_value", "show_value"))
                removals.insert("columns")
                removals.insert("bar_stacked")
                data.setValue(truth(data["bar_stacked"]?.value ?? .null) ? .string("Stack") : .null, forKey: "stack")
                data.setValue(.int(45), forKey: "x_ticks_layout")
            default:
                break
            }
        }

        /// A label without a margin (or `auto`) gets a margin of 30.
        private func marginDefault(_ data: inout YAMLMapping, label: String, margin: String) {
            let current = data[margin]?.value ?? .null
            guard truth(data[label]?.value ?? .null), !truth(current) || current == .string("auto") else { return }
            data.setValue(.int(30), forKey: margin)
        }

        private func ticksLayout(_ data: inout YAMLMapping) {
            guard let layout = data["x_ticks_layout"], truth(layout.value) else { return }
            data.setValue(.int(layout.stringValue == "45°" ? 45 : 0), forKey: "x_ticks_layout")
        }

        // MARK: _migrate

        /// Renames and removals, then the temporal filter; false when the migration cannot be predicted.
        func migrate(_ data: inout YAMLMapping) -> Bool {
            guard data["viz_type"]?.stringValue == source else { return true }
            data.setValue(.string(target), forKey: "viz_type")
            for (from, to) in renames where data[from] != nil && data[to] != nil {
                data.removeValue(forKey: to)
            }
            let renamed = Dictionary(renames, uniquingKeysWith: { _, last in last })
            var result = YAMLMapping()
            for entry in data.entries {
                guard let key = entry.key.stringValue else {
                    result.entries.append(entry)
                    continue
                }
                if let to = renamed[key] {
                    // Superset raises "Duplicate key in target viz" here; such a chart fails to import.
                    guard result[to] == nil else { return false }
                    result.setValue(entry.value.value, forKey: to)
                } else if !removals.contains(key) {
                    result.setValue(entry.value.value, forKey: key)
                }
            }
            guard migrateTemporalFilter(&result) else { return false }
            data = result
            return true
        }

        /// The old time column and range as a `TEMPORAL_RANGE` adhoc filter (and, for charts with an
        /// x axis, the column as the x axis).
        func migrateTemporalFilter(_ data: inout YAMLMapping) -> Bool {
            let granularity = data["granularity_sqla"]?.value ?? .null
            data.removeValue(forKey: "granularity_sqla")
            let range = data["time_range"].flatMap { truth($0.value) ? $0.value : nil } ?? .string(defaultTimeFilter)
            data.removeValue(forKey: "time_range")
            guard truth(granularity) else {
                if source == "dual_line" { data.setValue(dualLineFilters(data), forKey: "adhoc_filters_b") }
                return true
            }
            if hasXAxisControl {
                data.setValue(granularity, forKey: "x_axis")
                let grain = data["time_grain_sqla"].flatMap { truth($0.value) ? $0.value : nil } ?? .string("P1D")
                data.setValue(grain, forKey: "time_grain_sqla")
            }
            var filter: YAMLValue? = .mapping(
                YAMLMapping([
                    entry("clause", .string("WHERE")), entry("subject", granularity),
                    entry("operator", .string("TEMPORAL_RANGE")), entry("comparator", range),
                    entry("expressionType", .string("SIMPLE")),
                ]))
            if case .mapping = granularity {
                // Superset resolves the range against today's date here; only "No filter" is certain.
                guard range == .string(defaultTimeFilter) else { return false }
                filter = nil
            }
            var filters = data["adhoc_filters"].flatMap { truth($0.value) ? $0.sequenceValue : nil } ?? []
            if let filter { filters.append(YAMLNode(filter)) }
            data.setValue(.sequence(filters), forKey: "adhoc_filters")
            if source == "dual_line" { data.setValue(dualLineFilters(data), forKey: "adhoc_filters_b") }
            return true
        }

        private func dualLineFilters(_ data: YAMLMapping) -> YAMLValue {
            data["adhoc_filters"].flatMap { truth($0.value) ? $0.value : nil } ?? .sequence([])
        }

        private func entry(_ key: String, _ value: YAMLValue) -> YAMLMapping.Entry {
            YAMLMapping.Entry(key: YAMLNode(.string(key)), value: YAMLNode(value))
        }

        /// Python's `int(x)` of a YAML scalar (`"10"`, `10`, `10.7`); nil where Python raises.
        static func pythonInt(_ value: YAMLValue) -> Int? {
            switch value {
            case .int(let number): number
            case .bool(let flag): flag ? 1 : 0
            case .float(let number) where number.isFinite: Int(number.rounded(.towardZero))
            case .string(let text): Int(text.trimmingPythonWhitespace())
            default: nil
            }
        }
    }

}

/// Python's truth of a YAML value.
private func truth(_ value: YAMLValue) -> Bool {
    switch value {
    case .null: false
    case .bool(let flag): flag
    case .int(let number): number != 0
    case .bigInt: true
    case .float(let number): number != 0
    case .string(let text): !text.isEmpty
    case .sequence(let items): !items.isEmpty
    case .mapping(let mapping): !mapping.isEmpty
    case .date, .timestamp: true
    }
}

extension String {
    /// Python's `str.strip()` of ASCII whitespace.
    fileprivate func trimmingPythonWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            scalars = scalars.dropFirst()
        }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            scalars = scalars.dropLast()
        }
        return String(scalars)
    }
}
