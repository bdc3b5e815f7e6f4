/// Python's `bytes` as templates can make them: `str.encode()`, printed as `b'...'`, `decode()`d
/// back, compared, concatenated, measured and iterated (as ints).
enum PythonBytes {
    enum Codec { case utf8, ascii, latin1 }

    /// Python's codec lookup for the encodings hybrid has (`utf-8`, `ascii`, `latin-1` and aliases).
    static func codec(_ name: String) throws -> Codec {
        let normalized = String(name.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
        switch normalized {
        case "utf_8", "utf8", "u8", "utf", "cp65001": return .utf8
        case "ascii", "us_ascii", "646", "us": return .ascii
        case "latin_1", "latin1", "latin", "l1", "iso_8859_1", "iso8859_1", "8859", "cp819", "iso_ir_100":
            return .latin1
        default: throw EvalFailure(.runtime, "LookupError: unknown encoding: \(name)")
        }
    }

    /// `str.encode(encoding, errors)` (`strict`, `ignore`, `replace`).
    static func encode(_ text: String, encoding: String, errors: String) throws -> [UInt8] {
        let codec = try codec(encoding)
        if codec == .utf8 { return Array(text.utf8) }
        let limit: UInt32 = codec == .ascii ? 0x80 : 0x100
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for (position, scalar) in text.unicodeScalars.enumerated() {
            if scalar.value < limit {
                out.append(UInt8(scalar.value))
                continue
            }
            switch errors {
            case "ignore": continue
            case "replace": out.append(UInt8(ascii: "?"))
            default:
                let name = codec == .ascii ? "ascii" : "latin-1"
                let escaped = PythonFormatting.stringRepr(String(scalar)).dropFirst().dropLast()
                throw EvalFailure(
                    .value,
                    "'\(name)' codec can't encode character '\(escaped)' in position \(position): ordinal not in range(\(limit))"
                )
            }
        }
        return out
    }

    /// `bytes.decode(encoding, errors)`.
    static func decode(_ bytes: [UInt8], encoding: String, errors: String) throws -> String {
        switch try codec(encoding) {
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .ascii:
            var out = String.UnicodeScalarView()
            for (position, byte) in bytes.enumerated() {
                if byte < 0x80 {
                    out.append(Unicode.Scalar(byte))
                } else if errors == "replace" {
                    out.append("\u{FFFD}")
                } else if errors != "ignore" {
                    throw EvalFailure(
                        .value,
                        "'ascii' codec can't decode byte 0x\(PythonFormatting.hex(UInt32(byte), 2)) in position \(position): ordinal not in range(128)"
                    )
                }
            }
            return String(out)
        case .utf8:
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            if errors == "replace" { return String(decoding: bytes, as: UTF8.self) }
            throw EvalFailure(.value, "'utf-8' codec can't decode bytes: invalid utf-8")
        }
    }

    /// `repr(bytes)`: `b'...'` with `\t`, `\n`, `\r`, `\\`, `\xhh` escapes; double quotes when the
    /// bytes hold a `'` and no `"`.
    static func repr(_ bytes: [UInt8]) -> String {
        let quote: UInt8 =
            bytes.contains(UInt8(ascii: "'")) && !bytes.contains(UInt8(ascii: "\""))
            ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        var out: [UInt8] = [UInt8(ascii: "b"), quote]
        for byte in bytes {
            switch byte {
            case quote, UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\t"): out += Array("\\t".utf8)
            case UInt8(ascii: "\n"): out += Array("\\n".utf8)
            case UInt8(ascii: "\r"): out += Array("\\r".utf8)
            case 0x20..<0x7F: out.append(byte)
            default: out += Array(("\\x" + PythonFormatting.hex(UInt32(byte), 2)).utf8)
            }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes methods templates use.
    static func method(_ bytes: [UInt8], _ name: String) -> Value? {
        switch name {
        case "decode":
            return BuiltinMethods.method(name, "bytes") { arguments in
                let bound = try arguments.bind(name, [("encoding", .string("utf-8")), ("errors", .string("strict"))])
                return .string(
                    try decode(
                        bytes, encoding: try BuiltinMethods.stringArgument(bound[0], name),
                        errors: try BuiltinMethods.stringArgument(bound[1], name)))
            }
        case "hex":
            return BuiltinMethods.method(name, "bytes") { arguments in
                _ = try arguments.bind(name, [])
                return .string(bytes.map { PythonFormatting.hex(UInt32($0), 2) }.joined())
            }
        case "startswith", "endswith":
            return BuiltinMethods.method(name, "bytes") { arguments in
                let bound = try arguments.bind(name, [("prefix", nil), ("start", Value.none), ("end", Value.none)])
                let affixes: [Value]
                switch bound[0] {
                case .bytes: affixes = [bound[0]]
                case .tuple(let items): affixes = items
                default:
                    throw EvalFailure(
                        .type, "\(name) first arg must be bytes or a tuple of bytes, not \(bound[0].typeName)")
                }
                func index(_ value: Value) throws -> Int? {
                    if case .none = value { return nil }
                    return try BuiltinMethods.intArgument(value, name)
                }
                let start = try index(bound[1])
                let (lower, upper) = PythonStrings.window(bytes.count, start, try index(bound[2]))
                // Python's tailmatch: a start past the end matches nothing, not even b''.
                if let start, start > bytes.count { return .bool(false) }
                for affix in affixes {
                    guard case .bytes(let part) = affix else {
                        throw EvalFailure(
                            .type, "a bytes-like object is required, not '\(affix.typeName)'")
                    }
                    guard lower <= bytes.count, upper - lower >= part.count else { continue }
                    let window = bytes[lower..<upper]
                    if name == "startswith" ? window.starts(with: part) : window.suffix(part.count).elementsEqual(part)
                    {
                        return .bool(true)
                    }
                }
                return .bool(false)
            }
        case "upper", "lower", "swapcase":
            return BuiltinMethods.method(name, "bytes") { arguments in
                _ = try arguments.bind(name, [])
                return .bytes(
                    bytes.map { byte in
                        let isUpper = (0x41...0x5A).contains(byte)
                        let isLower = (0x61...0x7A).contains(byte)
                        switch name {
                        case "upper": return isLower ? byte - 32 : byte
                        case "lower": return isUpper ? byte + 32 : byte
                        default: return isLower ? byte - 32 : isUpper ? byte + 32 : byte
                        }
                    })
            }
        case "isdigit", "isalpha", "isspace", "isupper", "islower", "isalnum":
            return BuiltinMethods.method(name, "bytes") { arguments in
                _ = try arguments.bind(name, [])
                let upper = bytes.contains { (0x41...0x5A).contains($0) }
                let lower = bytes.contains { (0x61...0x7A).contains($0) }
                switch name {
                case "isdigit": return .bool(!bytes.isEmpty && bytes.allSatisfy(isDigit))
                case "isalpha": return .bool(!bytes.isEmpty && bytes.allSatisfy(isLetter))
                case "isalnum": return .bool(!bytes.isEmpty && bytes.allSatisfy { isLetter($0) || isDigit($0) })
                case "isspace": return .bool(!bytes.isEmpty && bytes.allSatisfy(isSpace))
                case "isupper": return .bool(upper && !lower)
                default: return .bool(lower && !upper)
                }
            }
        case "strip", "lstrip", "rstrip":
            return BuiltinMethods.method(name, "bytes") { arguments in
                let set = try byteArgument(try arguments.bind(name, [("bytes", Value.none)])[0], allowNone: true)
                let strip: (UInt8) -> Bool = { byte in set.map { $0.contains(byte) } ?? isSpace(byte) }
                var slice = bytes[...]
                if name != "rstrip" { slice = slice.drop(while: strip) }
                if name != "lstrip" { while let last = slice.last, strip(last) { slice = slice.dropLast() } }
                return .bytes(Array(slice))
            }
        case "split", "rsplit":
            return BuiltinMethods.method(name, "bytes") { arguments in
                let bound = try arguments.bind(name, [("sep", Value.none), ("maxsplit", .int(-1))])
                let separator = try byteArgument(bound[0], allowNone: true)
                let limit = try BuiltinMethods.intArgument(bound[1], name)
                if let separator, separator.isEmpty { throw EvalFailure(.value, "empty separator") }
                let parts = split(bytes, separator, limit: limit < 0 ? Int.max : limit, fromRight: name == "rsplit")
                return .list(ListObject(parts.map { .bytes($0) }))
            }
        case "replace", "find", "rfind", "index", "rindex", "count", "partition", "rpartition", "removeprefix",
            "removesuffix", "join", "center", "ljust", "rjust", "zfill", "expandtabs", "title", "capitalize",
            "splitlines":
            // Present on bytes; with a str where bytes belong, Python's TypeError.
            return BuiltinMethods.method(name, "bytes") { arguments in
                if let text = arguments.positional.first(where: { $0.stringContent != nil }) {
                    switch name {
                    case "center", "ljust", "rjust":
                        throw EvalFailure(
                            .type, "\(name)() argument 2 must be a byte string of length 1, not \(text.typeName)")
                    case "join":
                        throw EvalFailure(.type, "can only join an iterable")
                    default:
                        throw EvalFailure(.type, "a bytes-like object is required, not '\(text.typeName)'")
                    }
                }
                if name == "join", let items = try? PythonOperators.iterate(arguments.positional.first ?? .none),
                    let item = items.enumerated().first(where: { if case .bytes = $0.element { false } else { true } })
                {
                    throw EvalFailure(
                        .type,
                        "sequence item \(item.offset): expected a bytes-like object, \(item.element.typeName) found")
                }
                throw EvalFailure(.runtime, "bytes.\(name)() is not supported by hybrid")
            }
        default: return nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    /// bytes.isspace() and the default strip/split set: space, \t \n \v \f \r.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }

    /// `bytes.split`/`rsplit`: on `separator`, or on runs of ASCII whitespace (empty pieces dropped).
    private static func split(_ bytes: [UInt8], _ separator: [UInt8]?, limit: Int, fromRight: Bool) -> [[UInt8]] {
        // From the right is from the left over the reversed bytes, pieces reversed back.
        let source = fromRight ? Array(bytes.reversed()) : bytes
        let needle = fromRight ? separator.map { Array($0.reversed()) } : separator
        var parts: [[UInt8]] = []
        var index = 0
        if let needle {
            var start = 0
            while parts.count < limit, index + needle.count <= source.count {
                if source[index..<index + needle.count].elementsEqual(needle) {
                    parts.append(Array(source[start..<index]))
                    index += needle.count
                    start = index
                } else {
                    index += 1
                }
            }
            parts.append(Array(source[start...]))
        } else {
            while index < source.count {
                while index < source.count, isSpace(source[index]) { index += 1 }
                guard index < source.count else { break }
                if parts.count == limit {
                    // The rest as it is (its leading whitespace skipped).
                    parts.append(Array(source[index...]))
                    break
                }
                let start = index
                while index < source.count, !isSpace(source[index]) { index += 1 }
                parts.append(Array(source[start..<index]))
            }
        }
        return fromRight ? parts.reversed().map { Array($0.reversed()) } : parts
    }

    /// A bytes argument (or None where allowed), or Python's TypeError.
    private static func byteArgument(_ value: Value, allowNone: Bool) throws -> [UInt8]? {
        switch value {
        case .bytes(let bytes): return bytes
        case .none where allowNone: return nil
        default: throw EvalFailure(.type, "a bytes-like object is required, not '\(value.typeName)'")
        }
    }

    /// Python's bytes ordering: lexicographic by byte.
    static func ordering(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        return a.lexicographicallyPrecedes(b) ? -1 : 1
    }

    /// `needle in bytes`: a byte value (int) or a sub-sequence.
    static func contains(_ bytes: [UInt8], _ needle: Value) throws -> Bool {
        switch needle {
        case .int(let value):
            guard (0...255).contains(value) else { throw EvalFailure(.value, "byte must be in range(0, 256)") }
            return bytes.contains(UInt8(value))
        case .bytes(let part):
            if part.isEmpty { return true }
            guard part.count <= bytes.count else { return false }
            return (0...(bytes.count - part.count)).contains { bytes[$0..<$0 + part.count].elementsEqual(part) }
        default:
            throw EvalFailure(.type, "a bytes-like object is required, not '\(needle.typeName)'")
        }
    }
}
