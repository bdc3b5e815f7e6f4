import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridTestSupport
import HybridYAML
import Testing

/// `hybrid translate` on the fixture repository: the export is the compiled bundle, edited as the UI would.
@Suite("Translator")
struct TranslatorTests {
    /// Compiles `env`, copies the bundle to `ui_exports/<env>`, lets `edit` change the export.
    private func exported(_ fixture: RepositoryFixture, env: String = "dev", edit: (String) throws -> Void = { _ in })
        async throws
    {
        try edit(try await fixture.exportBundle(env: env))
    }

    /// Replaces text in an export file and writes it back in normal form, as `hybrid export` would.
    private func replace(_ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old), "\(path) holds \(old)")
        try canonical(text.replacingOccurrences(of: old, with: new), to: path)
    }

    private func canonical(_ text: String, to path: String) throws {
        let document = try #require(try YAMLParser.parseDocument(text, file: path))
        try YAMLEmitter.emitString(document).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func translate(_ fixture: RepositoryFixture, env: String = "dev", prune: Bool = false) throws
        -> (TranslateReport, [TranslatedFile])
    {
        try Translator(workspace: Workspace.load(root: fixture.root)).translate(
            TranslateOptions(environment: env, prune: prune))
    }

    /// Writes the translation, compiles, and expects the bundle to equal the export byte for byte.
    private func expectRoundTrip(_ fixture: RepositoryFixture, env: String = "dev") async throws {
        let (_, files) = try translate(fixture, env: env)
        try Translator.write(files, workspace: Workspace.load(root: fixture.root))
        _ = try await fixture.compile(env: env)
        let bundle = fixture.snapshot("bundles/" + env).filter { !$0.key.hasPrefix(".hybrid-status") }
        let export = fixture.snapshot("ui_exports/" + env)
        #expect(bundle == export)
    }

    @Test("an unchanged export changes no template")
    func unchanged() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture)
        let (report, files) = try translate(fixture)
        #expect(files.isEmpty)
        #expect(report.unplaced.isEmpty)
        #expect(report.unchanged == 5)
    }

    @Test("a renamed chart and a changed metric expression change exactly those template lines")
    func minimalPatch() async throws {
        let fixture = try RepositoryFixture()
        let chartBefore = try fixture.read("assets/charts/revenue.yaml.j2")
        let datasetBefore = try fixture.read("assets/datasets/sales.yaml.j2")
        try await exported(fixture) { dir in
            try replace(dir + "/charts/revenue.yaml", "slice_name: Revenue (dev)", "slice_name: Daily revenue (dev)")
            try replace(
                dir + "/datasets/sales.yaml", "expression: SUM(revenue)", "expression: SUM(revenue) - SUM(refunds)")
        }
        let (report, files) = try translate(fixture)
        #expect(report.unplaced.isEmpty)
        let byPath = Dictionary(
            uniqueKeysWithValues: files.map { ($0.path, String(decoding: $0.new ?? [], as: UTF8.self)) })
        #expect(
            byPath["assets/charts/revenue.yaml.j2"]
                == chartBefore.replacingOccurrences(of: "Revenue ({{ ENV }})", with: "Daily revenue ({{ ENV }})"))
        #expect(
            byPath["assets/datasets/sales.yaml.j2"]
                == datasetBefore.replacingOccurrences(of: "SUM(revenue)", with: "SUM(revenue) - SUM(refunds)"))
        // The dashboard named the chart by its old name: it now names it by path, one line more.
        let dashboard = try #require(byPath["assets/dashboards/overview.yaml.j2"])
        #expect(dashboard.contains("chart: charts/revenue"))
        try await expectRoundTrip(fixture)
        let (again, files2) = try translate(fixture)
        #expect(files2.isEmpty && again.unplaced.isEmpty)
    }

    @Test("a changed value inside a partial is edited in the partial")
    func partialEdit() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            try replace(
                dir + "/charts/revenue.yaml", "description: Managed in Git (DEV)", "description: Owned by finance")
        }
        // The description is printed by `{{ ENV | upper }}` inside the partial: a filter cannot be placed.
        let (report, files) = try translate(fixture)
        #expect(report.unplaced.count == 1)
        #expect(report.unplaced.first?.template == "assets/_partials/chart_defaults.j2")
        #expect(report.unplaced.first?.keyPath == "description")
        #expect(report.unplaced.first?.message.contains("cannot place change of description (produced by") == true)
        #expect(files.map(\.path) == ["assets/charts/revenue.yaml.j2.ui"])
    }

    @Test("new assets in the UI become templates with their uuid, named references and env values substituted")
    func newAsset() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            var text = try String(contentsOfFile: dir + "/charts/revenue.yaml", encoding: .utf8)
            let uuidLine = text.split(separator: "\n").first { $0.hasPrefix("uuid: ") }!
            text = text.replacingOccurrences(of: String(uuidLine), with: "uuid: 0b4db7eb-4057-5ddf-91e0-36dec72071f5")
            text = text.replacingOccurrences(
                of: "slice_name: Revenue (dev)",
                with:
                    "slice_name: \"Brand {{ filter_values('brand') }} {% if from_dttm %}x{% endif %} {# c #} on db-dev.example.com\""
            )
            try canonical(text, to: dir + "/charts/brand.yaml")
        }
        let (report, files) = try translate(fixture)
        #expect(report.created == ["assets/charts/brand.yaml.j2"])
        let text = String(decoding: try #require(files.first?.new), as: UTF8.self)
        #expect(text.contains("uuid: 0b4db7eb-4057-5ddf-91e0-36dec72071f5"))
        #expect(text.contains("datasource: fact_sales"))
        #expect(text.contains("{{ DB_HOST }}"))
        #expect(text.contains("{% raw %}"))
        try await expectRoundTrip(fixture)
    }

    @Test("an unmanaged asset (export --all) becomes a template named by the slug of its name")
    func unmanaged() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            var text = try String(contentsOfFile: dir + "/charts/revenue.yaml", encoding: .utf8)
            let uuidLine = text.split(separator: "\n").first { $0.hasPrefix("uuid: ") }!
            text = text.replacingOccurrences(of: String(uuidLine), with: "uuid: 7b4db7eb-4057-5ddf-91e0-36dec72071f5")
            text = text.replacingOccurrences(of: "slice_name: Revenue (dev)", with: "slice_name: Q3 Sales — by Region!")
            try FileManager.default.createDirectory(
                atPath: dir + "/_unmanaged/charts", withIntermediateDirectories: true)
            try canonical(text, to: dir + "/_unmanaged/charts/Q3_Sales_by_Region_42.yaml")
        }
        let (report, _) = try translate(fixture)
        #expect(report.created == ["assets/charts/q3_sales_by_region.yaml.j2"])
        try await expectRoundTripIgnoringUnmanaged(fixture)
    }

    /// As ``expectRoundTrip`` for an export with `_unmanaged/` files: those come back at their template's path.
    private func expectRoundTripIgnoringUnmanaged(_ fixture: RepositoryFixture) async throws {
        let (_, files) = try translate(fixture)
        try Translator.write(files, workspace: Workspace.load(root: fixture.root))
        _ = try await fixture.compile(env: "dev")
        let bundle = fixture.snapshot("bundles/dev")
        let export = fixture.snapshot("ui_exports/dev")
        #expect(
            bundle["charts/q3_sales_by_region.yaml"] != nil
                && bundle["charts/q3_sales_by_region.yaml"] == export["_unmanaged/charts/Q3_Sales_by_Region_42.yaml"])
    }

    @Test("an asset deleted in the UI is reported, and removed only with --prune")
    func deleted() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            try FileManager.default.removeItem(atPath: dir + "/charts/by_tenant.yaml")
        }
        let (report, files) = try translate(fixture)
        #expect(report.deletedInUI == ["assets/charts/by_tenant.yaml.j2"])
        #expect(files.allSatisfy { $0.new != nil })
        let (pruned, prunedFiles) = try translate(fixture, prune: true)
        #expect(pruned.removed == ["assets/charts/by_tenant.yaml.j2"])
        #expect(prunedFiles.contains { $0.path == "assets/charts/by_tenant.yaml.j2" && $0.new == nil })
    }

    @Test("random UI edits of string values round-trip: compile(translate(export)) == export, and prod still compiles")
    func randomEdits() async throws {
        var random = SplitMix(state: 0x7A57)
        let words = ["North", "q3", "revenue", "Net sales", "dev", "a: b", "#x", "O'Brien", "\"quoted\"", "ünï"]
        for round in 0..<6 {
            let fixture = try RepositoryFixture()
            try await exported(fixture) { dir in
                let files = [
                    ("/charts/revenue.yaml", "slice_name: Revenue (dev)", "slice_name"),
                    ("/charts/by_tenant.yaml", "slice_name: Revenue by tenant (dev)", "slice_name"),
                    ("/datasets/sales.yaml", "expression: SUM(revenue)", "expression"),
                    ("/dashboards/overview.yaml", "dashboard_title: Overview (dev)", "dashboard_title"),
                ]
                for (path, old, key) in files where random.next() % 2 == 0 {
                    let word = words[Int(random.next() % UInt64(words.count))]
                    let value = "\(word) \(round)"
                    let escaped = "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
                    try replace(dir + path, old, "\(key): \(escaped)")
                }
            }
            let (report, _) = try translate(fixture)
            #expect(report.unplaced.isEmpty, "round \(round): \(report.unplaced.map(\.message))")
            try await expectRoundTrip(fixture)
            let prod = try await fixture.compile(env: "prod")
            #expect(prod.diagnostics.allSatisfy { $0.severity != .error }, "round \(round)")
        }
    }

    // MARK: bad input

    private func expectError(
        _ fixture: RepositoryFixture, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let before = fixture.snapshot("assets")
        do {
            _ = try Translator(workspace: Workspace.load(root: fixture.root)).translate(
                TranslateOptions(environment: "dev"))
            Issue.record("expected an error containing \(fragment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
            #expect(error.location != nil, sourceLocation: sourceLocation)
        }
        #expect(fixture.snapshot("assets") == before, sourceLocation: sourceLocation)
    }

    @Test("a malformed export file is an error at its line, nothing written")
    func malformed() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            try "slice_name: [unclosed\n".write(toFile: dir + "/charts/revenue.yaml", atomically: true, encoding: .utf8)
        }
        try expectError(fixture, "ui_exports/dev/charts/revenue.yaml:2:1")
    }

    @Test("an export of another layout version is refused at metadata.yaml")
    func otherLayout() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            try "type: assets\nversion: 2.0.0\n".write(
                toFile: dir + "/metadata.yaml", atomically: true, encoding: .utf8)
        }
        try expectError(fixture, "ui_exports/dev/metadata.yaml:2:10: error: not an export of Superset's import layout")
    }

    @Test("a uuid twice in the export is an error naming both files")
    func duplicateUUID() async throws {
        let fixture = try RepositoryFixture()
        try await exported(fixture) { dir in
            try FileManager.default.copyItem(atPath: dir + "/charts/revenue.yaml", toPath: dir + "/charts/copy.yaml")
        }
        try expectError(fixture, "appears twice in the export")
    }

    @Test("a translate rule with an invalid regular expression is an error at its line in hybrid.yaml")
    func invalidRule() throws {
        do {
            _ = try ProjectConfig.parse(
                Array("translate:\n  rules:\n    - pattern: \"db-(dev\"\n      replace: \"{{ DB_HOST }}\"\n".utf8),
                file: "hybrid.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("hybrid.yaml:3:16: error: invalid regular expression 'db-(dev'"))
        }
    }

    @Test("rules replace a match only where the replacement renders back to the matched text")
    func rules() async throws {
        let fixture = try RepositoryFixture()
        var config = try fixture.read("hybrid.yaml")
        config += "\ntranslate:\n  default_rules: true\n"
        try fixture.write("hybrid.yaml", config)
        try await exported(fixture) { dir in
            try replace(
                dir + "/charts/revenue.yaml", "slice_name: Revenue (dev)", "slice_name: Dev team revenue for dev")
        }
        let (_, files) = try translate(fixture)
        let chart = String(
            decoding: try #require(files.first { $0.path.hasSuffix("revenue.yaml.j2") }?.new), as: UTF8.self)
        // `Dev` renders as `dev` through {{ ENV }}: it stays literal; the lower-case `dev` becomes {{ ENV }}.
        #expect(chart.contains("Dev team revenue for {{ ENV }}"))
        try await expectRoundTrip(fixture)
    }
}

@Suite("Translator on the example repository")
struct TranslatorExampleTests {
    @Test(
        "for every environment, compile(translate(export)) == export with no template touched; a dev edit still compiles for prod"
    )
    func everyEnvironment() async throws {
        let directory = TemporaryDirectory()
        _ = try RepositoryScaffold(force: false).create(in: directory.path)
        let workspace = try Workspace.load(root: directory.path)
        for env in workspace.environments() {
            let report = await Compiler(workspace: workspace).compile(CompileOptions(environment: env))
            #expect(report.diagnostics.allSatisfy { $0.severity != .error }, "\(env)")
            let target = directory.path + "/ui_exports/" + env
            try FileManager.default.createDirectory(
                atPath: directory.path + "/ui_exports", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: directory.path + "/bundles/" + env, toPath: target)
            let (translated, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: env))
            #expect(files.isEmpty, "\(env): \(files.map(\.path))")
            #expect(translated.unplaced.isEmpty)
        }
        // A UI rename in dev, translated, leaves prod compiling (to a bundle renamed the same way).
        let chart = try #require(
            FileManager.default.enumerator(atPath: directory.path + "/ui_exports/dev/charts")?.allObjects.first
                as? String)
        let path = directory.path + "/ui_exports/dev/charts/" + chart
        var document = try #require(
            try YAMLParser.parseDocument(String(contentsOfFile: path, encoding: .utf8), file: path))
        document.updateMapping { $0.setValue(.string("Renamed in the UI (dev)"), forKey: "slice_name") }
        try YAMLEmitter.emitString(document).write(toFile: path, atomically: true, encoding: .utf8)
        let (report, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: "dev"))
        #expect(report.unplaced.isEmpty)
        #expect(!files.isEmpty)
        try Translator.write(files, workspace: workspace)
        let prod = await Compiler(workspace: workspace).compile(CompileOptions(environment: "prod"))
        #expect(prod.diagnostics.allSatisfy { $0.severity != .error })
        let prodChart = try String(contentsOfFile: directory.path + "/bundles/prod/charts/" + chart, encoding: .utf8)
        #expect(prodChart.contains("Renamed in the UI (prod)"))
    }
}

