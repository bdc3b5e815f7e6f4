import HybridYAML

/// Writes rendered text back as template text: the environment's own values become `{{ VAR }}`
/// (longest first, whole tokens only; a value shorter than 3 characters or held by two variables
/// only through a rule), `translate.rules` matches become their replacement, and the rest is
/// copied with Jinja's delimiters escaped, so that the template renders back exactly the text.
/// Every substitution is checked: it is made only where rendering it gives back the text it
/// replaces.
struct ReverseSubstitution: Sendable {
    struct Rule: @unchecked Sendable {
        var regex: Regex<AnyRegexOutput>
        var replace: String
    }

    /// (value, `{{ NAME }}`), longest value first.
    let values: [(text: [UInt8], template: String)]
    let rules: [Rule]
    /// Renders a piece of template text in the environment (nil: it does not render).
    let render: @Sendable (String) -> String?

    /// Shortest value substituted without a rule.
    static let minimumLength = 3

    init(
        variables: [String: YAMLNode], rules: [TranslateSettings.Rule], render: @escaping @Sendable (String) -> String?
    ) {
        var owners: [String: [String]] = [:]
        for (name, node) in variables {
            guard case .string(let text) = node.value, text.count >= Self.minimumLength,
                name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
            else { continue }
            owners[text, default: []].append(name)
        }
        values = owners.compactMap { text, names in
            names.count == 1 ? (Array(text.utf8), "{{ \(names[0]) }}") : nil
        }.sorted { $0.text.count != $1.text.count ? $0.text.count > $1.text.count : $0.template < $1.template }
        self.rules = rules.compactMap { rule in
            (try? Regex(rule.pattern)).map { Rule(regex: $0, replace: rule.replace) }
        }
        self.render = render
    }

    /// Template text rendering exactly `text`; `before` and `after` are the rendered bytes around
    /// it (for whole-token checks).
    func templateText(for text: String, before: UInt8?, after: UInt8?) -> String {
        var segments: [(literal: Bool, text: String)] = []
        var rest = Substring(text)
        // Rules first (explicit), then the environment's values in what the rules left.
        for rule in rules {
            var next: [(Bool, String)] = []
            for segment in segments.isEmpty ? [(true, String(rest))] : segments {
                guard segment.0 else {
                    next.append(segment)
                    continue
                }
                next += apply(rule, to: segment.1)
            }
            segments = next.map { (literal: $0.0, text: $0.1) }
            rest = ""
        }
        if segments.isEmpty { segments = [(true, String(rest))] }
        var output = ""
        var previousByte = before
        for (index, segment) in segments.enumerated() {
            if !segment.literal {
                output += segment.text
                previousByte = nil
                continue
            }
            let nextByte: UInt8? =
                index + 1 < segments.count ? UInt8(ascii: "{") : after
            output += substituteValues(in: segment.text, before: previousByte, after: nextByte)
            previousByte = segment.text.utf8.last
        }
        return output
    }

    private func apply(_ rule: Rule, to text: String) -> [(Bool, String)] {
        var result: [(Bool, String)] = []
        var cursor = text.startIndex
        for match in text.matches(of: rule.regex) where !match.range.isEmpty && match.range.lowerBound >= cursor {
            var replacement = rule.replace
            for group in stride(from: min(9, match.output.count - 1), through: 1, by: -1) {
                let captured = match.output[group].substring.map(String.init) ?? ""
                replacement = replacement.replacingOccurrences(of: "\\\(group)", with: captured)
            }
            guard render(replacement) == String(text[match.range]) else { continue }
            if cursor < match.range.lowerBound { result.append((true, String(text[cursor..<match.range.lowerBound]))) }
            result.append((false, replacement))
            cursor = match.range.upperBound
        }
        if cursor < text.endIndex { result.append((true, String(text[cursor...]))) }
        return result
    }

    /// Literal text with the environment's values as `{{ VAR }}` and the rest escaped.
    private func substituteValues(in text: String, before: UInt8?, after: UInt8?) -> String {
        let bytes = Array(text.utf8)
        var output = ""
        var literalStart = 0
        var index = 0
        func isWord(_ byte: UInt8?) -> Bool {
            guard let byte else { return false }
            return byte >= 0x80 || byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39)
                || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
        }
        scan: while index < bytes.count {
            let previous = index > 0 ? bytes[index - 1] : before
            if !isWord(previous) || !isWord(bytes[index]) {
                for value in values where index + value.text.count <= bytes.count {
                    guard bytes[index..<(index + value.text.count)].elementsEqual(value.text) else { continue }
                    let end = index + value.text.count
                    let next = end < bytes.count ? bytes[end] : after
                    if isWord(value.text.last) && isWord(next) { continue }
                    if isWord(value.text.first) && isWord(previous) { continue }
                    guard render(value.template) == String(decoding: value.text, as: UTF8.self) else { continue }
                    output += TemplateLiteral.escape(
                        String(decoding: bytes[literalStart..<index], as: UTF8.self), followedByTag: true)
                    output += value.template
                    index = end
                    literalStart = end
                    continue scan
                }
            }
            index += 1
        }
        output += TemplateLiteral.escape(
            String(decoding: bytes[literalStart...], as: UTF8.self), followedByTag: after == UInt8(ascii: "{"))
        return output
    }
}

/// Template text that renders as a given literal text.
enum TemplateLiteral {
    /// `text` with Jinja's delimiters (`{{`, `{%`, `{#`) escaped: inside `{% raw %}…{% endraw %}`,
    /// or one `{{ '{' }}` per opening brace where the text itself says `endraw`. A final `{` that
    /// a tag follows (`followedByTag`) is escaped too.
    static func escape(_ text: String, followedByTag: Bool = false) -> String {
        let needsEscape = text.contains("{{") || text.contains("{%") || text.contains("{#")
        if !needsEscape {
            guard followedByTag, text.hasSuffix("{") else { return text }
            return String(text.dropLast()) + "{{ '{' }}"
        }
        if !text.contains("endraw"), !text.hasSuffix("{") || !followedByTag {
            return "{% raw %}" + text + "{% endraw %}"
        }
        var output = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : (followedByTag ? "{" : nil)
            if character == "{", let next, next == "{" || next == "%" || next == "#" {
                output += "{{ '{' }}"
            } else {
                output.append(character)
            }
        }
        return output
    }
}
