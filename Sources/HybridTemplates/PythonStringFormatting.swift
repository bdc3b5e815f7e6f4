import BigInt
import Foundation
import HybridYAML

/// Python's `%` formatting (`'%s-%05.2f' % (a, b)`, the `format` filter).
extension Value {
    /// For a value `%` treats as a mapping although it is a sequence (list, range, bytes): the name
    /// its index error uses (`list indices must be integers…`); nil for anything else.
    fileprivate var percentMappingSequenceName: String? {
        switch self {
        case .list: return "list"
        case .range: return "range"
        case .bytes: return "byte"
        default: return nil
        }
    }
}

enum PercentFormat {
    /// `escaping`: `Markup % argument`, where each argument is wrapped in markupsafe's
    /// `_MarkupEscapeHelper` (`%s` and `%r` escape; integer-only conversions refuse it).
    static func format(_ template: String, _ argument: Value, escaping: Bool = false) throws -> String {
        var positional: [Value]
        var mapping: DictObject?
        switch argument {
        case .tuple(let items): positional = items
        case .namedTuple(let tuple): positional = tuple.values
        case .dict(let dict):
            positional = [argument]
            mapping = dict
        default: positional = [argument]
        }
        var out = ""
        let scalars = Array(template.unicodeScalars)
        var i = 0
        var next = 0
        func take() throws -> Value {
            guard next < positional.count else { throw EvalFailure(.type, "not enough arguments for format string") }
            defer { next += 1 }
            return positional[next]
        }
        var usedMapping = false
        while i < scalars.count {
            let c = scalars[i]
            if c != "%" {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < scalars.count else { throw EvalFailure(.value, "incomplete format") }
            var key: String?
            if scalars[i] == "(" {
                var depth = 1
                var j = i + 1
                var name = String.UnicodeScalarView()
                while j < scalars.count {
                    if scalars[j] == "(" { depth += 1 }
                    if scalars[j] == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    name.append(scalars[j])
                    j += 1
                }
                guard j < scalars.count else { throw EvalFailure(.value, "incomplete format key") }
                key = String(name)
                i = j + 1
            }
            var spec = FormatSpec()
            while i < scalars.count, "#0- +".unicodeScalars.contains(scalars[i]) {
                switch scalars[i] {
                case "#": spec.alternate = true
                case "0": spec.zero = true
                case "-": spec.left = true
                case " ": spec.sign = " "
                default: spec.sign = "+"
                }
                i += 1
            }
            if i < scalars.count, scalars[i] == "*" {
                guard case .int(let width) = try take() else { throw EvalFailure(.type, "* wants int") }
                spec.width = try Limits.size(width, "format width")
                i += 1
            } else {
                var digits = ""
                while i < scalars.count, scalars[i].properties.numericType == .decimal, scalars[i].isASCII {
                    digits.unicodeScalars.append(scalars[i])
                    i += 1
                }
                if !digits.isEmpty { spec.width = try Limits.size(Int(digits) ?? Int.max, "format width") }
            }
            if i < scalars.count, scalars[i] == "." {
                i += 1
                if i < scalars.count, scalars[i] == "*" {
                    guard case .int(let precision) = try take() else { throw EvalFailure(.type, "* wants int") }
                    spec.precision = try Limits.size(precision, "format precision")
                    i += 1
                } else {
                    var digits = ""
                    while i < scalars.count, scalars[i].isASCII, scalars[i].properties.numericType == .decimal {
                        digits.unicodeScalars.append(scalars[i])
                        i += 1
                    }
                    spec.precision = try Limits.size(Int(digits) ?? Int.max, "format precision")
                }
            }
            while i < scalars.count, "hlL".unicodeScalars.contains(scalars[i]) { i += 1 }
            guard i < scalars.count else { throw EvalFailure(.value, "incomplete format") }
            let conversion = scalars[i]
            i += 1
            if conversion == "%" {
                out += "%"
                continue
            }
            let value: Value
            if let key {
                // An undefined value passes Python's mapping check (it has __getitem__), which then fails.
                if case .undefined(let undefined) = argument { throw EvalFailure(.undefined, undefined.message) }
                if let sequence = argument.percentMappingSequenceName {
                    throw EvalFailure(.type, "\(sequence) indices must be integers or slices, not str")
                }
                guard let mapping else { throw EvalFailure(.type, "format requires a mapping") }
                usedMapping = true
                guard let found = try mapping.get(.string(key)) else {
                    throw EvalFailure(.runtime, "KeyError: '\(key)'")
                }
                value = found
            } else {
                value = try take()
            }
            out += try convert(value, conversion, spec, escaping: escaping)
        }
        // Python leaves arguments unused without complaint when the argument passes its mapping check
        // (it has __getitem__ and is not a tuple or str): a dict, but also a list, range or bytes.
        if mapping == nil && next < positional.count && !argument.isUndefined
            && argument.percentMappingSequenceName == nil
        {
            throw EvalFailure(.type, "not all arguments converted during string formatting")
        }
        _ = usedMapping
        return out
    }

    struct FormatSpec {
        var alternate = false
        var zero = false
        var left = false
        var sign: Character?
        var width: Int?
        var precision: Int?
    }

    static func pad(_ body: String, _ spec: FormatSpec, numeric: Bool) -> String {
        guard let width = spec.width else { return body }
        let length = body.unicodeScalars.count
        guard length < width else { return body }
        let fill = width - length
        if spec.left { return body + String(repeating: " ", count: fill) }
        if spec.zero && numeric {
            var signPart = ""
            var rest = Substring(body)
            if let first = rest.first, first == "-" || first == "+" || first == " " {
                signPart = String(first)
                rest = rest.dropFirst()
            }
            return signPart + String(repeating: "0", count: fill) + rest
        }
        return String(repeating: " ", count: fill) + body
    }

    static func convert(_ value: Value, _ conversion: Unicode.Scalar, _ spec: FormatSpec, escaping: Bool = false)
        throws -> String
    {
        if escaping {
            switch conversion {
            case "r", "a":
                var text = BuiltinFilters.escapeHTML(try PythonFormatting.repr(value))
                if conversion == "a" { text = PythonFormatting.asciiEscaped(text) }
                if let precision = spec.precision {
                    text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
                }
                return pad(text, spec, numeric: false)
            case "x", "X", "o", "c":
                throw EvalFailure(.type, "%\(conversion) format: an integer is required, not _MarkupEscapeHelper")
            default: break
            }
        }
        switch conversion {
        case "s":
            var text = escaping ? try MarkupOperations.escapedText(value) : try PythonFormatting.str(value)
            if let precision = spec.precision {
                text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
            }
            return pad(text, spec, numeric: false)
        case "r", "a":
            var text = conversion == "a" ? try PythonFormatting.ascii(value) : try PythonFormatting.repr(value)
            if let precision = spec.precision {
                text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
            }
            return pad(text, spec, numeric: false)
        case "d", "i", "u":
            let integer = try integerArgument(value, conversion)
            var digits = integer.magnitude.description
            if let precision = spec.precision, digits.count < precision {
                digits = String(repeating: "0", count: precision - digits.count) + digits
            }
            return pad(signed(digits, negative: integer.signum() < 0, spec), spec, numeric: true)
        case "x", "X", "o":
            let integer = try integerArgument(value, conversion)
            var digits = String(integer.magnitude, radix: conversion == "o" ? 8 : 16, uppercase: conversion == "X")
            if let precision = spec.precision, digits.count < precision {
                digits = String(repeating: "0", count: precision - digits.count) + digits
            }
            if spec.alternate { digits = (conversion == "o" ? "0o" : conversion == "x" ? "0x" : "0X") + digits }
            return pad(signed(digits, negative: integer.signum() < 0, spec), spec, numeric: true)
        case "e", "E", "f", "F", "g", "G":
            let number = try floatArgument(value, conversion)
            let body = FloatFormatting.format(
                number.magnitude, type: Character(conversion), precision: spec.precision ?? 6, alternate: spec.alternate
            )
            return pad(
                signed(body, negative: number.sign == .minus && !number.isNaN, spec), spec, numeric: number.isFinite)
        case "c":
            switch value {
            case .int(let code):
                guard let scalar = Unicode.Scalar(UInt32(clamping: code)) else {
                    throw EvalFailure(.runtime, "%c arg not in range(0x110000)")
                }
                return pad(String(scalar), spec, numeric: false)
            case .string(let text) where text.unicodeScalars.count == 1:
                return pad(text, spec, numeric: false)
            default:
                throw EvalFailure(.type, "%c requires int or char")
            }
        default:
            throw EvalFailure(.value, "unsupported format character '\(conversion)'")
        }
    }

    static func signed(_ digits: String, negative: Bool, _ spec: FormatSpec) -> String {
        if negative { return "-" + digits }
        if let sign = spec.sign { return String(sign) + digits }
        return digits
    }

    static func integerArgument(_ value: Value, _ conversion: Unicode.Scalar) throws -> BigInt {
        switch value {
        case .int(let number): return BigInt(number)
        case .bool(let flag): return flag ? 1 : 0
        case .bigInt(let number): return number
        case .float(let number):
            guard number.isFinite else {
                throw EvalFailure(.runtime, "cannot convert float \(PythonFloatFormat.repr(number)) to integer")
            }
            return BigInt(number.rounded(.towardZero))
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default:
            throw EvalFailure(.type, "%\(conversion) format: a real number is required, not \(value.typeName)")
        }
    }

    static func floatArgument(_ value: Value, _ conversion: Unicode.Scalar) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .bool(let flag): return flag ? 1 : 0
        case .bigInt(let number): return Double(number)
        case .float(let number): return number
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default: throw EvalFailure(.type, "must be real number, not \(value.typeName)")
        }
    }
}

