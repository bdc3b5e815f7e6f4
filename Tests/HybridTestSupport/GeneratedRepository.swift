import Foundation

/// The files of a repository shaped like `../shared/bench/gen_repo.py` makes them (macros imported
/// from a partial, loops, includes, conditionals, env variables, tenants with table, column and metric
/// renames), small and seeded, for property tests that need no Python.
public enum GeneratedRepository {
    static let dimensions = ["brand", "region", "channel", "segment", "store_id", "category", "sku", "country"]
    static let measures = ["revenue", "units", "discount", "cost", "margin", "returns"]
    static let vizTypes = ["echarts_timeseries_line", "echarts_timeseries_bar", "pie", "table", "big_number_total"]
    public static let environments = ["dev", "staging", "prod"]

    public static func files(seed: UInt64, datasets: Int = 2, chartsPerDataset: Int = 3, clients: Int = 1)
        -> [String: String]
    {
        var random = SplitMix(state: seed)
        var files: [String: String] = [:]
        files["hybrid.yaml"] =
            "mode: superset\nsuperset:\n  url: \"http://127.0.0.1:8088\"\ndefault_env: dev\nassets_dir: \"assets\"\nbundles_dir: \"bundles\"\n"
        for env in environments {
            files["env/\(env).yaml"] = """
                ENV: \(env)
                DB_HOST: "db-\(env).example.com"
                DB_NAME: "analytics_\(env)"
                SCHEMA: "public"
                TENANT_KEY: "customer_id"
                CACHE_TIMEOUT: \(env == "prod" ? 3600 : 60)
                ENABLE_FILTERS: \(env != "dev" ? "true" : "false")

                """
        }
        files["assets/_partials/metrics.j2"] = """
            {# shared metric helpers #}
            {% macro metric(name, expr, fmt=none) %}  - metric_name: "{{ name }}"
                expression: "{{ expr }}"
            {% if fmt %}    d3format: "{{ fmt }}"
            {% endif %}{% endmacro %}
            {% macro sum_metric(col) %}{{ metric("Total " ~ col | replace('_', ' ') | title, "SUM(" ~ col ~ ")", ",.2f") }}{% endmacro %}

            """
        files["assets/_partials/chart_defaults.yaml.j2"] = """
            cache_timeout: {{ CACHE_TIMEOUT | default(none) | tojson }}
            description: "Managed in Git ({{ ENV | upper }})"

            """
        files["assets/databases/analytics_db.yaml.j2"] = """
            database_name: "analytics_{{ ENV }}"
            sqlalchemy_uri: "postgresql+psycopg2://{{ DB_HOST }}/{{ DB_NAME }}"
            cache_timeout: null
            expose_in_sqllab: {{ (ENV != "prod") | lower }}
            extra:
              metadata_params: {}
              engine_params: {}

            """
        var slices: [String] = []
        for i in 0..<datasets {
            let dims = sample(dimensions, 4, &random)
            let picked = sample(measures, 3, &random)
            let name = String(format: "%04d", i)
            files["assets/datasets/fact_\(name).yaml.j2"] = dataset(name, i, dims, picked)
            for j in 0..<chartsPerDataset {
                let measure = picked[j % picked.count]
                let dimension = dims[j % dims.count]
                let title = "\(measure.prefix(1).uppercased() + measure.dropFirst()) by \(dimension) #\(i).\(j)"
                files["assets/charts/chart_\(name)_\(j).yaml.j2"] = chart(
                    name, title, dimension, measure, vizTypes[(i + j) % vizTypes.count])
                slices.append(title)
            }
        }
        for (k, start) in stride(from: 0, to: slices.count, by: 6).enumerated() {
            let charts = Array(slices[start..<min(start + 6, slices.count)])
            files["assets/dashboards/overview_\(String(format: "%03d", k)).yaml.j2"] = dashboard(k, charts)
        }
        for c in 0..<clients {
            let client = String(format: "%03d", c)
            let tables = (0..<datasets).map { String(format: "%04d", $0) }
            files["mappings/client_\(client).yaml"] = """
                source:
                  database: "analytics_prod"
                  schema: "public"
                  tables:
                \(tables.map { "    fact_\($0): \"fact_\($0)\"" }.joined(separator: "\n"))
                  columns:
                    customer_id: "customer_id"
                    order_date: "order_date"
                target:
                  database: "client_\(client)_warehouse"
                  schema: "analytics"
                  tables:
                \(tables.map { "    fact_\($0): \"client\(client)_fact_\($0)\"" }.joined(separator: "\n"))
                  columns:
                    customer_id: "c\(c)_customer_id"
                    order_date: "c\(c)_txn_date"
                metrics:
                  "Row Count": "Client \(client) Rows"

                """
        }
        return files
    }

