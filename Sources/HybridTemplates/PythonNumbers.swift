import BigInt
import Foundation
import HybridYAML

/// Python's `int(text, base)` and `float(text)` on strings (the `int` and `float` filters).
enum PythonNumberText {
    /// Unicode whitespace → space, Unicode decimal digits → ASCII; nil if another non-ASCII character is left.
    static func ascii(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                out.append(UInt8(scalar.value))
            } else if Lexer.isSpace(scalar.value) {
                out.append(0x20)
            } else if scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue {
                out.append(UInt8(ascii: "0") + UInt8(value))
            } else {
                return nil
            }
        }
        return out
    }

    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let c = slice.first, Lexer.isSpace(UInt32(c)) { slice = slice.dropFirst() }
        while let c = slice.last, Lexer.isSpace(UInt32(c)) { slice = slice.dropLast() }
        return slice
    }

    /// Digits with single underscores between them (PEP 515); nil if malformed.
    static func removingUnderscores(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var previousUnderscore = true
        for c in digits {
            if c == 0x5F {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            out.append(c)
        }
        if previousUnderscore && !out.isEmpty { return nil }
        return out
    }

    static func int(_ text: String, base requested: Int) -> Value? {
        guard requested == 0 || (2...36).contains(requested), let ascii = ascii(text) else { return nil }
        var body = trimmed(ascii)
        var negative = false
        if let c = body.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        var base = requested
        if body.count >= 2, body.first == UInt8(ascii: "0") {
            let marker = body[body.startIndex + 1] | 0x20
            let prefixed =
                marker == UInt8(ascii: "x") ? 16 : marker == UInt8(ascii: "o") ? 8 : marker == UInt8(ascii: "b") ? 2 : 0
            if prefixed != 0 && (base == 0 || base == prefixed) {
                base = prefixed
                body = body.dropFirst(2)
                if body.first == 0x5F { body = body.dropFirst() }
            }
        }
        if base == 0 {
            base = 10
            // Base 0 forbids leading zeros in non-zero decimals.
            if body.count > 1, body.first == UInt8(ascii: "0"),
                body.contains(where: { $0 != UInt8(ascii: "0") && $0 != 0x5F })
            {
                return nil
            }
        }
        guard let digits = removingUnderscores(body), !digits.isEmpty else { return nil }
        var magnitude = BigInt(0)
        var small = 0
        var useBig = false
        for c in digits {
            let digit: Int
            switch c {
            case 0x30...0x39: digit = Int(c - 0x30)
            case 0x61...0x7A: digit = Int(c - 0x61 + 10)
            case 0x41...0x5A: digit = Int(c - 0x41 + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            if !useBig {
                let (scaled, o1) = small.multipliedReportingOverflow(by: base)
                let (sum, o2) = scaled.addingReportingOverflow(digit)
                if o1 || o2 {
                    useBig = true
                    magnitude = BigInt(small) * BigInt(base) + BigInt(digit)
                } else {
                    small = sum
                }
            } else {
                magnitude = magnitude * BigInt(base) + BigInt(digit)
            }
        }
        let value = useBig ? magnitude : BigInt(small)
        return PythonOperators.intValue(negative ? -value : value)
    }

    static func float(_ text: String) -> Double? {
        guard let ascii = ascii(text) else { return nil }
        var body = Array(trimmed(ascii))
        for index in body.indices where body[index] >= 0x41 && body[index] <= 0x5A { body[index] |= 0x20 }
        var sign = 1.0
        var start = 0
        if let c = body.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            sign = c == UInt8(ascii: "-") ? -1 : 1
            start = 1
        }
        let word = String(decoding: body[start...], as: UTF8.self)
        if word == "inf" || word == "infinity" { return sign * .infinity }
        if word == "nan" { return .nan }
        // digits [. digits] [e [sign] digits], underscores only between digits
        var i = start
        var cleaned: [UInt8] = []
        var sawDigits = false
        func digitRun() -> Bool {
            var any = false
            while i < body.count {
                if body[i] >= 0x30 && body[i] <= 0x39 {
                    cleaned.append(body[i])
                    any = true
                    i += 1
                } else if body[i] == 0x5F && any && i + 1 < body.count && body[i + 1] >= 0x30 && body[i + 1] <= 0x39 {
                    i += 1
                } else {
                    break
                }
            }
            return any
        }
        if digitRun() { sawDigits = true }
        if i < body.count, body[i] == UInt8(ascii: ".") {
            cleaned.append(UInt8(ascii: "."))
            i += 1
            if digitRun() { sawDigits = true }
        }
        guard sawDigits else { return nil }
        if i < body.count, body[i] == UInt8(ascii: "e") {
            cleaned.append(UInt8(ascii: "e"))
            i += 1
            if i < body.count, body[i] == UInt8(ascii: "-") || body[i] == UInt8(ascii: "+") {
                cleaned.append(body[i])
                i += 1
            }
            guard digitRun() else { return nil }
        }
        guard i == body.count, let value = Double(String(decoding: cleaned, as: UTF8.self)) else { return nil }
        return sign * value
    }
}

/// Python's `round(number, ndigits)`: ints stay ints, floats are rounded half-to-even on their
/// exact binary value and converted back with correct rounding.
enum PythonRound {
    static func round(_ value: Value, _ digits: Int) throws -> Value {
        switch value {
        case .int, .bigInt, .bool:
            let number = PythonOperators.toBig(PythonOperators.number(value)!)!
            if digits >= 0 { return PythonOperators.intValue(number) }
            let scale = BigInt(10).power(-digits)
            return PythonOperators.intValue(halfEven(number, scale) * scale)
        case .float(let x):
            guard x.isFinite, x != 0 else { return .float(x) }
            let (numerator, denominator) = exactRatio(x)
            if digits >= 0 {
                let scaled = halfEven(numerator * BigInt(10).power(digits), denominator)
                guard let result = Double("\(scaled)e-\(digits)") else { return .float(x) }
                return .float(result == 0 ? copysign(0, x) : result)
            }
            let scale = BigInt(10).power(-digits)
            let rounded = halfEven(numerator, denominator * scale)
            guard let result = Double("\(rounded)e\(-digits)") else { return .float(x) }
            if result.isInfinite { throw EvalFailure(.runtime, "OverflowError: rounded value too large to represent") }
            return .float(result == 0 ? copysign(0, x) : result)
        case .undefined(let u):
            throw EvalFailure(.undefined, u.message)
        default:
            throw EvalFailure(.type, "type \(value.typeName) doesn't define __round__ method")
        }
    }

    /// x = numerator / denominator exactly (denominator a power of two).
    static func exactRatio(_ x: Double) -> (BigInt, BigInt) {
        let significand = BigInt(x.significandBitPattern | (x.isNormal ? 1 << 52 : 0))
        let exponent = (x.isNormal ? Int(x.exponent) : -1022) - 52
        let signed = x < 0 ? -significand : significand
        if exponent >= 0 { return (signed << exponent, 1) }
        return (signed, BigInt(1) << -exponent)
    }

    /// numerator / denominator rounded to the nearest integer, ties to even.
    static func halfEven(_ numerator: BigInt, _ denominator: BigInt) -> BigInt {
        var (q, r) = PythonOperators.floorDivmod(numerator, denominator)
        let twice = r * 2
        if twice > denominator || (twice == denominator && q % 2 != 0) { q += 1 }
        _ = r
        r = 0
        return q
    }
}

/// `json.dumps` with `sort_keys=True` (Jinja's `tojson` policy), ASCII-only output.
enum PythonJSON {
    static func dumps(_ value: Value, indent: String?, sortKeys: Bool) throws -> String {
        var out = ""
        try write(value, indent: indent, level: 0, sortKeys: sortKeys, into: &out)
        return out
    }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let code = scalar.value
                if code >= 0x20 && code <= 0x7E {
                    out.unicodeScalars.append(scalar)
                } else if code > 0xFFFF {
                    let v = code - 0x10000
                    out +=
                        "\\u" + PythonFormatting.hex(0xD800 + (v >> 10), 4) + "\\u"
                        + PythonFormatting.hex(0xDC00 + (v & 0x3FF), 4)
                } else {
                    out += "\\u" + PythonFormatting.hex(code, 4)
                }
            }
        }
        return out + "\""
    }

    static func keyString(_ key: Value) throws -> String {
        switch key {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .bigInt(let number): return try PythonFormatting.decimal(number)
        case .float(let number):
            if number.isNaN { return "NaN" }
            if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
            return PythonFloatFormat.repr(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .none: return "null"
        default: throw EvalFailure(.type, "keys must be str, int, float, bool or None, not \(key.typeName)")
        }
    }

    static func write(_ value: Value, indent: String?, level: Int, sortKeys: Bool, into out: inout String) throws {
        switch value {
        case .none: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .bigInt(let number): out += try PythonFormatting.decimal(number)
        case .float(let number):
            if number.isNaN {
                out += "NaN"
            } else if number.isInfinite {
                out += number > 0 ? "Infinity" : "-Infinity"
            } else {
                out += PythonFloatFormat.repr(number)
            }
        case .string(let text): out += string(text)
        case .list(let list): try array(list.items, indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case .tuple(let items): try array(items, indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case .namedTuple(let tuple):
            try array(tuple.values, indent: indent, level: level, sortKeys: sortKeys, into: &out)
        case .dict(let dict):
            if dict.count == 0 {
                out += "{}"
                return
            }
            var pairs = Array(zip(dict.keys, dict.values))
            if sortKeys {
                let order = try BuiltinFilters.sorted(
                    pairs.map { Value.tuple([$0.0, $0.1]) },
                    key: { pair in
                        guard case .tuple(let items) = pair else { return pair }
                        return items[0]
                    }, reverse: false)
                pairs = order.map { pair in
                    guard case .tuple(let items) = pair else { return (pair, pair) }
                    return (items[0], items[1])
                }
            }
            out += "{"
            for (offset, (key, item)) in pairs.enumerated() {
                if offset > 0 { out += indent == nil ? ", " : "," }
                if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                out += string(try keyString(key)) + ": "
                try write(item, indent: indent, level: level + 1, sortKeys: sortKeys, into: &out)
            }
            if let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "}"
        case .undefined(let u):
            if u.lenient { throw EvalFailure(.type, "Object of type Undefined is not JSON serializable") }
            throw EvalFailure(.type, "Object of type StrictUndefined is not JSON serializable")
        default:
            throw EvalFailure(.type, "Object of type \(value.typeName) is not JSON serializable")
        }
    }

    static func array(_ items: [Value], indent: String?, level: Int, sortKeys: Bool, into out: inout String) throws {
        if items.isEmpty {
            out += "[]"
            return
        }
        out += "["
        for (offset, item) in items.enumerated() {
            if offset > 0 { out += indent == nil ? ", " : "," }
            if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
            try write(item, indent: indent, level: level + 1, sortKeys: sortKeys, into: &out)
        }
        if let indent { out += "\n" + String(repeating: indent, count: level) }
        out += "]"
    }
}
