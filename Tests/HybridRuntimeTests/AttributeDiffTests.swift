import HybridYAML
import Testing

@testable import HybridRuntime

@Suite("AttributeDiff")
struct AttributeDiffTests {
    private func lines(_ old: String, _ new: String) throws -> [String] {
        let a = try #require(try YAMLParser.parseDocument(old, file: "old"))
        let b = try #require(try YAMLParser.parseDocument(new, file: "new"))
        return AttributeDiff.changes(from: a, to: b).map(\.line)
    }

    @Test("a scalar change, an added and a removed key, by key path")
    func keys() throws {
        #expect(
            try lines(
                "params: {row_limit: 1000, x_axis: ds}\ndescription: old\n",
                "params: {row_limit: 999, x_axis: ds, color: red}\n")
                == ["- description: old", "+ params.color: red", "~ params.row_limit: 1000 → 999"])
    }

    @Test("an inserted list item is one addition, not a change of every later item")
    func listInsert() throws {
        #expect(
            try lines("metrics: [a, b, c]\n", "metrics: [a, x, b, c]\n") == ["+ metrics[1]: x"])
        #expect(try lines("metrics: [a, b, c]\n", "metrics: [a, c]\n") == ["- metrics[1]: b"])
        #expect(
            try lines("metrics: [{name: a, d3: x}]\n", "metrics: [{name: a, d3: y}]\n") == ["~ metrics[0].d3: x → y"])
    }

    @Test("a long or multi-line value is shown as a unified diff")
    func longValue() throws {
        let a = try #require(try YAMLParser.parseDocument("sql: |\n  SELECT a\n  FROM t\n", file: "a"))
        let b = try #require(try YAMLParser.parseDocument("sql: |\n  SELECT a, b\n  FROM t\n", file: "b"))
        let change = try #require(AttributeDiff.changes(from: a, to: b).first)
        #expect(change.line == "~ sql")
        #expect(change.diff?.contains("-SELECT a\n+SELECT a, b\n FROM t\n") == true)
    }

    @Test("equal documents have no changes")
    func equal() throws {
        #expect(try lines("a: [1, {b: 2}]\n", "a: [1, {b: 2}]\n").isEmpty)
    }
}
