import Foundation
import HybridTemplates
import HybridTestSupport
import HybridYAML
import PropertyBased
import Testing

/// Bounded random input for the lexer, parser and evaluator: whatever the text, a render ends
/// with output or a positioned TemplateError (a crash or hang fails the whole suite).
@Suite("Random templates")
struct RandomTemplateTests {
    static let fragments: [String] = [
        "{{", "}}", "{%", "%}", "{#", "#}", "{%-", "-%}", "{{-", "-}}", " ", "\n", "x", "y", "items", "d", "1", "0",
        "-1",
        "2.5", "1e3", "'s'", "\"t\"", "'", "\"", "\\", "+", "-", "*", "/", "//", "%", "**", "~", "|", ".", ",", ":",
        "(", ")",
        "[", "]", "{", "}", "==", "!=", "<", ">=", " and ", " or ", " not ", " in ", " is ", " if ", " else ", "for ",
        "endfor",
        "if ", "elif ", "else", "endif", "set ", " = ", "endset", "macro m(a, b=1)", "endmacro", "m(", "call m()",
        "endcall",
        "caller()", "include 'p.j2'", "include 'self.j2'", "import 'p.j2' as q", "from 'p.j2' import f",
        "extends 'p.j2'",
        "block b", "endblock", "super()", "with ", "endwith", "filter upper", "endfilter", "raw", "endraw",
        "loop.index",
        "loop.cycle(1, 2)", "range(3)", "namespace(a=1)", "dict(a=1)", "upper", "default('z')", "join(',')",
        "map('string')",
        "list", "length", "sort", "tojson", "format(1)", "replace('a', 'b')", "int", "float", "round(1)", "defined",
        "none",
        "odd", "divisibleby(0)", "é", "😀", "\t", "\r\n", "undefined_name", "x.y", "d['k']", "d.k", "items[0]",
        "items[::-1]",
    ]

    static func template(seed: UInt64, length: Int) -> String {
        var random = SplitMix(state: seed)
        return (0..<length).map { _ in fragments.randomElement(using: &random)! }.joined()
    }

    @Test("any mix of template syntax renders or fails with a file:line:col error")
    func randomTemplates() async throws {
        let fixture = try TemplateFixture([
            "p.j2": "{% macro f() %}F{% endmacro %}{% block b %}B{% endblock %}P",
            "self.j2": "{% include 'self.j2' %}",
        ])
        let environment = fixture.environment(TemplateOptions(fileCheck: .untilInvalidated))
        let variables = try TemplateFixture.variables("x: 3\ny: text\nitems: [1, b, 2.5]\nd: {k: v, n: [1]}\n")
        await propertyCheck(count: 3000, input: Gen.uint64(), Gen.int(in: 1...25)) { seed, length in
            let text = Self.template(seed: seed, length: length)
            do {
                _ = try environment.render(source: text, name: "random.j2", variables: variables)
            } catch let error as TemplateError {
                #expect(error.location.line >= 1 && error.location.column >= 1, "seed \(seed): \(error)")
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("seed \(seed): unexpected \(error)")
            }
        }
    }

    @Test("random bytes never crash the lexer and parser")
    func randomBytes() async throws {
        let fixture = try TemplateFixture([:])
        let environment = fixture.environment()
        await propertyCheck(count: 2000, input: Gen.uint64()) { seed in
            var random = SplitMix(state: seed)
            let bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random) % 3 == 0
                    ? Array("{%}#-'\"".utf8).randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                try environment.checkSyntax(text, name: "bytes.j2")
            } catch let error as TemplateError {
                #expect(error.location.line >= 1, "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): unexpected \(error)")
            }
        }
    }
}
