import HybridYAML
import Testing

@testable import HybridCompiler

@Suite("Reverse substitution")
struct ReverseSubstitutionTests {
    static let variables: [String: YAMLNode] = [
        "DB_HOST": YAMLNode(.string("db-dev.example.com")), "ENV": YAMLNode(.string("dev")),
        "DB_NAME": YAMLNode(.string("analytics_dev")), "SHORT": YAMLNode(.string("ab")),
        "ONE": YAMLNode(.string("shared")), "TWO": YAMLNode(.string("shared")),
    ]

    /// Renders `{{ NAME }}` as the variable's value (what the engine does for these).
    static func substitution(rules: [TranslateSettings.Rule] = []) -> ReverseSubstitution {
        ReverseSubstitution(variables: variables, rules: rules) { text in
            guard text.hasPrefix("{{ "), text.hasSuffix(" }}") else { return nil }
            return variables[String(text.dropFirst(3).dropLast(3))]?.stringValue
        }
    }

    @Test("values become variables: longest first, whole tokens, not short or shared ones")
    func values() {
        let substitution = Self.substitution()
        #expect(
            substitution.templateText(for: "postgresql://db-dev.example.com/analytics_dev", before: nil, after: nil)
                == "postgresql://{{ DB_HOST }}/{{ DB_NAME }}")
        #expect(substitution.templateText(for: "Overview (dev)", before: nil, after: nil) == "Overview ({{ ENV }})")
        #expect(substitution.templateText(for: "device devops", before: nil, after: nil) == "device devops")
        #expect(substitution.templateText(for: "ab shared", before: nil, after: nil) == "ab shared")
        // The surrounding rendered text counts for whole tokens.
        #expect(substitution.templateText(for: "dev", before: UInt8(ascii: "x"), after: nil) == "dev")
    }

    @Test("a rule replaces a match only where its replacement renders back to the match")
    func rules() {
        let substitution = Self.substitution(rules: TranslateSettings.seedDefaultRules)
        #expect(substitution.templateText(for: "Dev team on dev", before: nil, after: nil) == "Dev team on {{ ENV }}")
    }

    @Test("Jinja delimiters in literal text are escaped so they render back verbatim")
    func escaping() {
        #expect(TemplateLiteral.escape("a {{ b }}") == "{% raw %}a {{ b }}{% endraw %}")
        #expect(TemplateLiteral.escape("x {% endraw %} {{") == "x {{ '{' }}% endraw %} {{ '{' }}{")
        #expect(TemplateLiteral.escape("plain { brace }") == "plain { brace }")
        #expect(TemplateLiteral.escape("ends {", followedByTag: true) == "ends {{ '{' }}")
    }
}
