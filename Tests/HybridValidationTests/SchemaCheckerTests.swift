import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel
import Testing

@testable import HybridValidation

/// A valid compiled bundle of environment `prod` (line numbers and columns matter to the tests).
enum ValidationFixture {
    static let files: [(path: String, text: String)] = [
        (
            "metadata.yaml",
            """
            version: 1.0.0
            type: assets

            """
        ),
        (
            "databases/analytics.yaml",
            """
            database_name: analytics_prod
            sqlalchemy_uri: postgresql+psycopg2://db-prod.example.com/analytics_prod
            cache_timeout: null
            expose_in_sqllab: false
            extra: {metadata_params: {}, engine_params: {}}
            uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60
            version: 1.0.0

            """
        ),
        (
            "datasets/fact.yaml",
            """
            table_name: fact_sales
            schema: public
            database_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60
            main_dttm_col: order_date
            columns: [{column_name: order_date, is_dttm: true, type: TIMESTAMP}, {column_name: brand, filterable: true, groupby: true}]
            metrics: [{metric_name: Total Revenue, expression: SUM(revenue), d3format: ',.2f'}]
            uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5
            version: 1.0.0

            """
        ),
        (
            "charts/revenue.yaml",
            """
            slice_name: Revenue (prod)
            viz_type: echarts_timeseries_line
            dataset_uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5
            cache_timeout: null
            params: {x_axis: order_date, groupby: [brand], metrics: [Total Revenue], adhoc_filters: [], row_limit: 1000}
            uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5d
            version: 1.0.0

            """
        ),
        (
            "dashboards/overview.yaml",
            """
            dashboard_title: Overview (prod)
            slug: overview-prod
            css: ''
            metadata: {native_filter_configuration: [{id: f1, name: Date, filterType: filter_time, targets: [{datasetUuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5, column: {name: order_date}}]}]}
            position: {ROOT_ID: {type: ROOT, id: ROOT_ID, children: [GRID_ID]}, GRID_ID: {type: GRID, id: GRID_ID, children: [CHART-1]}, CHART-1: {type: CHART, id: CHART-1, meta: {uuid: 886313e1-3b8a-5372-9b90-0c9aee199e5d, sliceName: Revenue (prod)}}}
            uuid: 350c6781-eb22-5309-b551-110984bb10ea
            version: 1.0.0

            """
        ),
    ]

    static func text(_ path: String) -> String {
        files.first { $0.path == path }!.text
    }

    static func document(_ path: String, _ text: String) throws -> BundleDocument {
        let node = try YAMLParser.parseDocument(Array(text.utf8), file: path)!
        return BundleDocument(path: path, node: node, kind: BundleDocument.kind(forPath: path))
    }

    /// The bundle, with `path`'s text edited by `edits` (each replacing one exact, unique piece of text) and
    /// `extra` files added.
    static func bundle(
        editing path: String? = nil, _ edits: [(String, String)] = [], adding extra: [(String, String)] = []
    ) throws -> [BundleDocument] {
        try (files + extra).map { file in
            var text = file.text
            if file.path == path {
                for (old, new) in edits {
                    precondition(text.components(separatedBy: old).count == 2, "'\(old)' must occur once")
                    text = text.replacingOccurrences(of: old, with: new)
                }
            }
            return try document(file.path, text)
        }
    }

    /// One fixture file, edited.
    static func edited(_ path: String, _ edits: [(String, String)]) throws -> BundleDocument {
        try bundle(editing: path, edits).first { $0.path == path }!
    }

    static let validator = BundleValidator(
        environment: "prod", environments: ["dev", "staging", "prod"], policy: BundlePolicy())
}

/// `path:line:column keyPath: message` — one finding on one line, for exact comparisons.
func renderFindings(_ findings: [ValidationFinding]) -> [String] {
    findings.map { "\($0.path):\($0.line):\($0.column) \($0.keyPath): \($0.message)" }
}

private func schemaFindings(_ document: BundleDocument) -> [String] {
    renderFindings(SchemaChecker().check(document))
}

