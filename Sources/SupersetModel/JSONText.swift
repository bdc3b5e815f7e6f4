import HybridYAML

/// JSON text ↔ YAML values, for the fields Superset stores as JSON strings (`extra`,
/// `query_context`, …): a strict RFC 8259 reader (integers stay integers) and a canonical writer
/// (keys sorted, no spaces), so a JSON string compares equal however it was spaced.
public enum JSONText {
    public struct Malformed: Error, Sendable {}

    public static func parse(_ text: String) throws(Malformed) -> YAMLNode {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw Malformed() }
        return value
    }

    /// `json.loads(text)` as a node whose every part carries `mark`; nil if the text is not JSON.
    public static func decode(_ text: String, mark: YAMLMark) -> YAMLNode? {
        guard let node = try? parse(text) else { return nil }
        return marked(node, mark)
    }

    private static func marked(_ node: YAMLNode, _ mark: YAMLMark) -> YAMLNode {
        switch node.value {
        case .sequence(let items): return YAMLNode(.sequence(items.map { marked($0, mark) }), mark: mark)
        case .mapping(let mapping):
            return YAMLNode(
                .mapping(
                    YAMLMapping(
                        mapping.entries.map {
                            YAMLMapping.Entry(key: marked($0.key, mark), value: marked($0.value, mark))
                        })
                ), mark: mark)
        default: return YAMLNode(node.value, mark: mark)
        }
    }

    /// Compact, keys sorted by code point.
    public static func write(_ node: YAMLNode) -> String {
        var out = ""
        write(node, into: &out)
        return out
    }

    private static func write(_ node: YAMLNode, into out: inout String) {
        switch node.value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .bigInt(let digits): out += digits
        case .float(let number): out += number.isFinite ? "\(number)" : "null"
        case .string(let text): out += quoted(text)
        case .date(let date): out += quoted(date.description)
        case .timestamp(let timestamp): out += quoted(timestamp.description)
        case .sequence(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .mapping(let mapping):
            out += "{"
            let entries = mapping.entries.sorted {
                ($0.key.stringValue ?? "").utf8.lexicographicallyPrecedes(($1.key.stringValue ?? "").utf8)
            }
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += "," }
                out += quoted(entry.key.stringValue ?? YAMLEmitter.plainText(of: entry.key.value) ?? "")
                out += ":"
                write(entry.value, into: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal: `"`, `\\`, CR, LF, TAB and other control characters escaped;
    /// everything else as it is (UTF-8).
    public static func quoted(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func value(depth: Int) throws(Malformed) -> YAMLNode {
            guard index < bytes.count, depth < 512 else { throw Malformed() }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var mapping = YAMLMapping()
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return YAMLNode(.mapping(mapping))
                }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(UInt8(ascii: ":"))
                    skipSpace()
                    let item = try value(depth: depth + 1)
                    if let existing = mapping.entries.firstIndex(where: { $0.key.stringValue == key }) {
                        mapping.entries[existing].value = item  // JSON: the last duplicate wins
                    } else {
                        mapping.entries.append(YAMLMapping.Entry(key: YAMLNode(.string(key)), value: item))
                    }
                    skipSpace()
                    if try separator(closing: UInt8(ascii: "}")) { return YAMLNode(.mapping(mapping)) }
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [YAMLNode] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return YAMLNode(.sequence(items))
                }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if try separator(closing: UInt8(ascii: "]")) { return YAMLNode(.sequence(items)) }
                }
            case UInt8(ascii: "\""):
                return YAMLNode(.string(try string()))
            case UInt8(ascii: "t"):
                try literal("true")
                return YAMLNode(.bool(true))
            case UInt8(ascii: "f"):
                try literal("false")
                return YAMLNode(.bool(false))
            case UInt8(ascii: "n"):
                try literal("null")
                return YAMLNode(.null)
            default:
                return try number()
            }
        }

        mutating func separator(closing: UInt8) throws(Malformed) -> Bool {
            guard index < bytes.count else { throw Malformed() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                return false
            }
            if bytes[index] == closing {
                index += 1
                return true
            }
            throw Malformed()
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard index < bytes.count, bytes[index] == byte else { throw Malformed() }
            index += 1
        }

        mutating func literal(_ text: String) throws(Malformed) {
            for byte in text.utf8 { try expect(byte) }
        }

        mutating func number() throws(Malformed) -> YAMLNode {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            var isFloat = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x30 && byte <= 0x39 {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || byte == UInt8(ascii: "+") || (byte == UInt8(ascii: "-") && index > start)
                {
                    isFloat = true
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !text.isEmpty, text != "-" else { throw Malformed() }
            if !isFloat {
                if let integer = Int(text) { return YAMLNode(.int(integer)) }
                return YAMLNode(.bigInt(text))
            }
            guard let double = Double(text) else { throw Malformed() }
            return YAMLNode(.float(double))
        }

        mutating func string() throws(Malformed) -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() {
                scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\"") {
                    flush()
                    return String(scalars)
                }
                guard byte >= 0x20 else { throw Malformed() }
                guard byte == UInt8(ascii: "\\") else {
                    run.append(byte)
                    continue
                }
                flush()
                guard index < bytes.count else { throw Malformed() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw Malformed() }
                    scalars.append(scalar)
                default: throw Malformed()
                }
            }
            throw Malformed()
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard index + 4 <= bytes.count,
                let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
            else { throw Malformed() }
            index += 4
            return value
        }
    }
}
