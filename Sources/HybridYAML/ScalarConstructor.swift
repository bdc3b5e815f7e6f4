import BigInt

/// Why a scalar could not become a value (the parser adds the position).
struct ScalarConstructionError: Error {
    var kind: YAMLError.Kind
    var message: String
}

/// Builds values from scalar text exactly as PyYAML's `SafeConstructor` does.
enum ScalarConstructor {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static let tagPrefix = "tag:yaml.org,2002:"

    /// What a scalar turned into: a value, or one of the two YAML 1.1 key indicators.
    enum Result {
        case value(YAMLValue)
        case merge
        case valueIndicator
    }

    /// A scalar with no tag or the non-specific `!`: plain (or `!`-tagged) text is resolved
    /// by the implicit rules, anything else is a string.
    @inline(__always)
    static func construct(untagged b: Bytes, resolveImplicitly: Bool) throws(ScalarConstructionError) -> Result {
        guard resolveImplicitly else { return .value(.string(string(b))) }
        switch ImplicitTag.of(b) {
        case .string: return .value(.string(string(b)))
        case .null: return .value(.null)
        case .bool: return .value(.bool(boolValue(b)!))
        case .int: return .value(try intValue(b))
        case .float: return .value(floatValue(b))
        case .timestamp: return .value(try timestampValue(b))
        case .merge: return .merge
        case .value: return .valueIndicator
        }
    }

    /// A scalar with an explicit tag such as `!!int` (already expanded to `tag:yaml.org,2002:int`).
    static func construct(tagged tag: String, _ b: Bytes) throws(ScalarConstructionError) -> Result {
        guard tag.hasPrefix(tagPrefix) else { throw unsupported(tag) }
        switch tag.dropFirst(tagPrefix.count) {
        case "str":
            return .value(.string(string(b)))
        case "null":
            return .value(.null)
        case "bool":
            guard let value = boolValue(b) else { throw invalid("\(quoted(b)) is not a boolean (!!bool)") }
            return .value(.bool(value))
        case "int":
            guard let value = explicitIntValue(string(b)) else {
                throw invalid("\(quoted(b)) is not an integer (!!int)")
            }
            return .value(value)
        case "float":
            guard let value = explicitFloatValue(b) else {
                throw invalid("\(quoted(b)) is not a float (!!float)")
            }
            return .value(.float(value))
        case "timestamp":
            guard TimestampFields.parse(b) != nil else {
                throw invalid("\(quoted(b)) is not a timestamp (!!timestamp)")
            }
            return .value(try timestampValue(b))
        case "merge":
            return .merge
        case "value":
            return .valueIndicator
        case "seq", "map":
            throw invalid(
                "expected a \(tag.hasSuffix("seq") ? "sequence" : "mapping") for tag !!\(tag.dropFirst(tagPrefix.count)), but found a scalar"
            )
        default:
            throw unsupported(tag)
        }
    }

    static func unsupported(_ tag: String) -> ScalarConstructionError {
        let shown = tag.hasPrefix(tagPrefix) ? "!!" + tag.dropFirst(tagPrefix.count) : tag
        return ScalarConstructionError(
            kind: .unsupportedTag,
            message:
                "tag '\(shown)' is not supported (hybrid reads the YAML that Superset's safe_load accepts: str, int, float, bool, null, timestamp, seq, map)"
        )
    }

    static func invalid(_ message: String) -> ScalarConstructionError {
        ScalarConstructionError(kind: .invalidValue, message: message)
    }

    @inline(__always) static func string(_ b: Bytes) -> String {
        String(decoding: b, as: UTF8.self)
    }

    static func quoted(_ b: Bytes) -> String {
        "'" + string(b) + "'"
    }

    // MARK: bool

