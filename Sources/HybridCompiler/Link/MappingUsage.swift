import HybridDiagnostics
import SupersetModel

/// Which entries of a tenant mapping matched something: a bit set over ``MappingEntry/id``.
///
/// Built per document and unioned across a bundle; encodes as its words (`[UInt64]`, no trailing zeros).
public struct MappingUsage: Sendable, Hashable, Codable {
    /// Bit `id % 64` of word `id / 64` is set when entry `id` matched; never ends in a zero word.
    public private(set) var words: [UInt64]

    public init() {
        words = []
    }

    /// The set whose words are `words` (trailing zero words are dropped).
    public init(words: [UInt64]) {
        self.words = words
        trim()
    }

    public init(from decoder: any Decoder) throws {
        self.init(words: try decoder.singleValueContainer().decode([UInt64].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(words)
    }

    public var isEmpty: Bool { words.isEmpty }

    /// Marks entry `id` as used (negative ids are ignored).
    public mutating func insert(_ id: Int) {
        guard id >= 0 else { return }
        let word = id / 64
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word - words.count + 1)) }
        words[word] |= 1 << UInt64(id % 64)
    }

    public func contains(_ id: Int) -> Bool {
        guard id >= 0, id / 64 < words.count else { return false }
        return words[id / 64] & (1 << UInt64(id % 64)) != 0
    }

    /// Adds every entry `other` marks.
    public mutating func formUnion(_ other: MappingUsage) {
        if other.words.count > words.count {
            words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
        }
        for (index, word) in other.words.enumerated() { words[index] |= word }
    }

    public func union(_ other: MappingUsage) -> MappingUsage {
        var result = self
        result.formUnion(other)
        return result
    }

    /// One warning per entry of `mapping` that matched nothing, at its position in the mapping file, by line.
    public func unusedEntryWarnings(for mapping: TenantMapping) -> [Diagnostic] {
        let unused = mapping.entries.filter { entry in
            !contains(entry.id) && !contains(mapping.appliedEntryID(of: entry))
        }
        return
            unused
            .sorted { ($0.mark.line, $0.mark.column, $0.id) < ($1.mark.line, $1.mark.column, $1.id) }
            .map { entry in
                let location = SourceLocation(
                    file: mapping.path, line: max(1, Int(entry.mark.line)), column: max(1, Int(entry.mark.column)))
                return .warning(at: location, "\(Self.describe(entry)) matches nothing in the bundle")
            }
    }

    /// "source table 'fact_sales' (tables.fact_sales)", "metric 'Total Revenue'", …
    private static func describe(_ entry: MappingEntry) -> String {
        switch entry.kind {
        case .database: "source database '\(entry.from)'"
        case .schema: "source schema '\(entry.from)'"
        case .table: "source table '\(entry.from)' (tables.\(entry.key))"
        case .column: "source column '\(entry.from)' (columns.\(entry.key))"
        case .metric: "metric '\(entry.from)'"
        }
    }

    private mutating func trim() {
        while words.last == 0 { words.removeLast() }
    }
}