/// Every Jinja construct Superset documents for SQL templating comes back from translate verbatim.
@Suite("Translator and Superset's own Jinja")
struct TranslatorSupersetJinjaTests {
    static let constructs = [
        "{{ columns }}", "{{ filter }}", "{{ from_dttm }}", "{{ to_dttm }}", "{{ groupby }}", "{{ metrics }}",
        "{{ row_limit }}", "{{ row_offset }}", "{{ table_columns }}", "{{ time_column }}", "{{ time_grain }}",
        "{{ current_username() }}", "{{ current_user_id() }}", "{{ current_user_email() }}",
        "{{ current_user_roles() }}", "{{ current_user_rls_rules() }}",
        "{{ url_param('region', add_to_cache_keys=False) }}",
        "{{ filter_values('brand') | where_in }}",
        "{% for f in get_filters('brand', remove_filter=True) %}{{ f.get('op') }}{% endfor %}",
        "{{ dataset(42, include_metrics=True) }}", "{{ metric('Total Revenue', 7) }}",
        "{% set tf = get_time_filter('order_date', default='Last week') %}{{ tf.from_expr }}",
        "{{ cache_key_wrapper(current_username()) }}",
        "{% if 'Finance' in current_user_roles() %}revenue{% else %}NULL{% endif %}",
        "{# a comment #}", "{%- if from_dttm is not none -%} x {%- endif -%}",
        "{{ \"it's\" | replace(\"'\", \"''\") }}",
        "{% raw %}{{ kept }}{% endraw %}", "{{{ three }}}", "{",
    ]

