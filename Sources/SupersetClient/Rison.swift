/// A value in Rison, the compact JSON-like notation of Superset's `?q=` query arguments.
///
/// `(columns:!(id,uuid),page:0)` is the object `{"columns": ["id", "uuid"], "page": 0}`. Object keys are
/// written in sorted order so the same value always encodes the same way.
public enum Rison: Sendable, Equatable {
    case int(Int)
    case string(String)
    case bool(Bool)
    case null
    case array([Rison])
    case object([String: Rison])

    /// The Rison text (not yet percent-encoded for a URL).
    public var encoded: String {
        switch self {
        case .int(let value): return String(value)
        case .bool(let value): return value ? "!t" : "!f"
        case .null: return "!n"
        case .string(let value): return Self.encode(string: value)
        case .array(let values): return "!(" + values.map(\.encoded).joined(separator: ",") + ")"
        case .object(let fields):
            let body = fields.keys.sorted().map { Self.encode(string: $0) + ":" + fields[$0]!.encoded }
            return "(" + body.joined(separator: ",") + ")"
        }
    }

    /// The Rison text percent-encoded as a URL query value: Rison's own punctuation (`!'(),:`) stays as is,
    /// and everything a query could misread (`+`, `&`, `=`, `#`, `%`, spaces, non-ASCII) is escaped.
    public var queryValue: String {
        var result = ""
        for byte in encoded.utf8 {
            if Self.queryAllowed.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    /// Bare when the string is a Rison identifier, else quoted with `!` escaping `'` and `!`.
    private static func encode(string: String) -> String {
        if isIdentifier(string) { return string }
        var quoted = "'"
        for character in string {
            switch character {
            case "'": quoted += "!'"
            case "!": quoted += "!!"
            default: quoted.append(character)
            }
        }
        return quoted + "'"
    }

    /// Letters, digits and `_-./~`, not starting with a digit or `-` (the conservative rule of
    /// Python's `prison`, which Superset uses; anything else is quoted, which every reader accepts).
    private static func isIdentifier(_ string: String) -> Bool {
        guard let first = string.unicodeScalars.first else { return false }
        if first == "-" || ("0"..."9").contains(first) { return false }
        return string.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "_-./~".unicodeScalars.contains(scalar))
        }
    }

    private static let queryAllowed: Set<UInt8> = Set(
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!'()*,:@/$".utf8))
}

extension Rison: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Rison...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Rison)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
