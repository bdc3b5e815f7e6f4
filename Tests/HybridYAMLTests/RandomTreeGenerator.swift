import HybridTestSupport
import HybridYAML

/// Random YAML data trees built to stress the emitter: strings from fragments that are YAML
/// indicators, look-alikes of other types, line breaks, control and non-ASCII characters.
struct RandomTreeGenerator {
    var random: SplitMix

    static let fragments: [String] = [
        "a", "b", "word", " ", "  ", ":", ": ", "#", " #", "-", "- ", "?", "'", "\"", "\n", "\n\n", "\t", "\\", "é",
        "😀", "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{7}", "\0", "\u{1B}", "\u{A0}", "\r", "\r\n",
        "yes", "No", "null", "~", "1", "0x1F", "0755", "1_000", "1.5", "1e3", "1.0e+3", ".inf", ".NaN", "1:20",
        "2024-01-02", "2001-12-14 21:59:43", "<<", "=", "---", "...", "[", "]", "{", "}", ",", "&x", "*x", "!",
        "!!str", "|", ">", "%", "@", "`", "\u{10FFFF}", "\u{FFFE}", "中文",
    ]

    mutating func string() -> String {
        let count = Int.random(in: 0...5, using: &random)
        return (0..<count).map { _ in Self.fragments.randomElement(using: &random)! }.joined()
    }

    mutating func scalar() -> YAMLValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(Int.random(in: Int.min...Int.max, using: &random))
        case 3: return .int(Int.random(in: -1000...1000, using: &random))
        case 4:
            let value = Double(bitPattern: random.next())
            return .float(value.isNaN ? .nan : value)
        case 5:
            return .date(
                YAMLDate(
                    year: Int.random(in: 1...9999, using: &random), month: Int.random(in: 1...12, using: &random),
                    day: Int.random(in: 1...28, using: &random))!)
        case 6:
            let date = YAMLDate(year: Int.random(in: 1900...2100, using: &random), month: 3, day: 7)!
            let offset: Int? = Bool.random(using: &random) ? nil : Int.random(in: -1439...1439, using: &random)
            return .timestamp(
                YAMLTimestamp(
                    date: date, hour: Int.random(in: 0...23, using: &random), minute: 5, second: 9,
                    microsecond: Int.random(in: 0...999_999, using: &random), utcOffsetMinutes: offset)!)
        case 7:
            return .bigInt("-" + String(UInt64.random(in: 1...UInt64.max, using: &random)) + "0000000000000000000000")
        default: return .string(string())
        }
    }

    mutating func node(depth: Int) -> YAMLNode {
        let kind = depth == 0 ? 0 : Int.random(in: 0..<4, using: &random)
        switch kind {
        case 1:
            let count = Int.random(in: 0...4, using: &random)
            return YAMLNode(.sequence((0..<count).map { _ in node(depth: depth - 1) }))
        case 2:
            var entries: [YAMLMapping.Entry] = []
            var seen: Set<String> = []
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                // Unique keys: strings by code points, or integers >= 2 (no collision with booleans).
                let key: YAMLValue =
                    Bool.random(using: &random) ? .string(string()) : .int(Int.random(in: 2...50, using: &random))
                let identity: String
                switch key {
                case .string(let text):
                    identity = "s" + text.unicodeScalars.map { String($0.value) }.joined(separator: ",")
                case .int(let number): identity = "i\(number)"
                default: identity = ""
                }
                guard seen.insert(identity).inserted else { continue }
                entries.append(YAMLMapping.Entry(key: YAMLNode(key), value: node(depth: depth - 1)))
            }
            return YAMLNode(.mapping(YAMLMapping(entries)))
        default:
            return YAMLNode(scalar())
        }
    }
}
