import HybridYAML
import Testing

@Suite("YAMLEmitter")
struct YAMLEmitterTests {
    func canonical(_ yaml: String) throws -> String {
        YAMLEmitter.emitString(try #require(try YAMLParser.parseDocument(yaml, file: "t.yaml")))
    }

    @Test("block style, 2-space indent, keys sorted by code point")
    func layout() throws {
        let input = "b: {y: [1, {q: 2, p: 3}], x: []}\na: {}\nZ: 1\né: 2\n"
        let expected = """
            Z: 1
            a: {}
            b:
              x: []
              y:
                - 1
                - p: 3
                  q: 2
            é: 2

            """
        #expect(try canonical(input) == expected)
    }

    @Test("nested sequences use compact notation")
    func nestedSequences() throws {
        #expect(try canonical("[[1, 2], [], [[3]]]") == "- - 1\n  - 2\n- []\n- - - 3\n")
    }

    @Test(
        "strings that would read as something else are quoted; others stay plain",
        arguments: [
            ("'yes'", "'yes'"), ("'123'", "'123'"), ("'1e3'", "1e3"), ("'-.5'", "-.5"), ("'null'", "'null'"),
            ("''", "''"), ("' x'", "' x'"), ("'x '", "'x '"), ("'a: b'", "'a: b'"), ("'a #b'", "'a #b'"),
            ("'a#b'", "a#b"), ("'- x'", "'- x'"), ("'-x'", "-x"), ("'@x'", "'@x'"), ("'`x'", "'`x'"),
            ("'---x'", "'---x'"), ("'<<'", "'<<'"), ("'='", "'='"), ("'2024-01-02'", "'2024-01-02'"),
            ("'it''s'", "it's"), ("'''q'''", "'''q'''"), ("'a,b [c]'", "a,b [c]"), ("':x'", ":x"), ("'x:'", "'x:'"),
            ("'0o17'", "0o17"), ("'~'", "'~'"), ("'%x'", "'%x'"),
        ])
    func quoting(input: String, output: String) throws {
        #expect(try canonical("k: \(input)\n") == "k: \(output)\n")
    }

    @Test(
        "control characters, tabs and Unicode line breaks use double-quoted escapes",
        arguments: [
            ("\"a\\tb\"", "\"a\\tb\""), ("\"\\0\\a\\b\\e\"", "\"\\0\\a\\b\\e\""), ("\"\\x7F\"", "\"\\x7F\""),
            ("\"\\N\"", "\"\\N\""), ("\"\\L\"", "\"\\L\""), ("\"a\\rb\"", "\"a\\rb\""), ("\"\\uFEFF\"", "\"\\uFEFF\""),
            ("\"é\\u00A0x\"", "é\u{A0}x"), ("\"a \\n\"", "\"a \\n\""),
        ])
    func escapes(input: String, output: String) throws {
        #expect(try canonical("k: \(input)\n") == "k: \(output)\n")
    }

    @Test(
        "multi-line strings become literal blocks with the right chomping",
        arguments: [
            ("\"a\\nb\"", "k: |-\n  a\n  b\n"), ("\"a\\nb\\n\"", "k: |\n  a\n  b\n"),
            ("\"a\\n\\n\"", "k: |+\n  a\n\n"), ("\"\\n\"", "k: |2+\n\n"), ("\" a\\nb\"", "k: |2-\n   a\n  b\n"),
            ("\"a\\n\\nb\"", "k: |-\n  a\n\n  b\n"),
        ])
    func literals(input: String, output: String) throws {
        #expect(try canonical("k: \(input)\n") == output)
    }

    @Test("trailing spaces on a line force double quotes (editors strip them)")
    func trailingSpacesInLines() throws {
        #expect(try canonical("k: \"a \\nb\"\n") == "k: \"a \\nb\"\n")
    }

    @Test("non-string scalars use PyYAML's representer forms")
    func scalars() throws {
        let input =
            "[~, yes, 0x10, 1.5, 1.0e+16, .nan, -.inf, 2024-01-02, 2001-12-14 21:59:43.10 -5, 99999999999999999999]"
        #expect(
            try canonical(input)
                == "- null\n- true\n- 16\n- 1.5\n- 1.0e+16\n- .nan\n- -.inf\n- 2024-01-02\n- 2001-12-14T21:59:43.100000-05:00\n- 99999999999999999999\n"
        )
    }

    @Test("non-string keys sort by their text, before equal-text strings")
    func mixedKeys() throws {
        #expect(
            try canonical("{b: 1, 10: 2, '1': 3, 1: 4, null: 5, false: 6}")
                == "1: 4\n'1': 3\n10: 2\nb: 1\nfalse: 6\nnull: 5\n")
    }

    @Test("keys longer than a simple key allows become explicit ? keys and read back")
    func longKeys() throws {
        let key = String(repeating: "k", count: 1500)
        let node = YAMLNode(
            .mapping(YAMLMapping([.init(key: YAMLNode(.string(key)), value: YAMLNode(.sequence([YAMLNode(.int(1))])))]))
        )
        let output = YAMLEmitter.emitString(node)
        #expect(output.hasPrefix("? kkk"))
        #expect(output.hasSuffix("\n:\n  - 1\n"))
        let reread = try #require(try YAMLParser.parseDocument(output, file: "t.yaml"))
        #expect(reread.mappingValue?[key] == YAMLNode(.sequence([YAMLNode(.int(1))])))
    }

    @Test("top-level scalars and empty collections")
    func topLevel() throws {
        #expect(try canonical("hello") == "hello\n")
        #expect(try canonical("'yes'") == "'yes'\n")
        #expect(try canonical("[]") == "[]\n")
        #expect(try canonical("{}") == "{}\n")
        #expect(try canonical("\"a\\nb\"") == "|-\n  a\n  b\n")
        #expect(try canonical("---\n") == "null\n")
    }

    @Test("a stream of several documents is separated by ---")
    func streams() throws {
        let documents = try YAMLParser.parseStream(Array("a: 1\n---\n- x\n--- plain\n".utf8), file: "t.yaml")
        #expect(
            String(decoding: YAMLEmitter.emitStream(documents), as: UTF8.self) == "---\na: 1\n---\n- x\n--- plain\n")
        #expect(YAMLEmitter.emitStream([]).isEmpty)
    }

    @Test("emitting what was read from the output gives the same bytes")
    func idempotent() throws {
        let input = "z: {b: [1, 'two', {c: \"x\\ny\"}]}\na: ' lead'\n"
        let once = try canonical(input)
        #expect(try canonical(once) == once)
    }
}
