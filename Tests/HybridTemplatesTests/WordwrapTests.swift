import Foundation
import HybridTemplates
import HybridYAML
import Testing

@Suite("wordwrap")
struct WordwrapTests {
    private func render(_ source: String) throws -> String {
        let fixture = try TemplateFixture([:])
        return try fixture.environment().render(source: source, name: "t.j2").output
    }

    @Test("a 100,000-character word at width 1 becomes 100,000 lines (linear, was quadratic)")
    func longWord() throws {
        let output = try render("{{ ('x' * 10**5) | wordwrap(1) }}")
        #expect(output.utf8.count == 2 * 100_000 - 1)
        #expect(output.split(separator: "\n").count == 100_000)
        #expect(output.split(separator: "\n").allSatisfy { $0 == "x" })
    }

    @Test("long words are split to the width and short ones joined (as Jinja2 renders these)")
    func mixed() throws {
        #expect(try render("{{ 'aaaaaaa' | wordwrap(3) }}") == "aaa\naaa\na")
        #expect(try render("{{ 'one two three four' | wordwrap(9) }}") == "one two\nthree\nfour")
        #expect(try render("{{ 'aaaaaaa b' | wordwrap(3, break_long_words=false) }}") == "aaaaaaa\nb")
    }

    @Test("a width below 1 is textwrap's ValueError, not a hang")
    func zeroWidth() throws {
        #expect(throws: TemplateError.self) { try render("{{ 'abc' | wordwrap(0) }}") }
        do {
            _ = try render("{{ 'abc' | wordwrap(0) }}")
        } catch let error as TemplateError {
            #expect(error.description.contains("invalid width 0 (must be > 0)"))
        }
    }
}
