import Foundation
import HybridCache
import HybridDiagnostics
import HybridTestSupport
import HybridYAML
import SupersetModel
import Testing

@testable import HybridCompiler

/// The mapping file of the product seed (line numbers matter to the tests).
let seedMappingText = """
    source:
      database: "analytics_dev"
      schema: "public"
      tables:
        fact_sales: "fact_sales"        # logical key -> physical name in the source
      columns:
        customer_id: "customer_id"
        order_date: "order_date"
    target:
      database: "client_a_warehouse"
      schema: "analytics"
      tables:
        fact_sales: "client_a_transactions"
      columns:
        customer_id: "client_customer_id"
        order_date: "transaction_date"
    metrics:                      # metric renames: old name -> new name
      "Total Revenue": "Client A Revenue"
    vars:                         # optional: template variables overriding env/<env>.yaml for this tenant
      TENANT_KEY: client_id

    """

func seedMapping() throws -> TenantMapping {
    try TenantMapping.parse(Array(seedMappingText.utf8), path: "mappings/client_a.yaml")
}

/// The diagnostic `text` fails with, as `file:line:col: error: message`; nil when it parses.
private func parseError(_ text: String, path: String = "mappings/t.yaml") -> String? {
    do {
        _ = try TenantMapping.parse(Array(text.utf8), path: path)
        return nil
    } catch {
        return error.description
    }
}

@Suite("Tenant mapping files")
struct TenantMappingTests {
    @Test("the seed example: name, hash, entries in file order with their positions")
    func seedEntries() throws {
        let mapping = try seedMapping()
        #expect(mapping.name == "client_a")
        #expect(mapping.path == "mappings/client_a.yaml")
        #expect(mapping.contentHash == ContentHash(of: Array(seedMappingText.utf8)))
        #expect(mapping.warnings.isEmpty)
        let expected: [MappingEntry] = [
            MappingEntry(
                id: 0, kind: .database, key: "database", from: "analytics_dev", to: "client_a_warehouse",
                mark: YAMLMark(line: 2, column: 3)),
            MappingEntry(
                id: 1, kind: .schema, key: "schema", from: "public", to: "analytics", mark: YAMLMark(line: 3, column: 3)
            ),
            MappingEntry(
                id: 2, kind: .table, key: "fact_sales", from: "fact_sales", to: "client_a_transactions",
                mark: YAMLMark(line: 5, column: 5)),
            MappingEntry(
                id: 3, kind: .column, key: "customer_id", from: "customer_id", to: "client_customer_id",
                mark: YAMLMark(line: 7, column: 5)),
            MappingEntry(
                id: 4, kind: .column, key: "order_date", from: "order_date", to: "transaction_date",
                mark: YAMLMark(line: 8, column: 5)),
            MappingEntry(
                id: 5, kind: .metric, key: "Total Revenue", from: "Total Revenue", to: "Client A Revenue",
                mark: YAMLMark(line: 18, column: 3)),
        ]
        #expect(mapping.entries == expected)
        // YAMLMark equality includes the position; check it explicitly all the same.
        #expect(mapping.entries.map(\.mark.line) == [2, 3, 5, 7, 8, 18])
    }

