import Foundation
import HybridTemplates
import HybridYAML
import Testing

/// Bounds and properties of the Python value semantics beyond the conformance corpus: huge inputs
/// stay linear or stop at the memory budget, and exact arithmetic holds for every size.
@Suite("Python values: bounds and properties")
struct ValueSemanticsTests {
    private func render(_ source: String, budget: Int = TemplateOptions.defaultMemoryBudget) throws -> String {
        let fixture = try TemplateFixture([:])
        return try fixture.environment(TemplateOptions(memoryBudget: budget)).render(source: source, name: "t.j2")
            .output
    }

    @Test("wordwrap of 300,000 characters of hyphens, em-dashes and hyphenated words finishes quickly")
    func wordwrapLinear() throws {
        let started = Date()
        let hyphenated = try render("{{ ('ab-' * 100000) | wordwrap(7) | length }}")
        let dashes = try render("{{ ('-' * 300000) | wordwrap(10) | length }}")
        let emDashes = try render("{{ ('a--' * 100000) | wordwrap(1000) | length }}")
        let unbroken = try render("{{ ('x' * 300000) | wordwrap(3, break_long_words=false) | length }}")
        #expect(Int(hyphenated)! > 300_000)
        #expect(Int(dashes)! == 300_000 + 29_999)
        #expect(Int(emDashes)! > 300_000)
        #expect(unbroken == "300000")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test("wordwrap with a NaN width is an error (Python's textwrap never finishes)")
    func wordwrapNaN() throws {
        #expect(throws: TemplateError.self) { try render("{{ 'a b' | wordwrap('nan' | float) }}") }
    }

    @Test("pprint of a 50,000-element nested structure renders one element per line")
    func pprintLarge() throws {
        let output = try render("{{ range(50000) | map('string') | list | batch(2) | list | pprint }}")
        #expect(output.split(separator: "\n").count == 25_000)
        #expect(output.hasPrefix("[['0', '1'],\n ['2', '3'],"))
    }

    @Test("pprint stops at the render's memory budget instead of building a huge text")
    func pprintBudget() throws {
        #expect(throws: TemplateError.self) {
            try render("{{ [[['x' * 1000] * 1000] * 100] | pprint }}", budget: 4 << 20)
        }
    }

    @Test("int / int is the same float when both sides are scaled by 2**60 (correct rounding at any size)")
    func trueDivisionScaled() throws {
        var generator = SystemRandomNumberGenerator()
        var pairs: [String] = []
        for _ in 0..<400 {
            let a = Int.random(in: -(1 << 53)...(1 << 53), using: &generator)
            let b = Int.random(in: 1...(1 << 53), using: &generator)
            pairs.append("(\(a), \(b))")
        }
        let source =
            "{% for a, b in [\(pairs.joined(separator: ", "))] %}"
            + "{{ '' if a / b == (a * 2**60) / (b * 2**60) == (a * 10**30) / (b * 10**30) else a ~ '/' ~ b ~ ' ' }}"
            + "{% endfor %}"
        #expect(try render(source) == "")
    }

    @Test("str.lower and str.upper agree with Python on the final sigma and on special casings")
    func casing() throws {
        #expect(try render("{{ 'ΌΣΟΣ ΣΑΣ Σ AΣ.'.lower() }}") == "όσος σας σ aς.")
        #expect(try render("{{ 'ﬃ ß ŉ'.upper() }}|{{ 'İ'.lower() | length }}") == "FFI SS ʼN|2")
    }
}