    /// `bool_values[value.lower()]`: yes/no, true/false, on/off in any ASCII case.
    static func boolValue(_ b: Bytes) -> Bool? {
        guard b.count >= 2 && b.count <= 5 else { return nil }
        var lowered = [UInt8]()
        lowered.reserveCapacity(b.count)
        for c in b { lowered.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) }
        switch String(decoding: lowered, as: UTF8.self) {
        case "yes", "true", "on": return true
        case "no", "false", "off": return false
        default: return nil
        }
    }

    // MARK: int

    /// `construct_yaml_int`: underscores dropped, then 0b / 0x / leading-0 octal / sexagesimal / decimal.
    static func intValue(_ b: Bytes) throws(ScalarConstructionError) -> YAMLValue {
        var digits = [UInt8]()
        digits.reserveCapacity(b.count)
        for c in b where c != 0x5F { digits.append(c) }
        var negative = false
        var start = 0
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            start = 1
        }
        let body = digits[start...]
        if body.count == 1 && body.first == UInt8(ascii: "0") { return .int(0) }
        func accumulate(_ digitChars: ArraySlice<UInt8>, radix: Int) throws(ScalarConstructionError) -> YAMLValue {
            guard !digitChars.isEmpty else {
                throw invalid("invalid literal for int() with base \(radix): ''")
            }
            guard let magnitude = PythonNumberParsing.magnitude(digitChars, base: radix) else {
                throw invalid("invalid digit in integer")
            }
            return .integer(negative ? -magnitude : magnitude)
        }
        if body.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "b")]) {
            return try accumulate(body.dropFirst(2), radix: 2)
        }
        if body.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "x")]) {
            return try accumulate(body.dropFirst(2), radix: 16)
        }
        if body.first == UInt8(ascii: "0") {
            return try accumulate(body, radix: 8)
        }
        if body.contains(UInt8(ascii: ":")) {
            // Horner's rule over base-60 groups gives exactly Σ digit × 60^k.
            var total = BigInt(0)
            for part in body.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false) {
                total = total * 60 + (PythonNumberParsing.magnitude(part, base: 10) ?? 0)
            }
            return .integer(negative ? -total : total)
        }
        return try accumulate(body, radix: 10)
    }

    // MARK: float

    /// `construct_yaml_float` for text the float resolver accepted.
    static func floatValue(_ b: Bytes) -> YAMLValue {
        .float(pythonFloat(cleaned(b)) ?? .nan)
    }

    /// Underscores removed, ASCII-lowercased (as PyYAML does before converting).
    static func cleaned(_ b: Bytes) -> [UInt8] {
        var text = [UInt8]()
        text.reserveCapacity(b.count)
        for c in b where c != 0x5F {
            text.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c)
        }
        return text
    }

    /// The body of `construct_yaml_float` after cleaning: sign, `.inf`, `.nan`, sexagesimal, `float()`.
    static func pythonFloat(_ text: [UInt8]) -> Double? {
        guard let first = text.first else { return nil }
        let sign: Double = first == UInt8(ascii: "-") ? -1 : 1
        let body = (first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) ? Array(text.dropFirst()) : text
        if body.elementsEqual(".inf".utf8) { return sign * .infinity }
        if body.elementsEqual(".nan".utf8) { return .nan }
        if body.contains(UInt8(ascii: ":")) {
            var value = 0.0
            var base = 1.0
            for part in body.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).reversed() {
                guard let digit = PythonNumberParsing.float(ascii: Array(part)) else { return nil }
                value += digit * base
                base *= 60
            }
            return sign * value
        }
        guard let value = PythonNumberParsing.float(ascii: body) else { return nil }
        return sign * value
    }

    /// `!!float`: PyYAML's `construct_yaml_float` on arbitrary text, with Python's `float()` underneath.
    static func explicitFloatValue(_ b: Bytes) -> Double? {
        let text = string(b).replacingUnderscores().lowercased()
        guard let first = text.unicodeScalars.first else { return nil }
        let sign: Double = first == "-" ? -1 : 1
        let body = (first == "-" || first == "+") ? String(text.unicodeScalars.dropFirst()) : text
        if body == ".inf" { return sign * .infinity }
        if body == ".nan" { return .nan }
        if body.contains(":") {
            var value = 0.0
            var base = 1.0
            for part in body.split(separator: ":", omittingEmptySubsequences: false).reversed() {
                guard let digit = PythonNumberParsing.float(String(part)) else { return nil }
                value += digit * base
                base *= 60
            }
            return sign * value
        }
        guard let value = PythonNumberParsing.float(body) else { return nil }
        return sign * value
    }

    /// `!!int`: PyYAML's `construct_yaml_int` on arbitrary text, with Python's `int()` underneath.
    static func explicitIntValue(_ raw: String) -> YAMLValue? {
        let text = raw.replacingUnderscores()
        guard let first = text.unicodeScalars.first else { return nil }
        let negative = first == "-"
        let value = (first == "-" || first == "+") ? String(text.unicodeScalars.dropFirst()) : text
        guard let head = value.unicodeScalars.first else { return nil }
        func signed(_ parsed: BigInt?) -> YAMLValue? {
            parsed.map { .integer(negative ? -$0 : $0) }
        }
        if value == "0" { return .int(0) }
        if value.hasPrefix("0b") { return signed(PythonNumberParsing.int(String(value.dropFirst(2)), base: 2)) }
        if value.hasPrefix("0x") { return signed(PythonNumberParsing.int(String(value.dropFirst(2)), base: 16)) }
        if head == "0" { return signed(PythonNumberParsing.int(value, base: 8)) }
        if value.contains(":") {
            var total = BigInt(0)
            for part in value.split(separator: ":", omittingEmptySubsequences: false) {
                guard let parsed = PythonNumberParsing.int(String(part), base: 10) else { return nil }
                // Python sums digit × 60^k with signed parts; hybrid keeps the common all-positive case.
                if parsed.sign == .minus { return nil }
                total = total * 60 + parsed
            }
            return .integer(negative ? -total : total)
        }
        return signed(PythonNumberParsing.int(value, base: 10))
    }

    // MARK: timestamp

    /// `construct_yaml_timestamp`: a date, or a datetime (naive, UTC, or with an offset).
    static func timestampValue(_ b: Bytes) throws(ScalarConstructionError) -> YAMLValue {
        guard let fields = TimestampFields.parse(b) else {
            throw invalid("\(quoted(b)) is not a timestamp")
        }
        guard let date = YAMLDate(year: fields.year, month: fields.month, day: fields.day) else {
            throw invalid("\(quoted(b)) is not a valid date (\(dateProblem(fields)))")
        }
        guard let time = fields.time else { return .date(date) }
        var offset: Int?
        switch time.tz {
        case .none: offset = nil
        case .utc: offset = 0
        case .offset(let sign, let hour, let minute): offset = sign * (hour * 60 + minute)
        }
        guard
            let timestamp = YAMLTimestamp(
                date: date, hour: time.hour, minute: time.minute, second: time.second,
                microsecond: time.fraction, utcOffsetMinutes: offset)
        else {
            let problem: String
            if time.hour > 23 {
                problem = "hour must be in 0..23"
            } else if time.minute > 59 {
                problem = "minute must be in 0..59"
            } else if time.second > 59 {
                problem = "second must be in 0..59"
            } else {
                problem = "UTC offset must be strictly between -24:00 and +24:00"
            }
            throw invalid("\(quoted(b)) is not a valid timestamp (\(problem))")
        }
        return .timestamp(timestamp)
    }

    private static func dateProblem(_ fields: TimestampFields) -> String {
        if !(1...9999).contains(fields.year) { return "year \(fields.year) is out of range" }
        if !(1...12).contains(fields.month) { return "month must be in 1..12" }
        return "day is out of range for month"
    }
}

extension String {
    /// The text without `_` (PyYAML strips underscores before converting numbers).
    func replacingUnderscores() -> String {
        contains("_") ? String(unicodeScalars.filter { $0 != "_" }.map(Character.init)) : self
    }
}

/// Public entry to PyYAML's plain-scalar rules (`--var KEY=VALUE` values, and the like).
public enum YAMLScalar {
    /// The value PyYAML's `safe_load` gives `text` written as a plain scalar (`0755` → 493,
    /// `yes` → true, `2024-01-02` → a date; `=` and `<<` are errors).
    public static func resolve(_ text: String, file: String = "<value>") throws(YAMLError) -> YAMLValue {
        var text = text
        let result: Result<ScalarConstructor.Result, ScalarConstructionError> = text.withUTF8 { bytes in
            do throws(ScalarConstructionError) {
                return .success(try ScalarConstructor.construct(untagged: bytes, resolveImplicitly: true))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(.value(let value)):
            return value
        case .success:
            throw YAMLError(.invalidValue, at: .init(file: file, line: 1, column: 1), "'\(text)' is not a value")
        case .failure(let error):
            throw YAMLError(error.kind, at: .init(file: file, line: 1, column: 1), error.message)
        }
    }
}
