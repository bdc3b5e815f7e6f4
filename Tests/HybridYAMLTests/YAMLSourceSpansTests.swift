import HybridYAML
import Testing

@Suite("YAML source spans")
struct YAMLSourceSpansTests {
    @Test("spans are byte offsets covering quotes, also after multi-byte characters")
    func byteOffsets() throws {
        let text = "name: \"ünï\"\nlist:\n  - a\n  - 'b c'\nflow: {x: 1}\n"
        let bytes = Array(text.utf8)
        let root = try #require(YAMLSourceSpans.parse(bytes))
        let name = try #require(root.entry(forKey: "name")?.value)
        #expect(String(decoding: bytes[name.start..<name.end], as: UTF8.self) == "\"ünï\"")
        guard case .scalar(_, _, let style, let value) = name else { throw SpanError.notScalar }
        #expect(style == .doubleQuoted)
        #expect(value == "ünï")
        let items = try #require(root.entry(forKey: "list")?.value.items)
        #expect(items.count == 2)
        #expect(String(decoding: bytes[items[1].start..<items[1].end], as: UTF8.self) == "'b c'")
        let flow = try #require(root.entry(forKey: "flow")?.value)
        #expect(flow.isFlow)
        #expect(String(decoding: bytes[flow.start..<flow.end], as: UTF8.self) == "{x: 1}")
    }

    @Test("a text libyaml cannot read has no spans")
    func unreadable() {
        #expect(YAMLSourceSpans.parse(Array("a: [1, 2\n".utf8)) == nil)
    }

    @Test("a scalar written in a preferred style reads back as the same value")
    func preferredStyle() throws {
        for value in ["plain", "with: colon", "it's", "two\nlines\n", "", "123", "ünï"] {
            for style in [YAMLScalarSourceStyle.plain, .singleQuoted, .doubleQuoted, .literal] {
                let text = YAMLEmitter.scalarText(.string(value), preferring: style, blockIndent: 2)
                let document = try YAMLParser.parseDocument("key: " + text + "\n", file: "t")
                #expect(document?.mappingValue?["key"]?.stringValue == value, "\(style) \(text)")
            }
        }
    }

    enum SpanError: Error { case notScalar }
}