    private static func sample(_ items: [String], _ count: Int, _ random: inout SplitMix) -> [String] {
        var pool = items
        var picked: [String] = []
        for _ in 0..<count {
            picked.append(pool.remove(at: Int(random.next() % UInt64(pool.count))))
        }
        return picked
    }

    private static func dataset(_ name: String, _ i: Int, _ dims: [String], _ measures: [String]) -> String {
        let columns = dims.map { "\"\($0)\"" }.joined(separator: ", ")
        let metrics = measures.map { "{{ m.sum_metric('\($0)') }}" }.joined(separator: "\n")
        let measureList = "[" + measures.map { "'\($0)'" }.joined(separator: ", ") + "]"
        return """
            {% import "_partials/metrics.j2" as m %}
            {% set dims = [\(columns)] %}
            table_name: "fact_\(name)"
            schema: "{{ SCHEMA }}"
            database: "analytics_{{ ENV }}"
            description: "Dataset \(i) for {{ ENV }}{% if ENV == 'prod' %} (production){% endif %}"
            main_dttm_col: "order_date"
            columns:
              - column_name: "order_date"
                is_dttm: true
                type: "TIMESTAMP"
              - column_name: "{{ TENANT_KEY }}"
                filterable: true
                groupby: false
            {% for d in dims %}
              - column_name: "{{ d }}"
                filterable: true
                groupby: {{ (loop.index is odd) | lower }}
            {% endfor %}
            {% for x in \(measureList) %}
              - column_name: "{{ x }}"
                type: "NUMERIC"
            {% endfor %}
            metrics:
              - metric_name: "Row Count"
                expression: "COUNT(*)"
            \(metrics)

            """
    }

    private static func chart(_ name: String, _ title: String, _ dimension: String, _ measure: String, _ viz: String)
        -> String
    {
        let metric = "Total " + measure.replacingOccurrences(of: "_", with: " ").capitalized
        return """
            slice_name: "\(title) ({{ ENV }})"
            viz_type: "{{ viz_type | default('\(viz)') }}"
            datasource: "fact_\(name)"
            {% include "_partials/chart_defaults.yaml.j2" %}
            params:
              x_axis: "order_date"
              time_grain_sqla: "{{ TIME_GRAIN | default('P1D') }}"
              groupby:
                - "\(dimension)"
              metrics:
                - "\(metric)"
              adhoc_filters:
            {% if ENV != 'dev' %}
                - clause: "WHERE"
                  subject: "{{ TENANT_KEY }}"
                  operator: "IS NOT NULL"
                  expressionType: "SIMPLE"
            {% else %}
                []
            {% endif %}
              row_limit: {{ ROW_LIMIT | default(1000) }}

            """
    }

    private static func dashboard(_ k: Int, _ charts: [String]) -> String {
        let items = charts.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            {% set charts = [\(items)] %}
            dashboard_title: "Overview \(k) ({{ ENV }})"
            slug: "overview-\(k)-{{ ENV }}"
            description: "Auto-generated dashboard"
            css: ""
            metadata:
              native_filter_configuration:
            {% if ENABLE_FILTERS | default(true) %}
                - id: "date_filter"
                  name: "Date Range"
                  filterType: "filter_time"
            {% else %}
                []
            {% endif %}
            position:
              ROOT_ID:
                type: ROOT
                id: ROOT_ID
                children: [GRID_ID]
              GRID_ID:
                type: GRID
                id: GRID_ID
                children: [{% for c in charts %}"CHART-{{ loop.index }}"{% if not loop.last %}, {% endif %}{% endfor %}]
            {% for c in charts %}
              CHART-{{ loop.index }}:
                type: CHART
                id: CHART-{{ loop.index }}
                meta:
                  sliceName: "{{ c }} ({{ ENV }})"
                columns: {{ 12 // (charts | length) if charts | length < 4 else 4 }}
                rows: 6
            {% endfor %}

            """
    }
}