    @Test("the seed example: lookups by source name and vars")
    func seedLookups() throws {
        let mapping = try seedMapping()
        #expect(mapping.database == MappingRename(from: "analytics_dev", to: "client_a_warehouse", entryID: 0))
        #expect(mapping.schema == MappingRename(from: "public", to: "analytics", entryID: 1))
        #expect(
            mapping.tables == ["fact_sales": MappingRename(from: "fact_sales", to: "client_a_transactions", entryID: 2)]
        )
        #expect(
            mapping.columns == [
                "customer_id": MappingRename(from: "customer_id", to: "client_customer_id", entryID: 3),
                "order_date": MappingRename(from: "order_date", to: "transaction_date", entryID: 4),
            ])
        #expect(
            mapping.metrics == [
                "Total Revenue": MappingRename(from: "Total Revenue", to: "Client A Revenue", entryID: 5)
            ])
        #expect(mapping.varNames == ["TENANT_KEY"])
        #expect(mapping.vars["TENANT_KEY"]?.stringValue == "client_id")
        #expect(mapping.vars["TENANT_KEY"]?.mark == YAMLMark(line: 20, column: 15))
    }

    @Test("tables are looked up by their physical source name, not the logical key")
    func physicalNames() throws {
        let text = """
            source:
              tables: {sales: raw_sales, customers: dim_customers}
            target:
              tables: {customers: client_customers, sales: client_sales}
            """
        let mapping = try TenantMapping.parse(Array(text.utf8), path: "mappings/b.yml")
        #expect(mapping.name == "b")
        #expect(mapping.tables["raw_sales"] == MappingRename(from: "raw_sales", to: "client_sales", entryID: 0))
        #expect(
            mapping.tables["dim_customers"] == MappingRename(from: "dim_customers", to: "client_customers", entryID: 1))
        #expect(mapping.tables["sales"] == nil)
    }

    @Test("vars may hold any YAML, in file order")
    func vars() throws {
        let text = "vars:\n  B: [1, 2]\n  A: {x: true}\n  C: null\n"
        let mapping = try TenantMapping.parse(Array(text.utf8), path: "mappings/v.yaml")
        #expect(mapping.varNames == ["B", "A", "C"])
        #expect(mapping.vars["B"] == YAMLNode(.sequence([YAMLNode(.int(1)), YAMLNode(.int(2))])))
        #expect(mapping.vars["C"] == YAMLNode(.null))
        #expect(mapping.entries.isEmpty)
    }

    @Test("empty sections are allowed: null means none")
    func nullSections() throws {
        let mapping = try TenantMapping.parse(
            Array("source:\ntarget:\n  tables:\nmetrics:\nvars:\n".utf8), path: "mappings/n.yaml")
        #expect(mapping.entries.isEmpty)
        #expect(mapping.warnings.isEmpty)
        #expect(mapping.vars.isEmpty)
    }

    @Test("strict errors name the key and point at it")
    func strictErrors() {
        #expect(
            parseError("source: {}\nextra: 1\n")
                == "mappings/t.yaml:2:1: error: unknown key 'extra' in the mapping file "
                + "(allowed: source, target, metrics, vars)")
        #expect(
            parseError("target:\n  database: x\n  tabels: {}\n")
                == "mappings/t.yaml:3:3: error: unknown key 'tabels' in 'target' "
                + "(allowed: database, schema, tables, columns)")
        #expect(
            parseError("source:\n  tables:\n    fact_sales: 12\n")
                == "mappings/t.yaml:3:17: error: 'source.tables.fact_sales' must be a string, not an integer")
        #expect(
            parseError("source:\n  tables: [a, b]\n")
                == "mappings/t.yaml:2:11: error: 'source.tables' must be a mapping of logical keys to table names, "
                + "not a list")
        #expect(
            parseError("target:\n  columns: yes\n")
                == "mappings/t.yaml:2:12: error: 'target.columns' must be a mapping of logical keys to column names, "
                + "not a boolean")
        #expect(
            parseError("source: [a]\n")
                == "mappings/t.yaml:1:9: error: 'source' must be a mapping, not a list")
        #expect(
            parseError("source:\n  database: 5\n")
                == "mappings/t.yaml:2:13: error: 'source.database' must be a string, not an integer")
        #expect(
            parseError("target:\n  schema: \"\"\n")
                == "mappings/t.yaml:2:11: error: 'target.schema' must not be empty")
        #expect(
            parseError("source:\n  columns:\n    \"\": a\n")
                == "mappings/t.yaml:3:5: error: a key of 'source.columns' must not be empty")
        #expect(
            parseError("source:\n  columns:\n    1: a\n")
                == "mappings/t.yaml:3:5: error: a key of 'source.columns' must be a string, not an integer")
        #expect(
            parseError("metrics:\n  Revenue: [1]\n")
                == "mappings/t.yaml:2:12: error: 'metrics.Revenue' must be a string, not a list")
        #expect(
            parseError("metrics: Revenue\n")
                == "mappings/t.yaml:1:10: error: 'metrics' must be a mapping of old metric names to new names, "
                + "not a string")
        #expect(
            parseError("vars: [TENANT_KEY]\n")
                == "mappings/t.yaml:1:7: error: 'vars' must be a mapping of variable names to values, not a list")
        #expect(
            parseError("vars:\n  1: x\n")
                == "mappings/t.yaml:2:3: error: a key of 'vars' must be a string, not an integer")
        #expect(
            parseError("- source\n") == "mappings/t.yaml:1:1: error: the mapping file must be a mapping, not a list")
        #expect(
            parseError("1: x\n")
                == "mappings/t.yaml:1:1: error: keys of the mapping file must be strings, not an integer")
    }

    @Test("an empty file, a comment-only file and a null document are errors")
    func emptyFile() {
        #expect(parseError("") == "mappings/t.yaml:1:1: error: mapping file is empty")
        #expect(parseError("# nothing yet\n") == "mappings/t.yaml:1:1: error: mapping file is empty")
        #expect(parseError("\n\n~\n") == "mappings/t.yaml:3:1: error: mapping file is empty")
    }

    @Test("YAML syntax errors come from the YAML parser with their position")
    func syntaxError() {
        #expect(
            parseError("source:\n  tables: [a\n")
                == "mappings/t.yaml:3:1: error: did not find expected ',' or ']' "
                + "(while parsing a flow sequence at line 2, column 11)")
        #expect(
            parseError("source: {}\nsource: {}\n")?.hasPrefix("mappings/t.yaml:2:1: error: ") == true)
    }

    @Test("two table keys with the same source name and different targets are an error at the second")
    func conflictingTables() {
        let text = """
            source:
              tables:
                a: fact
                b: fact
            target:
              tables:
                a: x
                b: y
            """
        #expect(
            parseError(text)
                == "mappings/t.yaml:4:5: error: 'source.tables.b' and 'source.tables.a' (line 3) both name 'fact' "
                + "but map it to different targets ('y' and 'x')")
        let columns = "source:\n  columns: {a: c, b: c}\ntarget:\n  columns: {a: x, b: y}\n"
        #expect(
            parseError(columns)
                == "mappings/t.yaml:2:19: error: 'source.columns.b' and 'source.columns.a' (line 2) both name 'c' "
                + "but map it to different targets ('y' and 'x')")
    }

    @Test("two table keys with the same source and target are fine and share one lookup")
    func agreeingTables() throws {
        let text = "source:\n  tables: {a: fact, b: fact}\ntarget:\n  tables: {a: x, b: x}\n"
        let mapping = try TenantMapping.parse(Array(text.utf8), path: "mappings/t.yaml")
        #expect(mapping.entries.count == 2)
        #expect(mapping.tables == ["fact": MappingRename(from: "fact", to: "x", entryID: 0)])
        var usage = MappingUsage()
        usage.insert(0)
        #expect(usage.unusedEntryWarnings(for: mapping).isEmpty, "the duplicate is used through the shared lookup")
    }

    @Test("a name on one side only is a warning and is not applied")
    func oneSided() throws {
        let text = """
            source:
              database: dev
              tables:
                a: fa
              columns: {k: c}
            target:
              schema: s
              tables:
                c: fc
              columns: {k: d}
            """
        let mapping = try TenantMapping.parse(Array(text.utf8), path: "mappings/t.yaml")
        #expect(
            mapping.warnings.map(\.description) == [
                "mappings/t.yaml:2:3: warning: 'source.database' has no counterpart 'target.database'; "
                    + "it is not applied",
                "mappings/t.yaml:4:5: warning: 'source.tables.a' has no counterpart 'target.tables.a'; "
                    + "it is not applied",
                "mappings/t.yaml:7:3: warning: 'target.schema' has no counterpart 'source.schema'; it is not applied",
                "mappings/t.yaml:9:5: warning: 'target.tables.c' has no counterpart 'source.tables.c'; "
                    + "it is not applied",
            ])
        #expect(mapping.database == nil)
        #expect(mapping.schema == nil)
        #expect(mapping.tables.isEmpty)
        #expect(mapping.entries.map(\.kind) == [.column])
        #expect(mapping.columns["c"] == MappingRename(from: "c", to: "d", entryID: 0))
    }

    @Test("load reads the file and names it by its display path")
    func load() throws {
        let directory = TemporaryDirectory()
        try directory.write("mappings/client_a.yaml", seedMappingText)
        let mapping = try TenantMapping.load(
            path: directory.path + "/mappings/client_a.yaml", displayPath: "mappings/client_a.yaml")
        #expect(mapping == (try seedMapping()))
        #expect(throws: Diagnostic.self) {
            try TenantMapping.load(path: directory.path + "/mappings/missing.yaml")
        }
        try directory.write("mappings/bad.yaml", "source: {x: 1}\n")
        #expect(
            parseErrorOfLoad(directory.path + "/mappings/bad.yaml", display: "mappings/bad.yaml")
                == "mappings/bad.yaml:1:10: error: unknown key 'x' in 'source' "
                + "(allowed: database, schema, tables, columns)")
    }

    @Test("the tenant name is the file name without its YAML extension")
    func tenantName() {
        #expect(TenantMapping.tenantName(of: "mappings/client_a.yaml") == "client_a")
        #expect(TenantMapping.tenantName(of: "x.yml") == "x")
        #expect(TenantMapping.tenantName(of: "a/b.c.yaml") == "b.c")
        #expect(TenantMapping.tenantName(of: "noext") == "noext")
    }

    private func parseErrorOfLoad(_ path: String, display: String) -> String? {
        do {
            _ = try TenantMapping.load(path: path, displayPath: display)
            return nil
        } catch {
            return error.description
        }
    }
}