/// Fixed, exponent and general float formatting as Python's `%` and `format()` produce it.
enum FloatFormatting {
    /// `value` is non-negative (the caller adds the sign).
    static func format(_ value: Double, type: Character, precision: Int, alternate: Bool) -> String {
        if value.isNaN { return type.isUppercase ? "NAN" : "nan" }
        if value.isInfinite { return type.isUppercase ? "INF" : "inf" }
        let clamped = min(precision, 500)
        var format = "%"
        if alternate { format += "#" }
        format += ".\(clamped)"
        format.append(type)
        return String(format: format, value)
    }
}

/// Python's `str.format` with the format-spec mini-language.
enum BraceFormat {
    /// Python's field numbering state: automatic (`{}`) and manual (`{0}`) may not be mixed, in the
    /// string or in the nested fields of its format specs.
    struct FieldNumbering {
        enum Mode { case unset, automatic, manual }
        var mode = Mode.unset
        var next = 0
        /// False for `format_map`, which has no positional arguments.
        var positionalAllowed = true

        mutating func automaticIndex() throws -> Int {
            if !positionalAllowed { throw EvalFailure(.value, "Format string contains positional fields") }
            if mode == .manual {
                throw EvalFailure(.value, "cannot switch from manual field specification to automatic field numbering")
            }
            mode = .automatic
            defer { next += 1 }
            return next
        }

