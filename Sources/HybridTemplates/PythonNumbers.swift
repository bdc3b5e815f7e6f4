import BigInt
import Foundation
import HybridYAML

/// Python's `round(number, ndigits)`: ints stay ints, floats are rounded half-to-even on their
/// exact binary value and converted back with correct rounding.
enum PythonRound {
    static func round(_ value: Value, _ digits: Int) throws -> Value {
        switch value {
        case .int, .bigInt, .bool:
            let number = PythonOperators.toBig(PythonOperators.number(value)!)!
            if digits >= 0 { return PythonOperators.intValue(number) }
            // 10**-digits past twice the number rounds it to 0 (Python gets there by building the
            // power, which for round(5, -10**10) takes forever).
            if -digits > number.magnitude.description.count { return .int(0) }
            let scale = BigInt(10).power(-digits)
            return PythonOperators.intValue(halfEven(number, scale) * scale)
        case .float(let x):
            guard x.isFinite, x != 0 else { return .float(x) }
            // CPython's bounds (floatobject.c NDIGITS_MAX / NDIGITS_MIN): past them a double is
            // returned unchanged, or as a zero of its sign.
            if digits > 323 { return .float(x) }
            if digits < -308 { return .float(copysign(0, x)) }
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
        default:
            // Undefined defines no __round__ either.
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
        case .string(let text), .markup(let text): out += string(text)
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