@Suite("Mapping usage")
struct MappingUsageTests {
    @Test("a bit per entry id; union; trailing zero words do not count")
    func bits() throws {
        var usage = MappingUsage()
        #expect(usage.isEmpty)
        usage.insert(0)
        usage.insert(130)
        usage.insert(-1)
        #expect(usage.words == [1, 0, 4])
        #expect(usage.contains(0) && usage.contains(130))
        #expect(!usage.contains(1) && !usage.contains(129) && !usage.contains(500) && !usage.contains(-1))
        var other = MappingUsage(words: [2, 0, 0, 0])
        #expect(other.words == [2])
        other.formUnion(usage)
        #expect(other.words == [3, 0, 4])
        #expect(MappingUsage(words: [1, 0]) == MappingUsage(words: [1]))
        #expect(usage.union(MappingUsage(words: [0, 8])).words == [1, 8, 4])
    }

    @Test("encodes as its words")
    func codable() throws {
        var usage = MappingUsage()
        usage.insert(3)
        usage.insert(64)
        let data = try JSONEncoder().encode(usage)
        #expect(String(decoding: data, as: UTF8.self) == "[8,1]")
        #expect(try JSONDecoder().decode(MappingUsage.self, from: Data("[8,1,0]".utf8)) == usage)
    }

