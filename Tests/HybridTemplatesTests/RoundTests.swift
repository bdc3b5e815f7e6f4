import Foundation
import HybridTemplates
import Testing

@Suite("round with extreme precisions")
struct RoundTests {
    private func render(_ source: String) throws -> String {
        let fixture = try TemplateFixture([:])
        return try fixture.environment().render(source: source, name: "t.j2").output
    }

    @Test(
        "answers at once what Python's round answers (a fuzz-found hang: 10**precision was built first)",
        arguments: [
            ("{{ 0.234 | round(29999999999) }}", "0.234"),  // past 323 digits a float is unchanged
            ("{{ round_me | round(400) }}", "1.5"),
            ("{{ (-1.5e300) | round(-309) }}", "-0.0"),  // past -308 a float is a zero of its sign
            ("{{ 1.5e300 | round(-300) }}", "2e+300"),
            ("{{ 12345 | round(-6) }} {{ -56789 | round(-5) }} {{ 15 | round(-1) }}", "0 -100000 20"),
            ("{{ 12345 | round(-29999999999) }}", "0"),  // an int smaller than half the power rounds to 0
        ])
    func extremes(template: String, expected: String) throws {
        let source = template.replacingOccurrences(of: "round_me", with: "1.5")
        #expect(try render(source) == expected)
    }
}
