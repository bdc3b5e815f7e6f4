import BigInt
import HybridYAML

/// Python's `str()` and `repr()` of template values, byte for byte.
enum PythonFormatting {
    /// `str(value)`; using an undefined value is an error.
    static func str(_ value: Value) throws -> String {
        switch value {
        case .string(let text), .markup(let text): return text
        case .int(let number): return String(number)
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .bigInt(let number): return try decimal(number)
        case .float(let number): return PythonFloatFormat.repr(number)
        case .date(let date): return date.description
        case .datetime(let stamp): return datetimeString(stamp)
        case .clock(let clock): return clock.string
        case .undefined(let undefined):
            if undefined.lenient { return "" }
            throw EvalFailure(.undefined, undefined.message)
        default: return try repr(value)
        }
    }

    /// `repr(value)`.
    static func repr(_ value: Value) throws -> String {
        switch value {
        case .string(let text): return stringRepr(text)
        case .markup(let text): return MarkupOperations.repr(text)
        case .bytes(let bytes): return PythonBytes.repr(bytes)
        case .list(let list): return "[" + (try list.items.map(repr).joined(separator: ", ")) + "]"
        case .tuple(let items): return tupleRepr(try items.map(repr))
        case .namedTuple(let tuple): return tupleRepr(try tuple.values.map(repr))
        case .dict(let dict):
            var parts: [String] = []
            parts.reserveCapacity(dict.count)
            for (key, item) in zip(dict.keys, dict.values) { parts.append(try repr(key) + ": " + repr(item)) }
            return "{" + parts.joined(separator: ", ") + "}"
        case .range(let range):
            return range.step == 1
                ? "range(\(range.start), \(range.stop))" : "range(\(range.start), \(range.stop), \(range.step))"
        case .date(let date): return "datetime.date(\(date.year), \(date.month), \(date.day))"
        case .datetime(let stamp): return datetimeRepr(stamp)
        case .clock(let clock): return clock.repr
        case .undefined: return "Undefined"
        case .callable(let callable): return callable.reprText
        case .namespace(let namespace): return "<Namespace " + (try repr(.dict(namespace.attributes))) + ">"
        case .loop(let loop): return "<LoopContext \(loop.index0 + 1)/\(try loop.length())>"
        case .iterator(let iterator): return iterator.repr
        case .dictView(let view):
            return view.kind.rawValue + "([" + (try view.elements.map(repr).joined(separator: ", ")) + "])"
        case .module(let module): return "<TemplateModule '\(module.name)'>"
        default: return try str(value)
        }
    }

    /// `ascii(value)`: the repr with every non-ASCII character escaped (`\xe9`, `\u65e5`, `\U0001f600`).
    static func ascii(_ value: Value) throws -> String { asciiEscaped(try repr(value)) }

    /// `text` with every non-ASCII character backslash-escaped.
    static func asciiEscaped(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let code = scalar.value
            if code < 0x80 {
                out.append(scalar)
            } else {
                appendEscape(code, to: &out)
            }
        }
        return String(out)
    }

    /// `str(int)` under Python 3.11's default limit of 4300 digits (`sys.set_int_max_str_digits`).
    static func decimal(_ number: BigInt) throws -> String {
        let limit =
            "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"
        if PythonOperators.bitLength(number) > 14_300 { throw EvalFailure(.value, limit) }
        let text = number.description
        if text.utf8.count - (number.signum() < 0 ? 1 : 0) > 4300 { throw EvalFailure(.value, limit) }
        return text
    }

    static func tupleRepr(_ parts: [String]) -> String {
        parts.count == 1 ? "(" + parts[0] + ",)" : "(" + parts.joined(separator: ", ") + ")"
    }

    /// CPython's `unicode_repr`: single quotes unless the text has `'` and no `"`.
    static func stringRepr(_ text: String) -> String {
        let hasSingle = text.utf8.contains(UInt8(ascii: "'"))
        let hasDouble = text.utf8.contains(UInt8(ascii: "\""))
        let quote: Unicode.Scalar = hasSingle && !hasDouble ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case quote, "\\":
                out.append("\\")
                out.append(scalar)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                let code = scalar.value
                if code < 0x20 || code == 0x7F {
                    out.append(contentsOf: ("\\x" + hex(code, 2)).unicodeScalars)
                } else if code < 0x7F || isPrintable(scalar) {
                    out.append(scalar)
                } else {
                    appendEscape(code, to: &out)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// `str.isprintable()` for one character: not a control, format, surrogate, private-use,
    /// unassigned or separator character (the space is printable).
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// Python's `\xhh`, `\uhhhh` or `\Uhhhhhhhh` escape of a code point from U+0080 up (repr and ascii).
    static func appendEscape(_ code: UInt32, to out: inout String.UnicodeScalarView) {
        if code <= 0xFF {
            out.append(contentsOf: ("\\x" + hex(code, 2)).unicodeScalars)
        } else if code <= 0xFFFF {
            out.append(contentsOf: ("\\u" + hex(code, 4)).unicodeScalars)
        } else {
            out.append(contentsOf: ("\\U" + hex(code, 8)).unicodeScalars)
        }
    }

    static func hex(_ value: UInt32, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `str(datetime)`: ISO format with a space between date and time.
    static func datetimeString(_ stamp: YAMLTimestamp) -> String {
        stamp.description.replacingOccurrences(ofFirst: "T", with: " ")
    }

    static func datetimeRepr(_ stamp: YAMLTimestamp) -> String {
        var fields = [
            stamp.date.year, stamp.date.month, stamp.date.day, stamp.hour, stamp.minute, stamp.second,
            stamp.microsecond,
        ]
        if fields.last == 0 {
            fields.removeLast()
            if fields.last == 0 { fields.removeLast() }
        }
        var text = "datetime.datetime(" + fields.map(String.init).joined(separator: ", ")
        if let offset = stamp.utcOffsetMinutes {
            if offset == 0 {
                text += ", tzinfo=datetime.timezone.utc"
            } else {
                let seconds = offset * 60
                let days = seconds >= 0 ? 0 : -1
                let rest = seconds - days * 86_400
                let delta = days == 0 ? "seconds=\(rest)" : "days=\(days), seconds=\(rest)"
                text += ", tzinfo=datetime.timezone(datetime.timedelta(\(delta)))"
            }
        }
        return text + ")"
    }
}

extension String {
    func replacingOccurrences(ofFirst target: Character, with replacement: String) -> String {
        guard let position = firstIndex(of: target) else { return self }
        return self[..<position] + replacement + self[index(after: position)...]
    }
}
