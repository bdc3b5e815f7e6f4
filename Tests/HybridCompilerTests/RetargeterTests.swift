import HybridYAML
import SupersetModel
import Testing

@testable import HybridCompiler

/// Parses `text` as one YAML document (a test fixture).
private func yaml(_ text: String) throws -> YAMLNode {
    try #require(try YAMLParser.parseDocument(text, file: "asset.yaml"))
}

/// Retargets `text` with the seed mapping; the result and the entries it used.
private func retarget(_ text: String, kind: AssetKind) throws -> (document: YAMLNode, used: [Int]) {
    let mapping = try seedMapping()
    var document = try yaml(text)
    var usage = MappingUsage()
    Retargeter(mapping: mapping).retarget(&document, kind: kind, usage: &usage)
    return (document, mapping.entries.map(\.id).filter { usage.contains($0) })
}

@Suite("Retargeter")
struct RetargeterTests {
    @Test("database: database_name and the database of sqlalchemy_uri, nothing else of the URI")
    func database() throws {
        let result = try retarget(
            """
            database_name: analytics_dev
            sqlalchemy_uri: postgresql+psycopg2://analytics_dev:pa/ss@analytics_dev.internal:5432/analytics_dev?sslmode=require&application_name=analytics_dev
            """, kind: .database)
        #expect(
            result.document
                == (try yaml(
                    """
                    database_name: client_a_warehouse
                    sqlalchemy_uri: postgresql+psycopg2://analytics_dev:pa/ss@analytics_dev.internal:5432/client_a_warehouse?sslmode=require&application_name=analytics_dev
                    """)))
        #expect(result.used == [0])
        #expect(result.document.mappingValue?["database_name"]?.mark == YAMLMark(line: 1, column: 16))
    }

    @Test("database: other names, a host that contains the name and a URI without a database are left alone")
    func databaseUnchanged() throws {
        let text = """
            database_name: analytics_dev_2
            sqlalchemy_uri: postgresql://user:secret@analytics_dev.example.com:5432/analytics?options=analytics_dev
            """
        let result = try retarget(text, kind: .database)
        #expect(result.document == (try yaml(text)))
        #expect(result.used == [])
        for uri in [
            "postgresql://analytics_dev:5432", "postgresql://analytics_dev@h?db=analytics_dev", "analytics_dev",
        ] {
            let node = try retarget("sqlalchemy_uri: '\(uri)'", kind: .database).document
            #expect(node.mappingValue?["sqlalchemy_uri"]?.stringValue == uri)
        }
    }

    @Test(
        "the database segment of a SQLAlchemy URL is found as make_url finds it",
        arguments: [
            ("postgresql://u:p@h:5432/db?x=1", "db"),
            ("postgresql+psycopg2://u:p/w@h/db", "db"),
            ("mysql://u@h/db", "db"),
            ("mysql://a@b@h/db", "db"),
            ("postgresql://h/db", "db"),
            ("postgresql://h:5432/", ""),
            ("sqlite:///analytics.db", "analytics.db"),
            ("sqlite:////var/data/analytics.db", "/var/data/analytics.db"),
            ("bigquery://project/dataset/extra", "dataset/extra"),
            ("postgresql://[::1]:5432/db", "db"),
            ("trino://u@h:8080/hive?catalog=x/y", "hive"),
            ("postgresql://ü:p@hôst/dåtabase?x=é", "dåtabase"),
        ])
    func uriDatabase(uri: String, database: String) {
        let bytes = Array(uri.utf8)
        #expect(Retargeter.databaseRange(inURI: bytes).map { String(decoding: bytes[$0], as: UTF8.self) } == database)
    }

    @Test(
        "a URL without a database segment has none",
        arguments: [
            "postgresql://h:5432", "postgresql://h?db=x/y", "no-scheme/db", "", "postgresql://u:p@h?x=/db", "://",
        ])
    func uriWithoutDatabase(uri: String) {
        #expect(Retargeter.databaseRange(inURI: Array(uri.utf8)) == nil)
    }

    @Test("dataset: database, schema, table, columns, time column, metric names, and column identifiers in SQL")
    func dataset() throws {
        let result = try retarget(
            """
            table_name: fact_sales
            schema: public
            database: analytics_dev
            main_dttm_col: order_date
            sql: SELECT customer_id, customer_id_2, 'customer_id' AS label FROM public.fact_sales -- customer_id
            columns:
            - column_name: customer_id
              type: INT
            - column_name: customer_id_2
            - column_name: order_date
              expression: null
            metrics:
            - metric_name: Total Revenue
              expression: SUM(amount) FILTER (WHERE customer_id IS NOT NULL)
            - metric_name: Orders
              expression: COUNT(*)
            uuid: 11111111-2222-3333-4444-555555555555
            """, kind: .dataset)
        #expect(
            result.document
                == (try yaml(
                    """
                    table_name: client_a_transactions
                    schema: analytics
                    database: client_a_warehouse
                    main_dttm_col: transaction_date
                    sql: SELECT client_customer_id, customer_id_2, 'customer_id' AS label FROM public.fact_sales -- customer_id
                    columns:
                    - column_name: client_customer_id
                      type: INT
                    - column_name: customer_id_2
                    - column_name: transaction_date
                      expression: null
                    metrics:
                    - metric_name: Client A Revenue
                      expression: SUM(amount) FILTER (WHERE client_customer_id IS NOT NULL)
                    - metric_name: Orders
                      expression: COUNT(*)
                    uuid: 11111111-2222-3333-4444-555555555555
                    """)))
        #expect(result.used == [0, 1, 2, 3, 4, 5])
        let columns = try #require(result.document.mappingValue?["columns"]?.sequenceValue)
        #expect(columns[0].mappingValue?["column_name"]?.mark == YAMLMark(line: 7, column: 16))
    }

    @Test("dataset: names that differ from the source, and values of unexpected types, stay")
    func datasetUnchanged() throws {
        let text = """
            table_name: fact_sales_2
            schema: Public
            database: analytics
            main_dttm_col: [order_date]
            sql: null
            columns: {column_name: customer_id}
            metrics:
            - metric_name: total revenue
              expression: "'customer_id' || customer_id_2"
            - not a metric
            - {metric_name: 5, expression: 7}
            """
        let result = try retarget(text, kind: .dataset)
        #expect(result.document == (try yaml(text)))
        #expect(result.used == [])
    }

    @Test("chart: datasource, x axis, group-by, columns, filter subjects and metric names")
    func chart() throws {
        let result = try retarget(
            """
            slice_name: Revenue by customer
            datasource: fact_sales
            viz_type: echarts_timeseries_bar
            params:
              x_axis: order_date
              groupby: [customer_id, region]
              columns: [customer_id_2, order_date, {label: x, sqlExpression: customer_id}]
              adhoc_filters:
              - subject: customer_id
                operator: IN
                comparator: [customer_id]
              - subject: region
              metrics:
              - Total Revenue
              - {label: Total Revenue, expressionType: SQL, sqlExpression: SUM(customer_id)}
              - Orders
            """, kind: .chart)
        #expect(
            result.document
                == (try yaml(
                    """
                    slice_name: Revenue by customer
                    datasource: client_a_transactions
                    viz_type: echarts_timeseries_bar
                    params:
                      x_axis: transaction_date
                      groupby: [client_customer_id, region]
                      columns: [customer_id_2, transaction_date, {label: x, sqlExpression: customer_id}]
                      adhoc_filters:
                      - subject: client_customer_id
                        operator: IN
                        comparator: [customer_id]
                      - subject: region
                      metrics:
                      - Client A Revenue
                      - {label: Total Revenue, expressionType: SQL, sqlExpression: SUM(customer_id)}
                      - Orders
                    """)))
        #expect(result.used == [2, 3, 4, 5])
    }

    @Test("chart: a datasource that is not in the mapping and unexpected shapes stay")
    func chartUnchanged() throws {
        for text in [
            "datasource: other_table\nparams: {x_axis: region, groupby: customer_id}\n",
            "datasource: [fact_sales]\nparams: [customer_id]\n",
            "params: {adhoc_filters: [{subject: [customer_id]}], metrics: {Total Revenue: 1}}\n",
        ] {
            let result = try retarget(text, kind: .chart)
            #expect(result.document == (try yaml(text)))
            #expect(result.used == [])
        }
    }

    @Test("dashboard: native filter target columns and datasets")
    func dashboard() throws {
        let result = try retarget(
            """
            dashboard_title: Sales
            metadata:
              native_filter_configuration:
              - id: f1
                targets:
                - dataset: fact_sales
                  column: {name: customer_id}
                - dataset: other
                  column: {name: region}
              - id: f2
                targets: not-a-list
              - id: f3
              color_scheme: customer_id
            position: {CHART-1: {meta: {sliceName: customer_id}}}
            """, kind: .dashboard)
        #expect(
            result.document
                == (try yaml(
                    """
                    dashboard_title: Sales
                    metadata:
                      native_filter_configuration:
                      - id: f1
                        targets:
                        - dataset: client_a_transactions
                          column: {name: client_customer_id}
                        - dataset: other
                          column: {name: region}
                      - id: f2
                        targets: not-a-list
                      - id: f3
                      color_scheme: customer_id
                    position: {CHART-1: {meta: {sliceName: customer_id}}}
                    """)))
        #expect(result.used == [2, 3])
    }

    @Test("each kind applies only its own rules")
    func kindsAreSeparate() throws {
        let text = """
            database_name: analytics_dev
            table_name: fact_sales
            datasource: fact_sales
            schema: public
            """
        #expect(
            try retarget(text, kind: .database).document
                == (try yaml(
                    "database_name: client_a_warehouse\ntable_name: fact_sales\ndatasource: fact_sales\nschema: public\n"
                )))
        #expect(
            try retarget(text, kind: .chart).document
                == (try yaml(
                    "database_name: analytics_dev\ntable_name: fact_sales\ndatasource: client_a_transactions\n"
                        + "schema: public\n")))
        #expect(try retarget(text, kind: .dashboard).document == (try yaml(text)))
    }

    @Test("documents that are not mappings are left as they are", arguments: AssetKind.allCases)
    func notMappings(kind: AssetKind) throws {
        for text in ["[fact_sales, customer_id]", "fact_sales", "42", "null", "{params: null, metadata: 3}"] {
            let result = try retarget(text, kind: kind)
            #expect(result.document == (try yaml(text)))
            #expect(result.used == [])
        }
    }

    @Test("a name that maps to itself counts as used and changes nothing")
    func identityRename() throws {
        let text = """
            source:
              columns: {region: region}
            target:
              columns: {region: region}
            """
        let mapping = try TenantMapping.parse(Array(text.utf8), path: "mappings/same.yaml")
        var usage = MappingUsage()
        var chart = try yaml("params: {groupby: [region]}")
        Retargeter(mapping: mapping).retarget(&chart, kind: .chart, usage: &usage)
        #expect(chart == (try yaml("params: {groupby: [region]}")))
        #expect(usage.contains(0))
        var dataset = try yaml("sql: SELECT region FROM t")
        var sqlUsage = MappingUsage()
        Retargeter(mapping: mapping).retarget(&dataset, kind: .dataset, usage: &sqlUsage)
        #expect(dataset == (try yaml("sql: SELECT region FROM t")))
        #expect(sqlUsage == usage)
        #expect(usage.unusedEntryWarnings(for: mapping).isEmpty)
    }

    @Test("usage across a bundle: entries nothing matched are reported at their lines")
    func bundleUsage() throws {
        let mapping = try seedMapping()
        let retargeter = Retargeter(mapping: mapping)
        var total = MappingUsage()
        for (kind, text) in [
            (AssetKind.chart, "datasource: fact_sales\nparams: {x_axis: order_date}\n"),
            (AssetKind.dashboard, "metadata: {native_filter_configuration: [{targets: [{dataset: other}]}]}\n"),
        ] {
            var document = try yaml(text)
            var usage = MappingUsage()
            retargeter.retarget(&document, kind: kind, usage: &usage)
            total.formUnion(usage)
        }
        #expect(
            total.unusedEntryWarnings(for: mapping).map(\.description) == [
                "mappings/client_a.yaml:2:3: warning: source database 'analytics_dev' matches nothing in the bundle",
                "mappings/client_a.yaml:3:3: warning: source schema 'public' matches nothing in the bundle",
                "mappings/client_a.yaml:7:5: warning: source column 'customer_id' (columns.customer_id) "
                    + "matches nothing in the bundle",
                "mappings/client_a.yaml:18:3: warning: metric 'Total Revenue' matches nothing in the bundle",
            ])
    }
}
