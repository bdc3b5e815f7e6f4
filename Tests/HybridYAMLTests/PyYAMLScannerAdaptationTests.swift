import HybridYAML
import Testing

/// Where libyaml stops but PyYAML reads on, hybrid rewrites the text for libyaml; every position
/// it reports is still one of the original text.
@Suite("Reading on where PyYAML does (rewritten for libyaml)")
struct PyYAMLScannerAdaptationTests {
    @Test("an error after a rewrite on the same line points at the original column")
    func errorColumnAfterRewrite() throws {
        do {
            _ = try YAMLParser.parseDocument("z: [k:, {d: 1, d: 2}]\n", file: "in.yaml")
            Issue.record("expected a duplicate key")
        } catch {
            #expect(error.kind == .duplicateKey)
            #expect(error.location.line == 1 && error.location.column == 16, "\(error)")
        }
    }

    @Test("node marks after a rewrite are original positions")
    func nodeMarks() throws {
        let node = try #require(try YAMLParser.parseDocument("- [a:, b]\n- [?, c]\n", file: "in.yaml"))
        let items = try #require(node.sequenceValue)
        #expect(items[0].sequenceValue?[1].mark == YAMLMark(line: 1, column: 8))
        #expect(items[1].sequenceValue?[1].mark == YAMLMark(line: 2, column: 7))
    }

    @Test("comments are found in documents libyaml reads only after a rewrite")
    func commentsAfterRewrite() throws {
        #expect(YAMLCommentScanner.comments(in: Array("a: [b:, c] # note\n".utf8)) == [YAMLMark(line: 1, column: 12)])
    }

    @Test("more places to rewrite than the bound is an error at the first one past it, in linear time")
    func rewriteBound() throws {
        let text = (0..<40).map { "k\($0): [a:, b:]\n" }.joined()
        do {
            _ = try YAMLParser.parseDocument(text, file: "in.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.location.line == 33 && error.location.column == 8, "\(error)")
            #expect(error.message.contains("at most 64"))
        }
        let withinBound = (0..<32).map { "k\($0): [a:, b:]\n" }.joined()
        #expect(try YAMLParser.parseDocument(withinBound, file: "in.yaml")?.mappingValue?.count == 32)
    }

    @Test("a surrogate escape is an invalid-value error at its backslash")
    func surrogateEscape() throws {
        do {
            _ = try YAMLParser.parseDocument("a: \"x\\ud83d\\ude00\"\n", file: "in.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.location.column == 6, "\(error)")
            #expect(error.message.contains("surrogate"))
        }
    }
}
