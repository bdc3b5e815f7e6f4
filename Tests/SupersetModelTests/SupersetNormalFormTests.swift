import HybridYAML
import Testing

@testable import SupersetModel

@Suite("Superset normal form")
struct SupersetNormalFormTests {
    private func normal(_ text: String, _ kind: AssetKind) throws -> String {
        var dropped: [SupersetNormalForm.Dropped] = []
        let node = try #require(try YAMLParser.parseDocument(text, file: "x.yaml"))
        return YAMLEmitter.emitString(SupersetNormalForm.normalize(node, kind: kind, dropped: &dropped))
    }

    /// A dataset as Superset 6.1's export writes it (every default spelled out, columns reordered).
    static let exportedDataset = """
        always_filter_main_dttm: false
        cache_timeout: null
        catalog: null
        columns:
        - advanced_data_type: null
          column_name: revenue
          datetime_format: null
          description: null
          expression: null
          extra: null
          filterable: true
          groupby: true
          is_active: true
          is_dttm: false
          python_date_format: null
          type: REAL
          verbose_name: null
        - advanced_data_type: null
          column_name: order_date
          datetime_format: null
          description: null
          expression: null
          extra: {}
          filterable: true
          groupby: false
          is_active: true
          is_dttm: true
          python_date_format: null
          type: TIMESTAMP
          verbose_name: null
        currency_code_column: null
        database_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60
        default_endpoint: null
        description: null
        extra: '{"warning_markdown": "x"}'
        fetch_values_predicate: null
        filter_select_enabled: true
        folders: null
        main_dttm_col: order_date
        metrics:
        - currency: null
          d3format: ',.2f'
          description: null
          expression: SUM(revenue)
          extra: null
          metric_name: Total Revenue
          metric_type: null
          verbose_name: null
          warning_text: null
        normalize_columns: false
        offset: 0
        params: null
        schema: main
        sql: null
        table_name: fact_sales
        template_params: null
        uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5
        version: 1.0.0

        """

