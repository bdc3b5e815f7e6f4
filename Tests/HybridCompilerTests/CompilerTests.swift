import Foundation
import HybridCache
import HybridTestSupport
import HybridYAML
import SupersetModel
import Testing

@testable import HybridCompiler

@Suite("Compiler")
struct CompilerTests {
    private func document(_ fixture: RepositoryFixture, _ path: String) throws -> YAMLMapping {
        try #require(YAMLParser.parseDocument(try fixture.read(path), file: path)?.mappingValue)
    }

    @Test("a compile links names to uuids in Superset's import form")
    func linksToImportForm() async throws {
        let fixture = try RepositoryFixture()
        let report = try await fixture.compile()
        #expect(report.errorCount == 0, "\(report.diagnostics)")
        let database = try document(fixture, "bundles/prod/databases/analytics.yaml")
        let dataset = try document(fixture, "bundles/prod/datasets/sales.yaml")
        let chart = try document(fixture, "bundles/prod/charts/revenue.yaml")
        let byTenant = try document(fixture, "bundles/prod/charts/by_tenant.yaml")
        let dashboard = try document(fixture, "bundles/prod/dashboards/overview.yaml")

        let databaseUUID = UUIDv5.make(namespace: UUIDv5.defaultNamespace, name: "prod;;databases/analytics.yaml")
            .uuidString.lowercased()
        #expect(database["uuid"]?.stringValue == databaseUUID)
        #expect(database["version"]?.stringValue == "1.0.0")
        #expect(dataset["database"] == nil)
        #expect(dataset["database_uuid"]?.stringValue == databaseUUID)
        #expect(chart["datasource"] == nil)
        #expect(chart["dataset_uuid"]?.stringValue == dataset["uuid"]?.stringValue)
        #expect(byTenant["dataset_uuid"]?.stringValue == dataset["uuid"]?.stringValue)
        #expect(chart["cache_timeout"]?.value == .int(3600))
        let position = try #require(dashboard["position"]?.mappingValue)
        #expect(
            position["CHART-1"]?.mappingValue?["meta"]?.mappingValue?["uuid"]?.stringValue == chart["uuid"]?.stringValue
        )
        let second = try #require(position["CHART-2"]?.mappingValue?["meta"]?.mappingValue)
        #expect(second["uuid"]?.stringValue == byTenant["uuid"]?.stringValue)
        #expect(second["chart"] == nil)
        #expect(try fixture.read("bundles/prod/metadata.yaml") == "type: assets\nversion: 1.0.0\n")
        let status = try #require(BundleStatus.load(at: fixture.root + "/bundles/.hybrid-status/prod.json"))
        #expect(status.state == .complete)
        #expect(status.outputs.contains("charts/revenue.yaml"))
    }

    @Test("a tenant bundle is retargeted and gets its own uuids, derived from template uuids when given")
    func tenantBundles() async throws {
        var files = RepositoryFixture.files
        files["assets/charts/revenue.yaml.j2"] =
            "uuid: 1b4db7eb-4057-5ddf-91e0-36dec72071f5\n" + files["assets/charts/revenue.yaml.j2"]!
        let fixture = try RepositoryFixture(files: files)
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0, "\(report.diagnostics)")
        let dataset = try document(fixture, "bundles/prod/client_a/datasets/sales.yaml")
        #expect(dataset["table_name"]?.stringValue == "client_a_sales")
        #expect(dataset["schema"]?.stringValue == "analytics")
        #expect(dataset["main_dttm_col"]?.stringValue == "txn_date")
        let tenantDatabase = try document(fixture, "bundles/prod/client_a/databases/analytics.yaml")
        #expect(dataset["database_uuid"]?.stringValue == tenantDatabase["uuid"]?.stringValue)
        let chart = try document(fixture, "bundles/prod/client_a/charts/revenue.yaml")
        #expect(chart["dataset_uuid"]?.stringValue == dataset["uuid"]?.stringValue)
        let expected = UUIDv5.make(
            namespace: UUID(uuidString: "1b4db7eb-4057-5ddf-91e0-36dec72071f5")!, name: "client_a")
        #expect(chart["uuid"]?.stringValue == expected.uuidString.lowercased())
        #expect(
            chart["params"]?.mappingValue?["metrics"] == YAMLNode(.sequence([YAMLNode(.string("Client A Revenue"))])))
        let other = try document(fixture, "bundles/prod/client_b/charts/revenue.yaml")
        #expect(other["uuid"]?.stringValue != chart["uuid"]?.stringValue)
        // client_b's vars override CACHE_TIMEOUT for its bundle only.
        #expect(other["cache_timeout"]?.value == .int(5))
        #expect(chart["cache_timeout"]?.value == .int(3600))
        let database = try document(fixture, "bundles/prod/client_b/databases/analytics.yaml")
        #expect(database["sqlalchemy_uri"]?.stringValue == "postgresql+psycopg2://db-prod.example.com/client_b_dw")
    }

    @Test("a second compile with nothing changed rebuilds nothing and rewrites nothing")
    func noOp() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let before = fixture.modificationTimes()
        let report = try await fixture.compile(mappings: .all)
        #expect(report.rebuilt == 0)
        #expect(report.written == 0)
        #expect(report.cached == report.nodes)
        #expect(fixture.modificationTimes() == before)
    }

    @Test("editing one chart template rewrites only that chart's outputs")
    func editOneChart() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let before = fixture.modificationTimes()
        try fixture.write(
            "assets/charts/by_tenant.yaml.j2",
            try fixture.read("assets/charts/by_tenant.yaml.j2").replacingOccurrences(
                of: "table", with: "pivot_table_v2"))
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0)
        #expect(report.written == 2)
        let after = fixture.modificationTimes()
        let changed = Set(after.keys.filter { after[$0] != before[$0] && !$0.hasPrefix(BundleStatus.directoryName) })
        #expect(changed == ["prod/client_a/charts/by_tenant.yaml", "prod/client_b/charts/by_tenant.yaml"])
        #expect(report.explanations.contains("render assets/charts/by_tenant.yaml.j2: template changed"))
        // client_b's vars are not read by this chart: its render is shared, not repeated.
        #expect(report.explanations.filter { $0.hasPrefix("render ") }.count == 1)
    }

    @Test("a variable read only by charts re-renders only the charts that read it")
    func variableReadOnlyByCharts() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile()
        try fixture.write(
            "env/prod.yaml", try fixture.read("env/prod.yaml").replacingOccurrences(of: "3600", with: "7200"))
        let report = try await fixture.compile()
        let renders = report.explanations.filter { $0.hasPrefix("render ") }
        #expect(renders == ["render assets/charts/revenue.yaml.j2: variable CACHE_TIMEOUT changed"])
        #expect(report.written == 1)
    }

    @Test("a changed include is named as the reason")
    func includeChanged() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile()
        try fixture.write("assets/_partials/chart_defaults.j2", "cache_timeout: 1\n")
        let report = try await fixture.compile()
        #expect(
            report.explanations.contains(
                "render assets/charts/revenue.yaml.j2: include _partials/chart_defaults.j2 changed"))
    }

    @Test("outputs of a deleted template are removed, files hybrid did not write are kept")
    func deletedTemplate() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile()
        try fixture.write("bundles/prod/charts/hand_made.yaml", "slice_name: mine\n")
        try fixture.remove("assets/charts/by_tenant.yaml.j2")
        try fixture.write(
            "assets/dashboards/overview.yaml.j2",
            try fixture.read("assets/dashboards/overview.yaml.j2").replacingOccurrences(
                of: "meta: {chart: charts/by_tenant}", with: "meta: {sliceName: \"Revenue ({{ ENV }})\"}"))
        let report = try await fixture.compile()
        #expect(report.errorCount == 0, "\(report.diagnostics)")
        #expect(report.removed == 1)
        #expect(!fixture.exists("bundles/prod/charts/by_tenant.yaml"))
        #expect(fixture.exists("bundles/prod/charts/hand_made.yaml"))
    }

    @Test("with --all-mappings, the bundle of a deleted mapping is removed")
    func deletedMapping() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        try fixture.remove("mappings/client_b.yaml")
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0)
        #expect(!fixture.exists("bundles/prod/client_b"))
        #expect(fixture.exists("bundles/prod/client_a/charts/revenue.yaml"))
    }

    @Test("a dangling chart reference is an error at the template, and the last good bundle is marked failed")
    func danglingReference() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile()
        let before = fixture.snapshot()
        try fixture.write(
            "assets/charts/revenue.yaml.j2",
            try fixture.read("assets/charts/revenue.yaml.j2").replacingOccurrences(
                of: "datasource: fact_sales", with: "datasource: fact_sale"))
        let report = try await fixture.compile()
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        #expect(
            error.description
                == "assets/charts/revenue.yaml.j2:3:13: error: datasource refers to dataset 'fact_sale', which is not in this bundle (did you mean 'fact_sales'?)"
        )
        let status = try #require(BundleStatus.load(at: fixture.root + "/bundles/.hybrid-status/prod.json"))
        #expect(status.state == .failed)
        var after = fixture.snapshot()
        after[".hybrid-status/prod.json"] = before[".hybrid-status/prod.json"]
        #expect(after == before)
    }

    @Test("a YAML error in a rendered template names the template and the rendered line")
    func yamlErrorInTemplate() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write("assets/charts/broken.yaml.j2", "slice_name: x\nparams: {a: 1\nviz_type: table\n")
        let report = try await fixture.compile()
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        #expect(error.location?.file == "assets/charts/broken.yaml.j2")
        #expect(error.location?.line == 3)
        #expect(report.bundles.first?.state == .failed)
    }

    @Test("a YAML error behind templating points at the template or partial line that produced it")
    func yamlErrorMappedToTemplate() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write("assets/_partials/bad.j2", "{# header #}\ncolor: red: blue\n")
        try fixture.write(
            "assets/charts/broken.yaml.j2",
            "{% for i in range(3) %}\nline{{ i }}: {{ i }}\n{% endfor %}\nslice_name: x\n{% include '_partials/bad.j2' %}\nviz_type: table\n"
        )
        let report = try await fixture.compile(env: "dev")
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        // The rendered text has the bad mapping on line 10; the partial wrote it on its line 2.
        #expect(error.location?.description == "assets/_partials/bad.j2:2:11")
        let note = try #require(error.notes.first { $0.message.contains("rendered output") })
        #expect(note.message.hasPrefix("at line 10, column 11 of the rendered output of assets/charts/broken.yaml.j2"))
        #expect(note.message.hasSuffix("hybrid render assets/charts/broken.yaml.j2 --env dev)"))

        // The error's context mark is translated too.
        try fixture.write(
            "assets/charts/broken.yaml.j2",
            "{% for i in range(3) %}\nline{{ i }}: {{ i }}\n{% endfor %}\nslice_name: x\nparams: {a: 1\nviz_type: table\n"
        )
        let flow = try #require(try await fixture.compile(env: "dev").diagnostics.first { $0.severity == .error })
        #expect(
            flow.description
                == "assets/charts/broken.yaml.j2:6:9: error: did not find expected ',' or '}' (while parsing a flow mapping at line 5, column 9)"
        )
    }

    @Test("a link error and a compile warning point at the partial line that wrote the key")
    func linkErrorMappedToPartial() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write("assets/_partials/source.j2", "{# which dataset #}\ndatasource: fact_sale\nviz_type: line\n")
        try fixture.write(
            "assets/charts/other.yaml.j2",
            "{% for i in range(2) %}\n# {{ i }}\n{% endfor %}\nslice_name: Other\n{% include '_partials/source.j2' %}\n"
                + "params: {}\n")
        let report = try await fixture.compile(env: "dev")
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        #expect(error.location?.description == "assets/_partials/source.j2:2:13")
        #expect(error.message.hasPrefix("datasource refers to dataset 'fact_sale'"))
        #expect(error.notes.contains { $0.message.hasPrefix("at line 8, column 13 of the rendered output of") })

        try fixture.write("assets/_partials/source.j2", "{# which dataset #}\ndatasource: fact_sales\nviz_type: line\n")
        for _ in 0..<2 {
            let warnings = try await fixture.compile(env: "dev").diagnostics.filter { $0.severity == .warning }
            let legacy = try #require(warnings.first { $0.message.contains("legacy chart type") })
            #expect(legacy.location?.description == "assets/_partials/source.j2:3:11")
        }
    }

    @Test("an unknown environment lists the known ones")
    func unknownEnvironment() async throws {
        let fixture = try RepositoryFixture()
        let report = try await fixture.compile(env: "qa")
        #expect(
            report.diagnostics.map(\.description) == [
                "error: no environment 'qa': env/qa.yaml does not exist (environments: dev, prod)"
            ])
    }

    @Test("a malformed mapping is an error with its file and line; the other tenants still build")
    func malformedMapping() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write("mappings/client_b.yaml", "source:\n  tables: [a]\n")
        let report = try await fixture.compile(mappings: .all)
        let error = try #require(report.diagnostics.first { $0.severity == .error })
        #expect(error.location?.file == "mappings/client_b.yaml")
        #expect(error.location?.line == 2)
        #expect(fixture.exists("bundles/prod/client_a/charts/revenue.yaml"))
    }

    @Test("a mapping entry that matches nothing is a warning at its line")
    func unusedMappingEntry() async throws {
        let fixture = try RepositoryFixture()
        let report = try await fixture.compile(env: "dev", mappings: .selected(["client_a"]))
        let warnings = report.diagnostics.filter { $0.severity == .warning }.map(\.description)
        #expect(
            warnings.contains { $0.hasPrefix("mappings/client_a.yaml:2:3: warning: source database 'analytics_prod'") })
    }

    @Test("chart references in dashboard metadata link to the charts' uuids, per tenant; numbers and others are errors")
    func dashboardMetadataChartReferences() async throws {
        let fixture = try RepositoryFixture()
        let dashboard = try fixture.read("assets/dashboards/overview.yaml.j2")
        func withMetadata(_ metadata: String) throws {
            try fixture.write(
                "assets/dashboards/overview.yaml.j2",
                dashboard.replacingOccurrences(of: "position:\n", with: metadata + "position:\n"))
        }
        try withMetadata(
            """
            metadata:
              expanded_slices: {charts/by_tenant: true}
              timed_refresh_immune_slices: ["Revenue ({{ ENV }})"]
              native_filter_configuration:
                - id: f
                  scope: {rootPath: [ROOT_ID], excluded: [charts/revenue]}

            """)
        #expect(try await fixture.compile().errorCount == 0)
        #expect(try await fixture.compile(mappings: .selected(["client_a"])).errorCount == 0)
        for bundle in ["bundles/prod", "bundles/prod/client_a"] {
            func uuid(_ path: String) throws -> String {
                let text = try fixture.read("\(bundle)/\(path)")
                let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("uuid: ") })
                return String(line.dropFirst(6))
            }
            let byTenant = try uuid("charts/by_tenant.yaml")
            let revenue = try uuid("charts/revenue.yaml")
            let compiled = try fixture.read("\(bundle)/dashboards/overview.yaml")
            #expect(compiled.contains("expanded_slices:\n    \(byTenant): true\n"))
            #expect(compiled.contains("timed_refresh_immune_slices:\n    - \(revenue)\n"))
            #expect(compiled.contains("excluded:\n          - \(revenue)\n"))
        }

        try withMetadata("metadata:\n  timed_refresh_immune_slices: [57]\n")
        let number = try #require(try await fixture.compile().diagnostics.first { $0.severity == .error })
        #expect(number.location?.line == 4)
        #expect(number.message.contains("57, a chart id of some server"))

        try fixture.write(
            "assets/charts/extra.yaml.j2", "slice_name: Extra\nviz_type: table\ndatasource: fact_sales\nparams: {}\n")
        try withMetadata("metadata:\n  expanded_slices: {charts/extra: true}\n")
        let stranger = try #require(try await fixture.compile().diagnostics.first { $0.severity == .error })
        #expect(stranger.message.contains("charts/extra, which is not in this dashboard's position"))
    }

    @Test("a legacy chart type that the import rewrites is a warning at its line, on cached runs too")
    func legacyVizType() async throws {
        let fixture = try RepositoryFixture()
        let chart = try fixture.read("assets/charts/revenue.yaml.j2")
        try fixture.write(
            "assets/charts/revenue.yaml.j2",
            chart.replacingOccurrences(of: "viz_type: echarts_timeseries_line", with: "viz_type: line"))
        for _ in 0..<2 {
            let report = try await fixture.compile(env: "dev")
            let warnings = report.diagnostics.filter { $0.severity == .warning }
            let legacy = try #require(warnings.first { $0.message.contains("legacy chart type") })
            #expect(legacy.location?.file.hasSuffix("charts/revenue.yaml.j2") == true)
            #expect(legacy.location?.line == 2)
            #expect(legacy.message.contains("'echarts_timeseries_line'"))
            #expect(warnings.count == 1)
        }
    }

    @Test("a corrupt cache entry is a miss with a warning, never a wrong output")
    func corruptCache() async throws {
        let fixture = try RepositoryFixture()
        _ = try await fixture.compile(mappings: .all)
        let clean = fixture.snapshot()
        let cache = fixture.root + "/.hybrid-cache/v1"
        let walker = FileManager.default.enumerator(atPath: cache)!
        var corrupted = 0
        for case let relative as String in walker where relative.hasPrefix("render/") || relative.hasPrefix("bundles/")
        {
            let path = cache + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            var bytes = try #require(FileManager.default.contents(atPath: path))
            bytes[bytes.count - 1] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: path))
            corrupted += 1
        }
        #expect(corrupted > 0)
        try FileManager.default.removeItem(atPath: fixture.root + "/bundles/prod/client_a/charts/revenue.yaml")
        let report = try await fixture.compile(mappings: .all)
        #expect(report.errorCount == 0)
        #expect(report.warningCount >= corrupted)
        #expect(fixture.snapshot() == clean)
    }

    @Test("--jobs 1 and --jobs 8 write identical bytes")
    func jobsDoNotChangeOutput() async throws {
        let one = try RepositoryFixture()
        let eight = try RepositoryFixture()
        _ = try await one.compile(mappings: .all, jobs: 1)
        _ = try await eight.compile(mappings: .all, jobs: 8)
        #expect(!one.snapshot().isEmpty)
        #expect(one.snapshot() == eight.snapshot())
    }

    @Test("a template that renders nothing is no asset in that environment")
    func emptyRender() async throws {
        let fixture = try RepositoryFixture()
        try fixture.write(
            "assets/charts/dev_only.yaml.j2",
            "{% if ENV == 'dev' %}slice_name: debug\nviz_type: table\ndatasource: fact_sales\n{% endif %}")
        let report = try await fixture.compile()
        #expect(report.errorCount == 0)
        #expect(!fixture.exists("bundles/prod/charts/dev_only.yaml"))
        _ = try await fixture.compile(env: "dev")
        #expect(fixture.exists("bundles/dev/charts/dev_only.yaml"))
    }

    @Test("a second compile on the same repository waits for the first, saying so")
    func concurrentCompilesSerialize() async throws {
        let fixture = try RepositoryFixture()
        let held = try BuildLock(directory: fixture.root + "/.hybrid-cache/v1", waiting: { _ in })
        let messages = Messages()
        let compiler = Compiler(workspace: try Workspace.load(root: fixture.root), notice: { messages.append($0) })
        let task = Task { await compiler.compile(CompileOptions(environment: "prod")) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(messages.all.count == 1)
        #expect(messages.all.first?.hasPrefix("waiting for another hybrid process (pid ") == true)
        #expect(!fixture.exists("bundles/prod/metadata.yaml"))
        withExtendedLifetime(held) {}
        _ = consume held
        let report = await task.value
        #expect(report.errorCount == 0)
        #expect(fixture.exists("bundles/prod/metadata.yaml"))
    }
}

/// Messages collected from another task.
final class Messages: @unchecked Sendable {
    private var items: [String] = []
    private let lock = NSLock()

    func append(_ text: String) {
        lock.lock()
        items.append(text)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