    @Test("every unused entry is a warning at its line in the mapping file, sorted by line")
    func allUnused() throws {
        let warnings = MappingUsage().unusedEntryWarnings(for: try seedMapping())
        #expect(
            warnings.map(\.description) == [
                "mappings/client_a.yaml:2:3: warning: source database 'analytics_dev' matches nothing in the bundle",
                "mappings/client_a.yaml:3:3: warning: source schema 'public' matches nothing in the bundle",
                "mappings/client_a.yaml:5:5: warning: source table 'fact_sales' (tables.fact_sales) "
                    + "matches nothing in the bundle",
                "mappings/client_a.yaml:7:5: warning: source column 'customer_id' (columns.customer_id) "
                    + "matches nothing in the bundle",
                "mappings/client_a.yaml:8:5: warning: source column 'order_date' (columns.order_date) "
                    + "matches nothing in the bundle",
                "mappings/client_a.yaml:18:3: warning: metric 'Total Revenue' matches nothing in the bundle",
            ])
    }

    @Test("used entries are not reported")
    func someUsed() throws {
        var usage = MappingUsage()
        for id in [0, 2, 3, 5] { usage.insert(id) }
        let warnings = MappingUsage().union(usage).unusedEntryWarnings(for: try seedMapping())
        #expect(warnings.map { $0.location?.line } == [3, 8])
        #expect(warnings.allSatisfy { $0.severity == .warning })
    }
}