    @Test("a new virtual dataset whose SQL and column expressions use every construct compiles back to the export")
    func newDataset() async throws {
        let fixture = try RepositoryFixture()
        let target = try await fixture.exportBundle()
        let sales = try #require(
            try YAMLParser.parseDocument(
                String(contentsOfFile: target + "/datasets/sales.yaml", encoding: .utf8), file: "x"))
        let database = try #require(sales.mappingValue?["database_uuid"])
        let sql = "SELECT *\nFROM fact_sales\nWHERE 1 = 1\n" + Self.constructs.map { "  -- \($0)\n" }.joined()
        var columns: [YAMLNode] = []
        for (index, construct) in Self.constructs.enumerated().sorted(by: { "c\($0.offset)" < "c\($1.offset)" }) {
            columns.append(
                YAMLNode(
                    .mapping(
                        YAMLMapping([
                            .init(key: YAMLNode(.string("column_name")), value: YAMLNode(.string("c\(index)"))),
                            .init(key: YAMLNode(.string("expression")), value: YAMLNode(.string(construct))),
                        ]))))
        }
        let document = YAMLNode(
            .mapping(
                YAMLMapping([
                    .init(key: YAMLNode(.string("columns")), value: YAMLNode(.sequence(columns))),
                    .init(key: YAMLNode(.string("database_uuid")), value: database),
                    .init(key: YAMLNode(.string("schema")), value: YAMLNode(.string("public"))),
                    .init(key: YAMLNode(.string("sql")), value: YAMLNode(.string(sql))),
                    .init(key: YAMLNode(.string("table_name")), value: YAMLNode(.string("virtual_sales"))),
                    .init(
                        key: YAMLNode(.string("uuid")), value: YAMLNode(.string("6a4db7eb-4057-5ddf-91e0-36dec72071f5"))
                    ),
                    .init(key: YAMLNode(.string("version")), value: YAMLNode(.string("1.0.0"))),
                ])))
        try YAMLEmitter.emitString(document).write(
            toFile: target + "/datasets/virtual_sales.yaml", atomically: true, encoding: .utf8)
        let workspace = try Workspace.load(root: fixture.root)
        let (report, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: "dev"))
        #expect(report.created == ["assets/datasets/virtual_sales.yaml.j2"])
        #expect(report.unplaced.isEmpty)
        try Translator.write(files, workspace: workspace)
        _ = try await fixture.compile(env: "dev")
        let compiled = try String(
            contentsOfFile: fixture.root + "/bundles/dev/datasets/virtual_sales.yaml", encoding: .utf8)
        #expect(compiled == (try String(contentsOfFile: target + "/datasets/virtual_sales.yaml", encoding: .utf8)))
    }

    @Test("an SQL edit made in the UI keeps Superset's Jinja verbatim in the patched template", arguments: constructs)
    func editedMetric(construct: String) async throws {
        let fixture = try RepositoryFixture()
        let target = try await fixture.exportBundle()
        let path = target + "/datasets/sales.yaml"
        var document = try #require(
            try YAMLParser.parseDocument(String(contentsOfFile: path, encoding: .utf8), file: path))
        document.updateMapping { root in
            root.updateValue(forKey: "metrics") { metrics in
                metrics.updateEachItem {
                    $0.updateMapping { $0.setValue(.string("SUM(revenue) \(construct)"), forKey: "expression") }
                }
            }
        }
        try YAMLEmitter.emitString(document).write(toFile: path, atomically: true, encoding: .utf8)
        let workspace = try Workspace.load(root: fixture.root)
        let (report, files) = try Translator(workspace: workspace).translate(TranslateOptions(environment: "dev"))
        #expect(report.unplaced.isEmpty, "\(report.unplaced.map(\.message))")
        #expect(files.map(\.path) == ["assets/datasets/sales.yaml.j2"])
        try Translator.write(files, workspace: workspace)
        _ = try await fixture.compile(env: "dev")
        #expect(
            (try String(contentsOfFile: fixture.root + "/bundles/dev/datasets/sales.yaml", encoding: .utf8))
                == (try String(contentsOfFile: path, encoding: .utf8)))
    }
}