        mutating func manualIndex() throws {
            if !positionalAllowed { throw EvalFailure(.value, "Format string contains positional fields") }
            if mode == .automatic {
                throw EvalFailure(.value, "cannot switch from automatic field numbering to manual field specification")
            }
            mode = .manual
        }
    }

    static func format(
        _ template: String, _ positional: [Value], _ keyword: [(String, Value)], interpreter: Interpreter,
        positionalAllowed: Bool = true, field: ((Value, Character?, String) throws -> String)? = nil
    ) throws -> String {
        var numbering = FieldNumbering()
        numbering.positionalAllowed = positionalAllowed
        return try format(template, positional, keyword, &numbering, interpreter: interpreter, field: field)
    }

    /// `field`, when given, formats each replacement field's value (conversion, spec) instead of
    /// `format(value, spec)` (Markup's escaping formatter).
    static func format(
        _ template: String, _ positional: [Value], _ keyword: [(String, Value)], _ numbering: inout FieldNumbering,
        interpreter: Interpreter, field: ((Value, Character?, String) throws -> String)?
    ) throws -> String {
        let scalars = Array(template.unicodeScalars)
        var out = ""
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "{" {
                if i + 1 < scalars.count && scalars[i + 1] == "{" {
                    out += "{"
                    i += 2
                    continue
                }
                var j = i + 1
                var depth = 1
                var fieldText = String.UnicodeScalarView()
                while j < scalars.count {
                    if scalars[j] == "{" { depth += 1 }
                    if scalars[j] == "}" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    fieldText.append(scalars[j])
                    j += 1
                }
                guard j < scalars.count else { throw EvalFailure(.value, "expected '}' before end of string") }
                out += try replacement(
                    String(fieldText), positional, keyword, &numbering, interpreter: interpreter, field: field)
                i = j + 1
                continue
            }
            if c == "}" {
                if i + 1 < scalars.count && scalars[i + 1] == "}" {
                    out += "}"
                    i += 2
                    continue
                }
                throw EvalFailure(.value, "Single '}' encountered in format string")
            }
            out.unicodeScalars.append(c)
            i += 1
        }
        return out
    }

    private static func replacement(
        _ field: String, _ positional: [Value], _ keyword: [(String, Value)], _ numbering: inout FieldNumbering,
        interpreter: Interpreter, field formatField: ((Value, Character?, String) throws -> String)?
    ) throws -> String {
        var name = field
        var spec = ""
        var conversion: Character?
        if let colon = field.firstIndex(of: ":") {
            name = String(field[..<colon])
            spec = String(field[field.index(after: colon)...])
        }
        if let bang = name.firstIndex(of: "!") {
            let after = name[name.index(after: bang)...]
            guard let first = after.first else {
                throw EvalFailure(.value, "end of string while looking for conversion specifier")
            }
            guard after.count == 1 else { throw EvalFailure(.value, "expected ':' after conversion specifier") }
            conversion = first
            name = String(name[..<bang])
        }
        // Field name: argument then .attribute / [index] parts.
        var head = name
        var rest = ""
        if let split = name.firstIndex(where: { $0 == "." || $0 == "[" }) {
            head = String(name[..<split])
            rest = String(name[split...])
        }
        var value: Value
        if head.isEmpty {
            let automatic = try numbering.automaticIndex()
            guard automatic < positional.count else {
                throw EvalFailure(
                    .runtime, "IndexError: Replacement index \(automatic) out of range for positional args tuple")
            }
            value = positional[automatic]
        } else if head.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal }) {
            try numbering.manualIndex()
            // Python: a field name of decimal digits (any script) is an index; `-1`, `+1` are keywords.
            var number = 0
            for scalar in head.unicodeScalars {
                let digit = Int(scalar.properties.numericValue ?? 0)
                let (times, overflow) = number.multipliedReportingOverflow(by: 10)
                guard !overflow, times <= Int.max - digit else {
                    throw EvalFailure(.value, "Too many decimal digits in format string")
                }
                number = times + digit
            }
            guard number < positional.count else {
                throw EvalFailure(
                    .runtime, "IndexError: Replacement index \(number) out of range for positional args tuple")
            }
            value = positional[number]
        } else {
            guard let found = keyword.first(where: { $0.0 == head }) else {
                throw EvalFailure(.runtime, "KeyError: '\(head)'")
            }
            value = found.1
        }
        var cursor = Substring(rest)
        while let first = cursor.first {
            if first == "." {
                cursor = cursor.dropFirst()
                let attribute = cursor.prefix(while: { $0 != "." && $0 != "[" })
                cursor = cursor.dropFirst(attribute.count)
                value = try interpreter.getattr(value, String(attribute))
            } else {
                cursor = cursor.dropFirst()
                let key = cursor.prefix(while: { $0 != "]" })
                cursor = cursor.dropFirst(key.count + 1)
                value = try interpreter.getitem(value, Int(key).map(Value.int) ?? .string(String(key)))
            }
        }
        // StrictUndefined fails in str(), not in repr() (`{!r}` prints `Undefined`); format() with a
        // spec is object.__format__'s TypeError first. The plain Undefined of an inline `if` without
        // `else` formats as ''.
        if case .undefined(let u) = value, conversion != "r" && conversion != "a" {
            if conversion != "s" && !spec.isEmpty {
                throw EvalFailure(
                    .type, "unsupported format string passed to \(u.lenient ? "" : "Strict")Undefined.__format__")
            }
            if !u.lenient { throw EvalFailure(.undefined, u.message) }
        }
        if let formatField {
            if spec.contains("{") {
                spec = try format(spec, positional, keyword, &numbering, interpreter: interpreter, field: formatField)
            }
            return try formatField(value, conversion, spec)
        }
        value = try convert(value, conversion)
        if spec.contains("{") {
            spec = try format(spec, positional, keyword, &numbering, interpreter: interpreter, field: nil)
        }
        return try formatValue(value, spec: spec)
    }

    /// A replacement field's conversion: `!r` (repr), `!s` (str), `!a` (ascii).
    static func convert(_ value: Value, _ conversion: Character?) throws -> Value {
        switch conversion {
        case nil: return value
        case "r": return .string(try PythonFormatting.repr(value))
        case "s": return .string(try PythonFormatting.str(value))
        case "a": return .string(try PythonFormatting.ascii(value))
        case let other?:
            throw EvalFailure(.value, "Unknown conversion specifier \(other)")
        }
    }

    /// `format(value, spec)`.
    static func formatValue(_ value: Value, spec: String) throws -> String {
        // bool.__format__ with an empty spec is str(); any other spec formats it as an int.
        if case .bool(let flag) = value, spec.isEmpty { return flag ? "True" : "False" }
        // object.__format__: str() for an empty spec, a TypeError for any other.
        if case .undefined(let u) = value, !spec.isEmpty {
            throw EvalFailure(
                .type, "unsupported format string passed to \(u.lenient ? "" : "Strict")Undefined.__format__")
        }
        // date.__format__ / datetime.__format__: strftime with the spec, str() when it is empty.
        if !spec.isEmpty, case .date(let date) = value {
            return try PythonStrftime.format(
                spec, date: date, hour: 0, minute: 0, second: 0, microsecond: 0, offset: nil)
        }
        if !spec.isEmpty, case .datetime(let stamp) = value {
            return try PythonStrftime.format(
                spec, date: stamp.date, hour: stamp.hour, minute: stamp.minute, second: stamp.second,
                microsecond: stamp.microsecond, offset: stamp.utcOffsetMinutes)
        }
        if case .bytes(let bytes) = value {
            guard spec.isEmpty else { throw EvalFailure(.type, "unsupported format string passed to bytes.__format__") }
            return PythonBytes.repr(bytes)
        }
        var s = Array(spec)
        var fill: Character = " "
        var align: Character?
        if s.count >= 2, "<>=^".contains(s[1]) {
            fill = s[0]
            align = s[1]
            s.removeFirst(2)
        } else if let first = s.first, "<>=^".contains(first) {
            align = first
            s.removeFirst()
        }
        var sign: Character = "-"
        if let first = s.first, "+- ".contains(first) {
            sign = first
            s.removeFirst()
        }
        var alternate = false
        if s.first == "#" {
            alternate = true
            s.removeFirst()
        }
        if s.first == "0" {
            if align == nil {
                fill = "0"
                align = "="
            }
            s.removeFirst()
        }
        var widthText = ""
        while let first = s.first, first.isASCII, first.isNumber {
            widthText.append(first)
            s.removeFirst()
        }
        var grouping: Character?
        if let first = s.first, first == "," || first == "_" {
            grouping = first
            s.removeFirst()
        }
        var precision: Int?
        if s.first == "." {
            s.removeFirst()
            var digits = ""
            while let first = s.first, first.isASCII, first.isNumber {
                digits.append(first)
                s.removeFirst()
            }
            precision = try Limits.size(Int(digits) ?? Int.max, "format precision")
        }
        let type = s.first
        if s.count > 1 {
            throw EvalFailure(.value, "Invalid format specifier '\(spec)' for object of type '\(value.typeName)'")
        }
        let width = widthText.isEmpty ? 0 : try Limits.size(Int(widthText) ?? Int.max, "format width")

        var body: String
        var negative = false
        var numeric = true
        switch (value, type) {
        case (.string(let text), nil), (.string(let text), "s"):
            body = text
            if let precision { body = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision))) }
            numeric = false
        case (.int, _) where type == nil || "dboxXnc".contains(type!),
            (.bigInt, _) where type == nil || "dboxXnc".contains(type!),
            (.bool, _) where type == nil || "dboxXnc".contains(type!):
            let integer = try PercentFormat.integerArgument(value, "d")
            negative = integer.signum() < 0
            switch type {
            case "b": body = String(integer.magnitude, radix: 2)
            case "o": body = String(integer.magnitude, radix: 8)
            case "x": body = String(integer.magnitude, radix: 16)
            case "X": body = String(integer.magnitude, radix: 16, uppercase: true)
            case "c":
                // Python: OverflowError outside 0..0x10FFFF; a lone surrogate cannot be output as UTF-8.
                guard !negative, integer.magnitude < 0x11_0000 else {
                    throw EvalFailure(.runtime, "%c arg not in range(0x110000)")
                }
                guard let scalar = Unicode.Scalar(UInt32(integer.magnitude)) else {
                    throw EvalFailure(.runtime, "surrogates not allowed (a lone surrogate cannot be written as UTF-8)")
                }
                body = String(scalar)
            default: body = integer.magnitude.description
            }
            if alternate, let type, "box".contains(type.lowercased()) { body = "0" + type.lowercased() + body }
            if let grouping, type == nil || type == "d" { body = group(body, grouping) }
        case (.int, _), (.bigInt, _), (.bool, _), (.float, _):
            let number = try PercentFormat.floatArgument(value, "f")
            negative = number.sign == .minus && !number.isNaN
            switch type {
            case nil:
                if precision == nil {
                    body =
                        value.isFloatValue
                        ? PythonFloatFormat.repr(number.magnitude) : (try PythonFormatting.str(value))
                    if !value.isFloatValue { negative = false }
                } else {
                    body = generalFormat(
                        number.magnitude, precision: max(precision!, 1), alternate: alternate, noTrailingDot: true)
                }
            case "%":
                body =
                    FloatFormatting.format(
                        number.magnitude * 100, type: "f", precision: precision ?? 6, alternate: alternate) + "%"
            case "g", "G":
                body = FloatFormatting.format(
                    number.magnitude, type: type!, precision: precision ?? 6, alternate: alternate)
            case "e", "E", "f", "F":
                body = FloatFormatting.format(
                    number.magnitude, type: type!, precision: precision ?? 6, alternate: alternate)
            case "n":
                body = FloatFormatting.format(
                    number.magnitude, type: "g", precision: precision ?? 6, alternate: alternate)
            default:
                throw EvalFailure(.value, "Unknown format code '\(type!)' for object of type '\(value.typeName)'")
            }
            if let grouping {
                let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                let integerPart = String(parts[0])
                if integerPart.allSatisfy(\.isNumber) {
                    body = group(integerPart, grouping) + (parts.count > 1 ? "." + parts[1] : "")
                }
            }
        default:
            body = try PythonFormatting.str(value)
            numeric = false
            if type != nil && type != "s" {
                throw EvalFailure(.value, "Unknown format code '\(type!)' for object of type '\(value.typeName)'")
            }
        }
        var signText = ""
        if numeric {
            if negative {
                signText = "-"
            } else if sign == "+" {
                signText = "+"
            } else if sign == " " {
                signText = " "
            }
        }
        let length = signText.unicodeScalars.count + body.unicodeScalars.count
        guard length < width else { return signText + body }
        let padding = width - length
        switch align ?? (numeric ? ">" : "<") {
        case "<": return signText + body + String(repeating: fill, count: padding)
        case "^":
            let left = padding / 2
            return String(repeating: fill, count: left) + signText + body
                + String(repeating: fill, count: padding - left)
        case "=": return signText + String(repeating: fill, count: padding) + body
        default: return String(repeating: fill, count: padding) + signText + body
        }
    }

    /// `format(x, '.Ng')`-like general format without a type (Python's 'None' presentation).
    static func generalFormat(_ value: Double, precision: Int, alternate: Bool, noTrailingDot: Bool) -> String {
        var text = FloatFormatting.format(value, type: "g", precision: precision, alternate: alternate)
        if !text.contains(".") && !text.contains("e") && !text.contains("n") && !text.contains("i") {
            text += ".0"
        }
        return text
    }

    static func group(_ digits: String, _ separator: Character) -> String {
        var out: [Character] = []
        for (offset, character) in digits.reversed().enumerated() {
            if offset > 0 && offset % 3 == 0 { out.append(separator) }
            out.append(character)
        }
        return String(out.reversed())
    }
}

extension Value {
    var isFloatValue: Bool {
        if case .float = self { return true }
        return false
    }
}