    @Test("an exported dataset loses its defaults, its columns are sorted, JSON strings decoded")
    func exportedDataset() throws {
        #expect(
            try normal(Self.exportedDataset, .dataset) == """
                columns:
                  - column_name: order_date
                    extra: {}
                    groupby: false
                    is_dttm: true
                    type: TIMESTAMP
                  - column_name: revenue
                    type: REAL
                database_uuid: 9a0b3b2e-8f6e-5a44-9a2b-3f1c2d4e5f60
                extra:
                  warning_markdown: x
                main_dttm_col: order_date
                metrics:
                  - d3format: ',.2f'
                    expression: SUM(revenue)
                    metric_name: Total Revenue
                schema: main
                table_name: fact_sales
                uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5
                version: 1.0.0

                """)
    }

    @Test("server-local ids and defaults leave charts, dashboards and databases")
    func serverLocal() throws {
        #expect(
            try normal(
                "slice_name: A\nviz_type: table\nparams: {datasource: 3__table, annotation_layers: [], row_limit: 10}\n"
                    + "cache_timeout: null\ndescription: null\nquery_context: null\ndataset_uuid: u\nuuid: c\nversion: 1.0.0\n",
                .chart)
                == "dataset_uuid: u\nparams:\n  row_limit: 10\nslice_name: A\nuuid: c\nversion: 1.0.0\nviz_type: table\n"
        )
        #expect(
            try normal(
                "dashboard_title: D\npublished: false\ncss: null\nslug: null\nmetadata: {native_filter_configuration: []}\n"
                    + "position: {CHART-1: {type: CHART, id: CHART-1, meta: {chartId: 12, uuid: c, sliceName: A}}}\n",
                .dashboard)
                == "dashboard_title: D\nposition:\n  CHART-1:\n    id: CHART-1\n    meta:\n      sliceName: A\n      uuid: c\n    type: CHART\n"
        )
        #expect(
            try normal(
                "database_name: a\nsqlalchemy_uri: postgresql://scott:XXXXXXXXXX@h/db\nallow_file_upload: true\n"
                    + "expose_in_sqllab: true\nimpersonate_user: false\nconfiguration_method: sqlalchemy_form\nextra: {}\n",
                .database) == "database_name: a\nextra: {}\nsqlalchemy_uri: postgresql://scott@h/db\n")
    }

    @Test("normalizing twice changes nothing; the transport form normalizes back to the normal form")
    func idempotentAndTransport() throws {
        for (text, kind) in [
            (Self.exportedDataset, AssetKind.dataset),
            ("dashboard_title: D\nposition: {CHART-1: {type: CHART, meta: {uuid: c}}}\n", .dashboard),
            ("slice_name: A\nviz_type: table\nparams: {x: 1}\ndataset_uuid: u\n", .chart),
            ("database_name: a\nsqlalchemy_uri: postgresql://scott@h/db\nextra: {}\ncache_timeout: 30\n", .database),
        ] {
            var dropped: [SupersetNormalForm.Dropped] = []
            let node = try #require(try YAMLParser.parseDocument(text, file: "x.yaml"))
            let once = SupersetNormalForm.normalize(node, kind: kind, dropped: &dropped)
            let twice = SupersetNormalForm.normalize(once, kind: kind, dropped: &dropped)
            #expect(YAMLEmitter.emitString(once) == YAMLEmitter.emitString(twice))
            let transport = SupersetNormalForm.transport(once, kind: kind, hasPassword: true)
            #expect(YAMLEmitter.emitString(transport) != YAMLEmitter.emitString(once))
            let back = SupersetNormalForm.normalize(transport, kind: kind, dropped: &dropped)
            #expect(YAMLEmitter.emitString(back) == YAMLEmitter.emitString(once))
        }
    }

    @Test("the transport form spells out every default and numbers the position's charts")
    func transport() throws {
        let node = try #require(
            try YAMLParser.parseDocument(
                "dashboard_title: D\nposition: {C: {type: CHART, meta: {uuid: c}}}\n", file: "x"))
        let sent = YAMLEmitter.emitString(SupersetNormalForm.transport(node, kind: .dashboard))
        #expect(sent.contains("      chartId: 1\n"))
        #expect(sent.contains("metadata:\n  native_filter_configuration: []\n"))
        #expect(sent.contains("published: false\n"))
        #expect(sent.contains("description: null\n"))
        #expect(
            SupersetNormalForm.withPasswordMask("postgresql://scott@h:5432/db")
                == "postgresql://scott:XXXXXXXXXX@h:5432/db")
        #expect(SupersetNormalForm.withPasswordMask("sqlite:///x.db") == "sqlite:///x.db")
    }

    @Test("chart ids in dashboard metadata become the charts' uuids, and the transport form's chartIds again")
    func chartReferences() throws {
        // As Superset's export writes it: server ids 57 and 58 in the metadata and the position.
        let exported = """
            dashboard_title: D
            metadata:
              expanded_slices: {"57": true}
              timed_refresh_immune_slices: [58]
              chart_configuration:
                "57": {id: 57, crossFilters: {scope: {rootPath: [ROOT_ID], excluded: [57, 99]}}}
              global_chart_configuration: {scope: {rootPath: [ROOT_ID], excluded: [58]}}
              native_filter_configuration:
              - {id: f, scope: {rootPath: [ROOT_ID], excluded: [58]}}
            position:
              A: {type: CHART, id: A, meta: {chartId: 57, uuid: 11111111-1111-4111-8111-111111111111}}
              B: {type: CHART, id: B, meta: {chartId: 58, uuid: 22222222-2222-4222-8222-222222222222}}

            """
        let first = "11111111-1111-4111-8111-111111111111"
        let second = "22222222-2222-4222-8222-222222222222"
        var dropped: [SupersetNormalForm.Dropped] = []
        let node = try #require(try YAMLParser.parseDocument(exported, file: "x.yaml"))
        let normal = SupersetNormalForm.normalize(node, kind: .dashboard, dropped: &dropped)
        let text = YAMLEmitter.emitString(normal)
        #expect(text.contains("expanded_slices:\n    \(first): true\n"))
        #expect(text.contains("timed_refresh_immune_slices:\n    - \(second)\n"))
        #expect(text.contains("  chart_configuration:\n    \(first):\n"))
        #expect(text.contains("      id: \(first)\n"))
        #expect(text.contains("excluded:\n            - \(first)\n            - 99\n"))  // 99 is no chart of it
        #expect(!text.contains("57") && !text.contains("58"))
        let metadata = try #require(normal.mappingValue?["metadata"]?.mappingValue)
        let filter = try #require(metadata["native_filter_configuration"]?.sequenceValue?.first?.mappingValue)
        #expect(filter["scope"]?.mappingValue?["excluded"]?.sequenceValue?.first?.stringValue == second)

        // Sent: the position's charts numbered 1, 2 and the metadata pointing at those numbers.
        let sent = SupersetNormalForm.transport(normal, kind: .dashboard)
        let sentText = YAMLEmitter.emitString(sent)
        #expect(sentText.contains("expanded_slices:\n    '1': true\n"))
        #expect(sentText.contains("timed_refresh_immune_slices:\n    - 2\n"))
        #expect(sentText.contains("      chartId: 1\n") && sentText.contains("      chartId: 2\n"))
        #expect(!sentText.contains(first + ": true") && !sentText.contains("- " + second))
        // And normalized again (what an export of that import reads as): the same normal form.
        #expect(YAMLEmitter.emitString(SupersetNormalForm.normalize(sent, kind: .dashboard, dropped: &dropped)) == text)
    }

    @Test("a column's null is_active or is_dttm is the default, as Superset's import stores it (the export has no key)")
    func nullAsDefault() throws {
        let text =
            "columns:\n- {column_name: a, is_active: null, is_dttm: null, type: TEXT}\n- {column_name: b, is_dttm: true}\n"
        let normal = try normal(text, .dataset)
        #expect(normal == "columns:\n  - column_name: a\n    type: TEXT\n  - column_name: b\n    is_dttm: true\n")
        // A key whose default is null itself (type) is left out as before.
        #expect(
            try self.normal("columns:\n- {column_name: a, type: null}\n", .dataset) == "columns:\n  - column_name: a\n")
    }
}
