import Foundation

/// A small control-plane repository in a temporary directory (database, dataset, two charts, a
/// dashboard, two environments, two mappings), with helpers to edit it and read its bundles.
public final class RepositoryFixture {
    public let directory = TemporaryDirectory()
    public var root: String { directory.path }

    public static let files: [String: String] = [
        "hybrid.yaml": """
        mode: superset
        superset:
          url: "http://127.0.0.1:8088"
        default_env: dev
        """,
        "env/dev.yaml": """
        ENV: dev
        DB_HOST: db-dev.example.com
        SCHEMA: public
        CACHE_TIMEOUT: 60
        TENANT_KEY: customer_id
        """,
        "env/prod.yaml": """
        ENV: prod
        DB_HOST: db-prod.example.com
        SCHEMA: public
        CACHE_TIMEOUT: 3600
        TENANT_KEY: customer_id
        """,
        "assets/_partials/chart_defaults.j2": """
        cache_timeout: {{ CACHE_TIMEOUT }}
        description: "Managed in Git ({{ ENV | upper }})"

        """,
        "assets/databases/analytics.yaml.j2": """
        database_name: "analytics_{{ ENV }}"
        sqlalchemy_uri: "postgresql+psycopg2://{{ DB_HOST }}/analytics_{{ ENV }}"
        expose_in_sqllab: true
        extra:
          metadata_params: {}
          engine_params: {}

        """,
        "assets/datasets/sales.yaml.j2": """
        table_name: fact_sales
        schema: "{{ SCHEMA }}"
        database: "analytics_{{ ENV }}"
        main_dttm_col: order_date
        columns:
          - column_name: order_date
            is_dttm: true
          - column_name: "{{ TENANT_KEY }}"
          - column_name: revenue
        metrics:
          - metric_name: Total Revenue
            expression: SUM(revenue)

        """,
        "assets/charts/revenue.yaml.j2": """
        slice_name: "Revenue ({{ ENV }})"
        viz_type: echarts_timeseries_line
        datasource: fact_sales
        {% include "_partials/chart_defaults.j2" %}
        params:
          x_axis: order_date
          groupby: ["{{ TENANT_KEY }}"]
          metrics: [Total Revenue]
          adhoc_filters: []

        """,
        "assets/charts/by_tenant.yaml.j2": """
        slice_name: "Revenue by tenant ({{ ENV }})"
        viz_type: table
        datasource: datasets/sales
        params:
          groupby: [customer_id]
          metrics: [Total Revenue]

        """,
        "assets/dashboards/overview.yaml.j2": """
        dashboard_title: "Overview ({{ ENV }})"
        slug: "overview-{{ ENV }}{{ SLUG_SUFFIX | default('') }}"
        position:
          ROOT_ID: {type: ROOT, id: ROOT_ID, children: [GRID_ID]}
          GRID_ID: {type: GRID, id: GRID_ID, children: [CHART-1, CHART-2]}
          CHART-1:
            type: CHART
            id: CHART-1
            meta: {sliceName: "Revenue ({{ ENV }})"}
          CHART-2:
            type: CHART
            id: CHART-2
            meta: {chart: charts/by_tenant}

        """,
        "mappings/client_a.yaml": """
        source:
          database: analytics_prod
          schema: public
          tables: {sales: fact_sales}
          columns: {customer_id: customer_id, order_date: order_date}
        target:
          database: client_a_warehouse
          schema: analytics
          tables: {sales: client_a_sales}
          columns: {customer_id: client_id, order_date: txn_date}
        metrics:
          Total Revenue: Client A Revenue

        """,
        "mappings/client_b.yaml": """
        source:
          database: analytics_prod
          tables: {sales: fact_sales}
        target:
          database: client_b_dw
          tables: {sales: b_sales}
        vars:
          CACHE_TIMEOUT: 5
          SLUG_SUFFIX: "-b"

        """,
    ]

    public init(files: [String: String] = RepositoryFixture.files) throws {
        for (path, text) in files { try directory.write(path, text) }
    }

    public func write(_ path: String, _ text: String) throws { try directory.write(path, text) }

    public func read(_ path: String) throws -> String { try directory.read(path) }

    public func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

    public func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + path) }

    /// Every file under `bundles/`, by path, with its bytes.
    public func snapshot(_ subdirectory: String = "bundles") -> [String: Data] {
        var files: [String: Data] = [:]
        let base = root + "/" + subdirectory
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [:] }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files[relative] = FileManager.default.contents(atPath: base + "/" + relative)
            }
        }
        return files
    }

    /// Modification times (nanoseconds) of every file under `bundles/`.
    public func modificationTimes() -> [String: Int] {
        var times: [String: Int] = [:]
        for path in snapshot().keys {
            var info = stat()
            stat(root + "/bundles/" + path, &info)
            times[path] = info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
        }
        return times
    }
}