private func schemaFindings(_ path: String, _ text: String) throws -> [String] {
    schemaFindings(try ValidationFixture.document(path, text))
}

@Suite("SchemaChecker")
struct ValidationSchemaCheckerTests {
    @Test("the example bundle passes every check, document and bundle level")
    func validBundle() throws {
        let documents = try ValidationFixture.bundle()
        for document in documents {
            #expect(ValidationFixture.validator.checkDocument(document).isEmpty, "\(document.path)")
        }
        #expect(ValidationFixture.validator.checkBundle(documents).isEmpty)
        #expect(ValidationFixture.validator.check(documents).isEmpty)
    }

    @Test("an unknown key is reported at the key, listing the allowed keys sorted")
    func unknownKey() throws {
        let document = try ValidationFixture.edited("charts/revenue.yaml", [("cache_timeout: null\n", "owner: x\n")])
        #expect(
            schemaFindings(document) == [
                "charts/revenue.yaml:4:1 owner: unknown key 'owner'; allowed keys: cache_timeout, "
                    + "certification_details, certified_by, dataset_uuid, description, external_url, "
                    + "is_managed_externally, params, query_context, slice_name, tags, uuid, version, viz_type"
            ])
    }

    @Test("a misspelt key gets a suggestion; a non-string key is unknown too")
    func unknownKeySuggestion() throws {
        let findings = try schemaFindings(
            "datasets/x.yaml",
            """
            table_name: t
            databse_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60
            uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5
            version: 1.0.0
            7: seven

            """)
        #expect(findings.count == 3)
        #expect(findings[0] == "datasets/x.yaml:1:1 database_uuid: missing required key 'database_uuid'")
        #expect(findings[1].hasPrefix("datasets/x.yaml:2:1 databse_uuid: unknown key 'databse_uuid' (did you mean "))
        #expect(findings[1].contains("(did you mean 'database_uuid'?); allowed keys: always_filter_main_dttm, "))
        #expect(findings[2].hasPrefix("datasets/x.yaml:5:1 7: unknown key '7'; allowed keys: "))
    }

    @Test("a missing required key is reported at the mapping that lacks it")
    func missingRequired() throws {
        let document = try ValidationFixture.edited("charts/revenue.yaml", [("slice_name: Revenue (prod)\n", "")])
        #expect(schemaFindings(document) == ["charts/revenue.yaml:1:1 slice_name: missing required key 'slice_name'"])
    }

    @Test("an integer field rejects a string that is not an integer, and accepts one that is")
    func wrongType() throws {
        let bad = try ValidationFixture.edited("charts/revenue.yaml", [("cache_timeout: null", "cache_timeout: \"x\"")])
        #expect(
            schemaFindings(bad) == ["charts/revenue.yaml:4:16 cache_timeout: expected an integer, got the string 'x'"])
        for accepted in ["' 12 '", "1_000", "-3", "86400.9", "123456789012345678901234567890"] {
            let good = try ValidationFixture.edited(
                "charts/revenue.yaml", [("cache_timeout: null", "cache_timeout: \(accepted)")])
            #expect(schemaFindings(good).isEmpty, "\(accepted)")
        }
        for rejected in ["true", "'1.5'", "'1__0'", "[1]", ".nan", "2024-01-01"] {
            let bad = try ValidationFixture.edited(
                "charts/revenue.yaml", [("cache_timeout: null", "cache_timeout: \(rejected)")])
            #expect(schemaFindings(bad).count == 1, "\(rejected)")
        }
        let infinite = try ValidationFixture.edited(
            "charts/revenue.yaml", [("cache_timeout: null", "cache_timeout: .inf")])
        #expect(schemaFindings(infinite) == ["charts/revenue.yaml:4:16 cache_timeout: number too large"])
    }

    @Test("null is rejected where the field does not allow it, accepted where it does")
    func nullHandling() throws {
        let null = try ValidationFixture.edited(
            "charts/revenue.yaml",
            [
                (
                    "params: {x_axis: order_date, groupby: [brand], metrics: [Total Revenue], adhoc_filters: [], row_limit: 1000}",
                    "params: null"
                )
            ])
        #expect(schemaFindings(null) == ["charts/revenue.yaml:5:9 params: may not be null"])
        // description allows null; dataset `params` does too.
        let allowed = try ValidationFixture.edited(
            "charts/revenue.yaml", [("cache_timeout: null", "description: null")])
        #expect(schemaFindings(allowed).isEmpty)
    }

    @Test("metadata.yaml: version must be the string 1.0.0 and type 'assets'")
    func metadata() throws {
        #expect(
            try schemaFindings(
                BundleDocument(path: "metadata.yaml", node: parse("version: 1.0\ntype: assets\n"), kind: nil))
                == ["metadata.yaml:1:10 version: expected a string, got the float 1.0 (quote it to keep it a string)"])
        #expect(
            try schemaFindings(
                BundleDocument(path: "metadata.yaml", node: parse("version: '1.0'\ntype: Slice\n"), kind: nil))
                == [
                    "metadata.yaml:1:10 version: must be '1.0.0', got the string '1.0'",
                    "metadata.yaml:2:7 type: must be 'assets' for the assets import, got the string 'Slice'",
                ])
        #expect(
            try schemaFindings(
                BundleDocument(path: "metadata.yaml", node: parse("type: assets\nextra: 1\n"), kind: nil))
                == [
                    "metadata.yaml:1:1 version: missing required key 'version'",
                    "metadata.yaml:2:1 extra: unknown key 'extra'; allowed keys: timestamp, type, version",
                ])
        // timestamp: an ISO 8601 string passes, an unquoted YAML timestamp (a datetime) does not.
        let quoted = "version: 1.0.0\ntimestamp: '2024-05-01T10:20:30.123456+00:00'\n"
        #expect(try schemaFindings(BundleDocument(path: "metadata.yaml", node: parse(quoted), kind: nil)).isEmpty)
        let unquoted = "version: 1.0.0\ntimestamp: 2024-05-01T10:20:30Z\n"
        #expect(
            try schemaFindings(BundleDocument(path: "metadata.yaml", node: parse(unquoted), kind: nil)).count == 1)
        let invalid = "version: 1.0.0\ntimestamp: '2024-02-30T10:20'\n"
        #expect(
            try schemaFindings(BundleDocument(path: "metadata.yaml", node: parse(invalid), kind: nil)) == [
                "metadata.yaml:2:12 timestamp: '2024-02-30T10:20' is not an ISO 8601 date-time string "
                    + "(YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM])"
            ])
    }

    @Test("a boolean field accepts marshmallow's truthy and falsy words and 0/1, nothing else")
    func booleans() throws {
        for accepted in ["'yes'", "'On'", "'n'", "'FALSE'", "'1'", "1", "0", "1.0", "true"] {
            let document = try ValidationFixture.edited(
                "databases/analytics.yaml", [("expose_in_sqllab: false", "expose_in_sqllab: \(accepted)")])
            #expect(schemaFindings(document).isEmpty, "\(accepted)")
        }
        for rejected in ["'maybe'", "'yEs'", "2", "''"] {
            let document = try ValidationFixture.edited(
                "databases/analytics.yaml", [("expose_in_sqllab: false", "expose_in_sqllab: \(rejected)")])
            #expect(schemaFindings(document).count == 1, "\(rejected)")
        }
    }

    @Test("a nested list element of the wrong type is reported with its key path")
    func nestedColumns() throws {
        let document = try ValidationFixture.edited(
            "datasets/fact.yaml",
            [("{column_name: brand, filterable: true", "{column_name: brand, is_dttm: 3, filterable: true")])
        #expect(
            schemaFindings(document) == [
                "datasets/fact.yaml:5:100 columns[1].is_dttm: expected a boolean, got the integer 3"
            ])
        let missing = try ValidationFixture.edited("datasets/fact.yaml", [("expression: SUM(revenue), ", "")])
        #expect(
            schemaFindings(missing) == [
                "datasets/fact.yaml:6:11 metrics[0].expression: missing required key 'expression'"
            ])
    }

    @Test("dataset extra may be a JSON string of a mapping; invalid JSON or another type is rejected")
    func jsonStringExtra() throws {
        let accepted = try ValidationFixture.edited(
            "datasets/fact.yaml",
            [
                (
                    "schema: public\n",
                    "schema: public\nextra: '{\"warning_markdown\": \"careful\", \"n\": [1, 2.5, true, null]}'\n"
                )
            ])
        #expect(schemaFindings(accepted).isEmpty)
        let invalid = try ValidationFixture.edited(
            "datasets/fact.yaml", [("schema: public\n", "schema: public\nextra: '{oops'\n")])
        #expect(
            schemaFindings(invalid) == [
                "datasets/fact.yaml:3:8 extra: a string here is decoded as JSON, and '{oops' is not valid JSON"
            ])
        let list = try ValidationFixture.edited(
            "datasets/fact.yaml", [("schema: public\n", "schema: public\nextra: '[1]'\n")])
        #expect(schemaFindings(list) == ["datasets/fact.yaml:3:8 extra: expected a mapping, got a list"])
        // The database extra's schemas_allowed_for_csv_upload may be a JSON list (under its old name, too).
        let csv = try ValidationFixture.edited(
            "databases/analytics.yaml",
            [("engine_params: {}}", "engine_params: {}, schemas_allowed_for_file_upload: '[\"a\", 1]'}")])
        #expect(
            schemaFindings(csv) == [
                "databases/analytics.yaml:5:82 extra.schemas_allowed_for_file_upload[1]: expected a string, "
                    + "got the integer 1 (quote it to keep it a string)"
            ])
    }

    @Test("nested schemas, dict key and value kinds, aliases and enumerations of the database schema")
    func databaseSchema() throws {
        let document = try ValidationFixture.edited(
            "databases/analytics.yaml",
            [
                (
                    "extra: {metadata_params: {}, engine_params: {}}",
                    "extra: {metadata_cache_timeout: {a: x, 1: 2}, engine_params: {k: null}, bogus: 1}"
                ),
                ("cache_timeout: null\n", "allow_file_upload: 'yes'\nconfiguration_method: form\n"),
            ])
        #expect(
            schemaFindings(document) == [
                "databases/analytics.yaml:4:23 configuration_method: must be one of 'sqlalchemy_form', 'dynamic_form', "
                    + "got the string 'form'",
                "databases/analytics.yaml:6:37 extra.metadata_cache_timeout.a: expected an integer, got the string 'x'",
                "databases/analytics.yaml:6:40 extra.metadata_cache_timeout.1: key: expected a string, got the integer 1 "
                    + "(quote it to keep it a string)",
                "databases/analytics.yaml:6:66 extra.engine_params.k: may not be null",
                "databases/analytics.yaml:6:73 extra.bogus: unknown key 'bogus'; allowed keys: allow_multi_catalog, "
                    + "allows_virtual_table_explore, cancel_query_on_windows_unload, cost_estimate_enabled, "
                    + "disable_data_preview, disable_drill_to_detail, engine_params, metadata_cache_timeout, "
                    + "metadata_params, per_user_caching, schema_options, schemas_allowed_for_csv_upload, "
                    + "schemas_allowed_for_file_upload, version",
            ])
        let both = try ValidationFixture.edited(
            "databases/analytics.yaml",
            [("cache_timeout: null\n", "allow_csv_upload: false\nallow_file_upload: true\n")])
        #expect(
            renderFindings(SchemaChecker().check(both)) == [
                "databases/analytics.yaml:4:1 allow_file_upload: 'allow_file_upload' is an old name of "
                    + "'allow_csv_upload', which is also set; Superset keeps the value of 'allow_file_upload'"
            ])
        #expect(SchemaChecker().check(both).map(\.severity) == [.warning])
    }

    @Test("uuid fields take what Python's uuid.UUID parses, as strings only")
    func uuids() throws {
        for accepted in [
            "9A0B3B2E-8F6E-5A44-9A2B-3F1C2D4E5F60", "'{9a0b3b2e8f6e5a449a2b3f1c2d4e5f60}'",
            "urn:uuid:9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60",
        ] {
            let document = try ValidationFixture.edited(
                "databases/analytics.yaml", [("uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60", "uuid: \(accepted)")])
            #expect(schemaFindings(document).isEmpty, "\(accepted)")
        }
        let bad = try ValidationFixture.edited(
            "databases/analytics.yaml",
            [("uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60", "uuid: 9a0b3b2e-8f6e-5a44-9a2b")])
        #expect(
            schemaFindings(bad) == ["databases/analytics.yaml:6:7 uuid: '9a0b3b2e-8f6e-5a44-9a2b' is not a valid UUID"])
        let number = try ValidationFixture.edited(
            "databases/analytics.yaml", [("uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60", "uuid: 12")])
        #expect(
            schemaFindings(number) == ["databases/analytics.yaml:6:7 uuid: expected a UUID string, got the integer 12"])
    }

    @Test("a string field rejects numbers, booleans and YAML dates, with a hint to quote them")
    func strings() throws {
        let document = try ValidationFixture.edited(
            "charts/revenue.yaml", [("viz_type: echarts_timeseries_line", "viz_type: 2024-01-31\ndescription: yes")])
        #expect(
            schemaFindings(document) == [
                "charts/revenue.yaml:2:11 viz_type: expected a string, got the date 2024-01-31 (quote it to keep it a string)",
                "charts/revenue.yaml:3:14 description: expected a string, got the boolean true (quote it to keep it a string)",
            ])
    }

    @Test("a document that is not a mapping, and the dataset URL field")
    func shapes() throws {
        #expect(try schemaFindings("charts/x.yaml", "- a\n") == ["charts/x.yaml:1:1 : expected a mapping, got a list"])
        let url = try ValidationFixture.edited(
            "datasets/fact.yaml", [("schema: public\n", "schema: public\ndata: not a url\n")])
        #expect(
            schemaFindings(url) == [
                "datasets/fact.yaml:3:7 data: 'not a url' is not an absolute http, https, ftp or ftps URL with a host"
            ])
        for accepted in ["https://example.com/x?y=1", "http://localhost:8088", "ftp://10.0.0.1/a"] {
            let good = try ValidationFixture.edited(
                "datasets/fact.yaml", [("schema: public\n", "schema: public\ndata: '\(accepted)'\n")])
            #expect(schemaFindings(good).isEmpty, "\(accepted)")
        }
        let scheme = try ValidationFixture.edited(
            "datasets/fact.yaml", [("schema: public\n", "schema: public\ndata: 'file://example.com/x'\n")])
        #expect(schemaFindings(scheme).count == 1)
    }

    @Test("a saved query is checked against its schema by directory, with length bounds")
    func savedQuery() throws {
        let long = String(repeating: "s", count: 129)
        let text = """
            sql: SELECT 1
            schema: \(long)
            label: ''
            uuid: 00000000-0000-0000-0000-000000000001
            version: 1.0.0

            """
        #expect(
            try schemaFindings("queries/q.yaml", text) == [
                "queries/q.yaml:1:1 database_uuid: missing required key 'database_uuid'",
                "queries/q.yaml:2:9 schema: must have at most 128 characters, has 129",
            ])
    }

    @Test("key paths quote keys that are not plain tokens")
    func keyPaths() {
        #expect(
            ValidationFinding.keyPath([.key("params"), .key("metrics"), .index(0), .key("column_name")])
                == "params.metrics[0].column_name")
        #expect(
            ValidationFinding.keyPath([.key("position"), .key("CHART-1"), .key("meta")]) == "position.CHART-1.meta")
        #expect(ValidationFinding.keyPath([.key("a.b"), .key("c d"), .key("\"q\"")]) == #"["a.b"]["c d"]["\"q\""]"#)
        #expect(ValidationFinding.keyPath([]) == "")
        #expect(ValidationFinding.keyPath([.key("")]) == #"[""]"#)
    }
}

private func parse(_ text: String) throws -> YAMLNode {
    try YAMLParser.parseDocument(Array(text.utf8), file: "metadata.yaml")!
}
