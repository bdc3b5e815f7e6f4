import HybridYAML
import Testing

@Suite("YAMLCommentScanner")
struct YAMLCommentScannerTests {
    func marks(_ yaml: String) -> [String]? {
        YAMLCommentScanner.comments(in: Array(yaml.utf8))?.map { "\($0.line):\($0.column)" }
    }

    @Test("finds full-line and trailing comments")
    func finds() {
        #expect(marks("# head\na: 1 # tail\nb: [1, # in flow\n  2]\n") == ["1:1", "2:6", "3:8"])
    }

    @Test("a # inside a scalar is content, not a comment")
    func ignoresScalarContent() {
        #expect(marks("a: 'x # y'\nb: \"# z\"\nc: a#b\nd: |\n  # literal line\n  more\n") == [])
    }

    @Test("a comment right after a block scalar is found")
    func afterBlockScalar() {
        #expect(marks("a: |\n  text\n# after\nb: 1\n") == ["3:1"])
    }

    @Test("a # right after a closing bracket or a quoted scalar starts a comment, as the scanners read it")
    func afterToken() {
        #expect(marks("a: [1]# one\nb: 'x'#two\n") == ["1:7", "2:7"])
    }

    @Test("positions after a byte-order mark inside a line are PyYAML's (the mark has no column)")
    func afterInnerByteOrderMark() {
        #expect(marks("a: b\u{FEFF} # c\n") == ["1:6"])
    }

    @Test("nil for text libyaml cannot parse")
    func unparseable() {
        #expect(marks("a: [") == nil)
    }
}
