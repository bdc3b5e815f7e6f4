import HybridDiagnostics
import HybridYAML

/// `translate:` in `hybrid.yaml`: how `hybrid translate` turns values of an export back into
/// template text. `rules` are regular expressions whose matches become template text (checked:
/// a match is replaced only where the replacement renders back to exactly the matched text);
/// `default_rules` adds the seed's `\bdev\b` / `\bstaging\b` / `\bprod\b` → `{{ ENV }}` rules.
public struct TranslateSettings: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        /// A regular expression (the syntax of Python's `re` that Swift's `Regex` shares).
        public var pattern: String
        /// Template text for a match (`{{ DB_HOST }}`); `\1`…`\9` insert capture groups.
        public var replace: String
        /// Where the rule is written (for errors).
        public var location: SourceLocation?

        public init(pattern: String, replace: String, location: SourceLocation? = nil) {
            self.pattern = pattern
            self.replace = replace
            self.location = location
        }
    }

    public var rules: [Rule] = []
    public var defaultRules = false

    public init() {}

    /// The seed's DEFAULT_RULES (case-insensitive environment markers).
    public static let seedDefaultRules = [
        Rule(pattern: #"(?i)\bdev\b"#, replace: "{{ ENV }}"),
        Rule(pattern: #"(?i)\bstaging\b"#, replace: "{{ ENV }}"),
        Rule(pattern: #"(?i)\bprod\b"#, replace: "{{ ENV }}"),
    ]

    /// The rules in the order they apply: the custom ones, then (when enabled) the defaults.
    public var effectiveRules: [Rule] { rules + (defaultRules ? Self.seedDefaultRules : []) }

    static func parse(_ node: YAMLNode, reader: StrictYAMLReader) throws(Diagnostic) -> TranslateSettings {
        var settings = TranslateSettings()
        let section = try reader.mapping(node, what: "translate", allowed: ["rules", "default_rules"])
        if let flag = section["default_rules"] {
            settings.defaultRules = try reader.bool(flag, what: "translate.default_rules")
        }
        if let list = section["rules"] {
            for item in try reader.sequence(list, what: "translate.rules") {
                let rule = try reader.mapping(item, what: "translate rule", allowed: ["pattern", "replace"])
                guard let patternNode = rule["pattern"], let replaceNode = rule["replace"] else {
                    throw reader.error(item, "a translate rule needs both pattern and replace")
                }
                let pattern = try reader.string(patternNode, what: "translate rule pattern")
                let replace = try reader.string(replaceNode, what: "translate rule replace")
                do {
                    _ = try Regex(pattern)
                } catch {
                    throw reader.error(patternNode, "invalid regular expression '\(pattern)': \(error)")
                }
                if pattern.isEmpty || (try? Regex(pattern).wholeMatch(in: "")) != nil {
                    throw reader.error(patternNode, "the pattern '\(pattern)' matches the empty text")
                }
                settings.rules.append(Rule(pattern: pattern, replace: replace, location: reader.location(patternNode)))
            }
        }
        return settings
    }
}
