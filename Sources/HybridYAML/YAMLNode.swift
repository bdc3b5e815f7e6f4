/// Where a node starts in its source: 1-based line and column (Unicode scalars). Zero when synthesized.
public struct YAMLMark: Hashable, Sendable {
    public var line: Int32
    public var column: Int32

    public init(line: Int, column: Int) {
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
    }

    /// A mark for nodes built in code rather than read from a file.
    public static let synthesized = YAMLMark(line: 0, column: 0)
}

/// One node of a YAML document: its data and where it came from.
///
/// Equality compares data only (marks are ignored), strictly by type: `1`, `1.0` and `true` differ,
/// strings compare by Unicode code points, floats by bit pattern (so `.nan == .nan`).
public struct YAMLNode: Sendable, Equatable {
    public var value: YAMLValue
    public var mark: YAMLMark

    public init(_ value: YAMLValue, mark: YAMLMark = .synthesized) {
        self.value = value
        self.mark = mark
    }

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        lhs.value == rhs.value
    }
}

/// The data model of PyYAML's SafeLoader, restricted to what Superset bundles can carry.
public enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int)
    /// An integer beyond 64 bits, as canonical decimal text (`-123…`, no leading zeros).
    case bigInt(String)
    case float(Double)
    case string(String)
    case date(YAMLDate)
    indirect case timestamp(YAMLTimestamp)
    case sequence([YAMLNode])
    case mapping(YAMLMapping)

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)): return a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return codePointOrder(a, b) == 0
        case (.date(let a), .date(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a.hasSameFields(as: b)
        case (.sequence(let a), .sequence(let b)): return a == b
        case (.mapping(let a), .mapping(let b)): return a == b
        default: return false
        }
    }
}

extension YAMLNode {
    /// The string, if this node is one.
    public var stringValue: String? {
        if case .string(let text) = value { return text }
        return nil
    }

    /// The mapping, if this node is one.
    public var mappingValue: YAMLMapping? {
        if case .mapping(let mapping) = value { return mapping }
        return nil
    }

    /// The items, if this node is a sequence.
    public var sequenceValue: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// True for mappings and sequences.
    public var isCollection: Bool {
        switch value {
        case .mapping, .sequence: return true
        default: return false
        }
    }

    /// Data equality as Python sees two loaded documents: mappings compare as unordered sets
    /// of entries; everything else as `==` (types must match).
    public func isEquivalent(to other: YAMLNode) -> Bool {
        switch (value, other.value) {
        case (.sequence(let a), .sequence(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEquivalent(to: $1) }
        case (.mapping(let a), .mapping(let b)):
            guard a.count == b.count else { return false }
            for entry in a.entries {
                guard let match = b.entries.first(where: { $0.key == entry.key }),
                    match.value.isEquivalent(to: entry.value)
                else { return false }
            }
            return true
        default:
            return self == other
        }
    }
}
