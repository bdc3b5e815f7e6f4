import HybridYAML
import Testing

/// Bad input is one error with `file:line:col`, never a crash or a silent choice.
@Suite("YAMLParser errors")
struct YAMLParserErrorTests {
    func error(_ yaml: String, options: YAMLParseOptions = YAMLParseOptions()) -> YAMLError? {
        do {
            _ = try YAMLParser.parseDocument(yaml, file: "in.yaml", options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test("malformed YAML reports libyaml's problem at the right place")
    func malformed() throws {
        let e = try #require(error("a: [1, 2\nb: 3\n"))
        #expect(e.kind == .syntax)
        #expect(e.description.hasPrefix("in.yaml:2:2: error: did not find expected ',' or ']'"))
    }

    @Test(
        "duplicate keys, including keys Python's dict would merge",
        arguments: [
            ("a: 1\nb: 2\na: 3\n", 3, 1), ("'a': 1\na: 2\n", 2, 1), ("1: x\n0x1: y\n", 2, 1),
            ("true: x\nyes: y\n", 2, 1),
            ("1: a\n1.0: b\n", 2, 1), ("1: a\ntrue: b\n", 2, 1), ("{a: 1, a: 2}", 1, 8),
            ("2001-12-14 21:59:43 -5: a\n2001-12-15 02:59:43 Z: b\n", 2, 1),
        ])
    func duplicateKeys(yaml: String, line: Int, column: Int) throws {
        let e = try #require(error(yaml))
        #expect(e.kind == .duplicateKey)
        #expect(e.location.line == line && e.location.column == column)
    }

    @Test("duplicate keys among many (indexed lookup) are found too")
    func duplicateInLargeMapping() throws {
        let yaml = (0..<50).map { "k\($0): \($0)\n" }.joined() + "k7: again\n"
        let e = try #require(error(yaml))
        #expect(e.kind == .duplicateKey && e.location.line == 51)
        #expect(e.message.contains("line 8"))
    }

    @Test("keys that look alike but differ in code points are distinct (no Unicode normalization)")
    func canonicalEquivalentKeysAreDistinct() throws {
        let node = try #require(try YAMLParser.parseDocument("\u{E9}: 1\ne\u{301}: 2\n", file: "t.yaml"))
        #expect(node.mappingValue?.count == 2)
    }

    @Test("merged keys may be overridden; that is not a duplicate")
    func mergeOverride() throws {
        let yaml = "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n"
        let node = try #require(try YAMLParser.parseDocument(yaml, file: "t.yaml"))
        let use = try #require(node.mappingValue?["use"]?.mappingValue)
        #expect(use.entries.map { $0.key.stringValue } == ["x", "y"])
        #expect(use["y"] == YAMLNode(.int(3)))
    }

    @Test("an alias bomb stops at the expansion bound")
    func aliasBomb() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let e = try #require(error(yaml))
        #expect(e.kind == .aliasLimit)
        #expect(e.location.line == 6)
        // A tighter bound trips earlier.
        #expect(error(yaml, options: YAMLParseOptions(maxAliasExpansion: 50))?.location.line == 2)
    }

    @Test(
        "recursive, undefined and duplicate anchors",
        arguments: [
            ("a: &x [1, *x]\n", YAMLError.Kind.recursiveAlias, 1, 11), ("a: *nope\n", .undefinedAlias, 1, 4),
            ("a: &x 1\nb: &x 2\n", .duplicateAnchor, 2, 4),
        ])
    func anchors(yaml: String, kind: YAMLError.Kind, line: Int, column: Int) throws {
        let e = try #require(error(yaml))
        #expect(e.kind == kind)
        #expect(e.location.line == line && e.location.column == column)
    }

    @Test("a second document where one is expected")
    func multipleDocuments() throws {
        let e = try #require(error("a: 1\n---\nb: 2\n"))
        #expect(e.kind == .multipleDocuments && e.location.line == 2)
    }

    @Test("nesting deeper than the bound is an error, not a stack overflow")
    func deepNesting() throws {
        let yaml = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(error(yaml)?.kind == .nestingLimit)
        #expect(error(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) == nil)
    }

    @Test(
        "unhashable keys and bad merges",
        arguments: [
            ("? [a]\n: 1\n", YAMLError.Kind.unhashableKey), ("a: {<<: 1}\n", .invalidMerge),
            ("a: {<<: [1]}\n", .invalidMerge),
            ("a: =\n", .invalidValue), ("- <<\n", .unsupportedTag),
        ])
    func constructorErrors(yaml: String, kind: YAMLError.Kind) {
        #expect(error(yaml)?.kind == kind)
    }

    @Test("invalid UTF-8 and control characters are syntax errors with a position")
    func badBytes() throws {
        var invalid: YAMLError?
        do {
            _ = try YAMLParser.parseDocument([0x61, 0x3A, 0x20, 0xFF, 0x0A] as [UInt8], file: "b.yaml")
        } catch {
            invalid = error
        }
        let invalidError = try #require(invalid)
        #expect(invalidError.kind == .syntax && invalidError.location.line == 1)
        let control = try #require(error("a: b\nc: d\u{07}\n"))
        #expect(control.kind == .syntax && control.location.line == 2)
    }

    @Test("an empty stream has no document; an empty document is null")
    func emptyStreams() throws {
        #expect(try YAMLParser.parseDocument("", file: "t.yaml") == nil)
        #expect(try YAMLParser.parseDocument("# only a comment\n", file: "t.yaml") == nil)
        #expect(try YAMLParser.parseDocument("---\n", file: "t.yaml") == YAMLNode(.null))
    }
}
