/// The files `hybrid init` writes: the seed's example control-plane repository. The repository
/// root of hybrid itself holds the same files (a test keeps the two identical).
public enum ExampleRepository {
    public struct File: Sendable {
        /// Path relative to the repository root.
        public var path: String
        public var contents: String
    }

    /// Every file, in the order `init` reports them.
    public static let files: [File] = [
        File(
            path: "hybrid.yaml",
            contents: #"""
                # hybrid control-plane configuration
                mode: superset          # superset | preset

                superset:
                  # Self-hosted Superset
                  url: "http://127.0.0.1:8088"

                preset:
                  # Preset Cloud workspaces, one per environment
                  workspaces:
                    dev: "https://workspace-dev.us1a.app.preset.io/"
                    staging: "https://workspace-staging.us1a.app.preset.io/"
                    prod: "https://workspace-prod.us1a.app.preset.io/"

                # Default environment for commands
                default_env: dev

                # Directories
                assets_dir: "assets"
                bundles_dir: "bundles"

                """#
        ),
        File(
            path: "assets/databases/analytics_db.yaml.j2",
            contents: #"""
                database_name: "analytics_{{ ENV }}"
                sqlalchemy_uri: "{{ SQLALCHEMY_URI if SQLALCHEMY_URI is defined else 'postgresql+psycopg2://' ~ DB_HOST ~ '/' ~ DB_NAME }}"
                cache_timeout: null
                extra:
                  metadata_params: {}
                  engine_params: {}

                """#
        ),
        File(
            path: "assets/datasets/fact_sales.yaml.j2",
            contents: #"""
                table_name: "fact_sales"
                schema: "{{ SCHEMA }}"
                database: "analytics_{{ ENV }}"
                columns:
                  - column_name: "order_date"
                    is_dttm: true
                  - column_name: "{{ TENANT_KEY }}"
                    filterable: true
                  - column_name: "brand"
                  - column_name: "revenue"
                metrics:
                  - metric_name: "Total Revenue"
                    expression: "SUM(revenue)"

                """#
        ),
        File(
            path: "assets/charts/revenue_over_time.yaml.j2",
            contents: #"""
                slice_name: "Revenue Over Time ({{ ENV }})"
                viz_type: "{{ viz_type | default('echarts_timeseries_line') }}"
                datasource: "fact_sales"
                params:
                  x_axis: "order_date"
                  time_grain_sqla: "P1D"
                  metrics:
                    - "Total Revenue"
                  adhoc_filters: []
                  row_limit: 1000
                cache_timeout: null

                """#
        ),
        File(
            path: "assets/dashboards/overview.yaml.j2",
            contents: #"""
                dashboard_title: "Overview ({{ ENV }})"
                slug: "overview-{{ ENV }}"
                description: "Auto-generated dashboard"
                css: ""
                metadata:
                  native_filter_configuration:
                    {% if ENABLE_FILTERS | default(true) %}
                    - id: date_filter
                      name: Date Range
                      filterType: filter_time
                    {% endif %}
                position:
                  ROOT_ID:
                    type: ROOT
                    id: ROOT_ID
                    children: [GRID_ID]
                  GRID_ID:
                    type: GRID
                    id: GRID_ID
                    children: [CHART-1]
                  CHART-1:
                    type: CHART
                    id: CHART-1
                    meta:
                      sliceName: "Revenue Over Time ({{ ENV }})"
                    columns: 12
                    rows: 6

                """#
        ),
        File(
            path: "env/dev.yaml",
            contents: #"""
                DB_HOST: db-dev.example.com
                DB_NAME: analytics_dev
                ENV: dev
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/staging.yaml",
            contents: #"""
                DB_HOST: db-staging.example.com
                DB_NAME: analytics_staging
                ENV: staging
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/prod.yaml",
            contents: #"""
                DB_HOST: db-prod.example.com
                DB_NAME: analytics_prod
                ENV: prod
                SCHEMA: public
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "env/local.yaml",
            contents: #"""
                ENV: local
                SCHEMA: main
                SQLALCHEMY_URI: sqlite:///analytics.db
                TENANT_KEY: customer_id

                """#
        ),
        File(
            path: "mappings/client_a.yaml",
            contents: #"""
                metrics:
                  Total Revenue: Client A Revenue
                source:
                  columns:
                    customer_id: customer_id
                    order_date: order_date
                  database: analytics_dev
                  schema: public
                  tables:
                    fact_sales: fact_sales
                target:
                  columns:
                    customer_id: client_customer_id
                    order_date: transaction_date
                  database: client_a_warehouse
                  schema: analytics
                  tables:
                    fact_sales: client_a_transactions

                """#
        ),
        File(
            path: ".gitignore",
            contents: #"""
                # Outputs and caches of hybrid
                bundles/
                .hybrid-cache/
                .hybrid/

                """#
        ),
    ]

    /// Directories `init` creates even if they end up holding no file.
    public static let directories = [
        "assets/databases", "assets/datasets", "assets/charts", "assets/dashboards", "env", "mappings",
    ]
}
