import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Enforces hybrid.yaml's `policy:` on the strings (keys and values) of one bundle file of environment E:
///
/// - if E is one of `policy.other_env_markers`, no string may contain another environment's name as a whole
///   word, case-insensitively; a word is a maximal run of ASCII letters and digits, so `analytics_dev`,
///   `db-dev.example.com` and `(DEV)` mention `dev`, while `device` and `developer` do not;
/// - no string may match a regular expression of `policy.forbidden[E]` (searched anywhere in the string).
///
/// The expressions are compiled once, when the checker is made.
public struct PolicyChecker: Sendable {
    public let environment: String
    /// Other environments' names, lowercased UTF-8 (ASCII letters folded), with the name as written.
    private let markers: [(bytes: [UInt8], name: String)]
    private let patterns: [CompiledPattern]

    public init(environment: String, environments: [String], policy: BundlePolicy) {
        self.environment = environment
        var markers: [(bytes: [UInt8], name: String)] = []
        if policy.otherEnvironmentMarkers.contains(environment) {
            let own = Self.folded(environment)
            for name in environments where !name.isEmpty {
                let bytes = Self.folded(name)
                if bytes != own && !markers.contains(where: { $0.bytes == bytes }) { markers.append((bytes, name)) }
            }
        }
        self.markers = markers
        patterns = (policy.forbiddenPatterns[environment] ?? []).compactMap(CompiledPattern.init)
    }

    /// Whether this checker can find anything at all (no policy for E: every document passes).
    public var isEmpty: Bool { markers.isEmpty && patterns.isEmpty }

    public func check(_ document: BundleDocument) -> [ValidationFinding] {
        guard !isEmpty else { return [] }
        var walk = Walk(checker: self, path: document.path)
        walk.visit(document.node)
        return walk.findings
    }

    // MARK: whole-word environment names

    /// The other environments `text` mentions as whole words, in the order of `environments`.
    func mentionedEnvironments(in text: String) -> [(name: String, range: Range<Int>)] {
        var text = text
        return text.withUTF8 { bytes in
            var found: [(name: String, range: Range<Int>)] = []
            for marker in markers {
                if let range = Self.wordMatch(marker.bytes, in: bytes) { found.append((marker.name, range)) }
            }
            return found
        }
    }

    /// The first occurrence of `word` (folded) in `bytes` with no ASCII letter or digit on either side.
    private static func wordMatch(_ word: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let count = word.count
        guard count > 0, count <= bytes.count else { return nil }
        var start = 0
        while start + count <= bytes.count {
            // Only at the start of a word (or of a non-word character, for names that begin with one).
            if start == 0 || !isWordByte(bytes[start - 1]) || !isWordByte(word[0]) {
                var index = 0
                while index < count && fold(bytes[start + index]) == word[index] { index += 1 }
                if index == count
                    && (start + count == bytes.count || !isWordByte(bytes[start + count])
                        || !isWordByte(word[count - 1]))
                {
                    return start..<(start + count)
                }
            }
            start += 1
        }
        return nil
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    private static func fold(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    private static func folded(_ text: String) -> [UInt8] { text.utf8.map(fold) }

    // MARK: forbidden patterns

    /// A pattern of `policy.forbidden`, compiled. `Regex` is not `Sendable`; matching does not mutate it
    /// (its lazily built program is initialised atomically, and is built here, before the value is shared).
    fileprivate struct CompiledPattern: @unchecked Sendable {
        let source: BundlePolicy.ForbiddenPattern
        let regex: Regex<AnyRegexOutput>

        init?(_ source: BundlePolicy.ForbiddenPattern) {
            // hybrid.yaml's reader has already rejected invalid patterns.
            guard let regex = try? Regex(source.pattern) else { return nil }
            _ = try? regex.firstMatch(in: "")
            self.source = source
            self.regex = regex
        }
    }

    private struct Walk {
        let checker: PolicyChecker
        let path: String
        var findings: [ValidationFinding] = []
        var keyPath: [ValidationFinding.KeyPathComponent] = []

        init(checker: PolicyChecker, path: String) {
            self.checker = checker
            self.path = path
        }

        mutating func visit(_ node: YAMLNode) {
            switch node.value {
            case .string(let text):
                check(text, node.mark)
            case .sequence(let items):
                for (index, item) in items.enumerated() {
                    keyPath.append(.index(index))
                    visit(item)
                    keyPath.removeLast()
                }
            case .mapping(let mapping):
                for entry in mapping.entries {
                    keyPath.append(.key(entry.key.stringValue ?? FindingText.scalar(entry.key.value)))
                    if case .string(let key) = entry.key.value { check(key, entry.key.mark) }
                    visit(entry.value)
                    keyPath.removeLast()
                }
            default:
                break
            }
        }

        private mutating func check(_ text: String, _ mark: YAMLMark) {
            if !checker.markers.isEmpty {
                let mentions = checker.mentionedEnvironments(in: text)
                if let first = mentions.first {
                    let names = mentions.map { "'\($0.name)'" }.joined(separator: ", ")
                    let what = mentions.count == 1 ? "environment" : "environments"
                    findings.append(
                        ValidationFinding(
                            .error, .policy, path: path, keyPath: keyPath, at: mark,
                            "\(Excerpt.around(text, utf8: first.range)) mentions \(what) \(names); a "
                                + "\(checker.environment) bundle must not refer to other environments"))
                }
            }
            for pattern in checker.patterns {
                guard let match = try? pattern.regex.firstMatch(in: text) else { continue }
                let start = text.utf8.distance(from: text.startIndex, to: match.range.lowerBound)
                let end = text.utf8.distance(from: text.startIndex, to: match.range.upperBound)
                findings.append(
                    ValidationFinding(
                        .error, .policy, path: path, keyPath: keyPath, at: mark,
                        "\(Excerpt.around(text, utf8: start..<end)) matches the forbidden pattern "
                            + "'\(pattern.source.pattern)' of environment \(checker.environment)",
                        related: ["pattern configured at \(pattern.source.location)"]))
            }
        }
    }
}

/// A quoted string, or for a long one the part around a match, with `…` where it is cut.
private enum Excerpt {
    static func around(_ text: String, utf8 range: Range<Int>, context: Int = 24) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > 2 * context + 12 else { return "'\(text)'" }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound, limitedBy: utf8.endIndex) ?? utf8.endIndex
        let upper = utf8.index(utf8.startIndex, offsetBy: range.upperBound, limitedBy: utf8.endIndex) ?? utf8.endIndex
        let from = scalars.index(lower, offsetBy: -context, limitedBy: scalars.startIndex) ?? scalars.startIndex
        let to = scalars.index(upper, offsetBy: context, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let head = from == scalars.startIndex ? "" : "…"
        let tail = to == scalars.endIndex ? "" : "…"
        return "'" + head + String(scalars[from..<to]) + tail + "'"
    }
}
