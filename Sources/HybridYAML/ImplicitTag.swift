/// The tag PyYAML's `Resolver` gives a plain scalar (YAML 1.1 implicit resolvers, in PyYAML's order).
public enum ImplicitTag: Sendable, Equatable {
    case string
    case null
    case bool
    case int
    case float
    case timestamp
    /// `<<`, a merge key.
    case merge
    /// `=`, the YAML 1.1 "value" key, which SafeLoader cannot construct as a value.
    case value

    /// The tag PyYAML would resolve for this plain scalar text.
    public static func of(_ text: String) -> ImplicitTag {
        var text = text
        return text.withUTF8 { of($0) }
    }

    /// The tag for plain scalar bytes; first-character dispatch exactly as PyYAML's resolver table.
    static func of(_ b: UnsafeBufferPointer<UInt8>) -> ImplicitTag {
        guard let first = b.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            return ScalarGrammar.isBool(b) ? .bool : .string
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if ScalarGrammar.isBool(b) { return .bool }
            return ScalarGrammar.isNull(b) ? .null : .string
        case UInt8(ascii: "~"):
            return b.count == 1 ? .null : .string
        case UInt8(ascii: "."):
            return ScalarGrammar.isFloat(b) ? .float : .string
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            if ScalarGrammar.isFloat(b) { return .float }
            return ScalarGrammar.isInt(b) ? .int : .string
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            if ScalarGrammar.isFloat(b) { return .float }
            if ScalarGrammar.isInt(b) { return .int }
            return ScalarGrammar.isTimestamp(b) ? .timestamp : .string
        case UInt8(ascii: "<"):
            return b.count == 2 && b[1] == UInt8(ascii: "<") ? .merge : .string
        case UInt8(ascii: "="):
            return b.count == 1 ? .value : .string
        default:
            return .string
        }
    }
}

/// Hand-written matchers equivalent to PyYAML's resolver regular expressions (each anchored `^…$`).
enum ScalarGrammar {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    private static let boolWords: [[UInt8]] = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ].map { Array($0.utf8) }

    private static let nullWords: [[UInt8]] = ["null", "Null", "NULL"].map { Array($0.utf8) }

    static func isBool(_ b: Bytes) -> Bool {
        b.count <= 5 && boolWords.contains { $0.elementsEqual(b) }
    }

    static func isNull(_ b: Bytes) -> Bool {
        b.count == 4 && nullWords.contains { $0.elementsEqual(b) }
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == 0x5F }

    /// Advances over `[0-9_]*`.
    @inline(__always) static func skipDigitsOrUnderscores(_ b: Bytes, _ i: inout Int) {
        while i < b.count, isDigitOrUnderscore(b[i]) { i += 1 }
    }

    /// Matches `[eE][-+][0-9]+` to the end.
    static func isExponentTail(_ b: Bytes, _ start: Int) -> Bool {
        var i = start
        guard i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") else { return false }
        i += 1
        guard i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") else { return false }
        i += 1
        guard i < b.count, isDigit(b[i]) else { return false }
        while i < b.count, isDigit(b[i]) { i += 1 }
        return i == b.count
    }

    /// Matches one or more `:[0-5]?[0-9]` groups; returns the index after them, or nil.
    static func sexagesimalGroups(_ b: Bytes, _ start: Int) -> Int? {
        var i = start
        var groups = 0
        while i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { return nil }
            if i + 1 < b.count, isDigit(b[i + 1]), b[i] <= UInt8(ascii: "5") {
                i += 2
            } else {
                i += 1
            }
            groups += 1
        }
        return groups > 0 ? i : nil
    }

    private static func matchesWord(_ b: Bytes, at start: Int, _ words: [String]) -> Bool {
        let rest = UnsafeBufferPointer(rebasing: b[start...])
        return words.contains { $0.utf8.elementsEqual(rest) }
    }

    /// PyYAML's float resolver.
    static func isFloat(_ b: Bytes) -> Bool {
        guard !b.isEmpty else { return false }
        var start = 0
        let signed = b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+")
        if signed { start = 1 }
        guard start < b.count else { return false }
        if b[start] == UInt8(ascii: ".") {
            // [-+]?\.(inf|Inf|INF)
            if matchesWord(b, at: start + 1, ["inf", "Inf", "INF"]) { return true }
            // \.(nan|NaN|NAN) and \.[0-9][0-9_]*([eE][-+][0-9]+)? take no sign.
            if signed { return false }
            if matchesWord(b, at: 1, ["nan", "NaN", "NAN"]) { return true }
            var i = 1
            guard i < b.count, isDigit(b[i]) else { return false }
            skipDigitsOrUnderscores(b, &i)
            return i == b.count || isExponentTail(b, i)
        }
        guard isDigit(b[start]) else { return false }
        var i = start
        skipDigitsOrUnderscores(b, &i)
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: ".") {
            // [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?
            i += 1
            skipDigitsOrUnderscores(b, &i)
            return i == b.count || isExponentTail(b, i)
        }
        // [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*
        guard b[i] == UInt8(ascii: ":"), var j = sexagesimalGroups(b, i), j < b.count,
            b[j] == UInt8(ascii: ".")
        else { return false }
        j += 1
        skipDigitsOrUnderscores(b, &j)
        return j == b.count
    }

    /// PyYAML's int resolver.
    static func isInt(_ b: Bytes) -> Bool {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { return false }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i == b.count { return true }  // 0
            let marker = b[i]
            if marker == UInt8(ascii: "b") {
                i += 1
                guard i < b.count else { return false }
                while i < b.count {
                    let c = b[i]
                    guard c == UInt8(ascii: "0") || c == UInt8(ascii: "1") || c == 0x5F else { return false }
                    i += 1
                }
                return true
            }
            if marker == UInt8(ascii: "x") {
                i += 1
                guard i < b.count else { return false }
                while i < b.count {
                    let c = b[i]
                    let hex =
                        isDigit(c) || c == 0x5F || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
                        || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
                    guard hex else { return false }
                    i += 1
                }
                return true
            }
            // 0[0-7_]+
            while i < b.count {
                let c = b[i]
                guard (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7")) || c == 0x5F else { return false }
                i += 1
            }
            return true
        }
        // [1-9][0-9_]* optionally followed by sexagesimal groups.
        skipDigitsOrUnderscores(b, &i)
        if i == b.count { return true }
        guard b[i] == UInt8(ascii: ":"), let end = sexagesimalGroups(b, i) else { return false }
        return end == b.count
    }

    /// Reads `count` ASCII digits at `i` (advancing), or nil.
    static func digits(_ b: Bytes, _ i: inout Int, count: Int) -> Int? {
        guard i + count <= b.count else { return nil }
        var value = 0
        for k in 0..<count {
            let c = b[i + k]
            guard isDigit(c) else { return nil }
            value = value * 10 + Int(c - 0x30)
        }
        i += count
        return value
    }

    /// Reads one digit, then a second if present.
    static func oneOrTwoDigits(_ b: Bytes, _ i: inout Int) -> Int? {
        guard i < b.count, isDigit(b[i]) else { return nil }
        var value = Int(b[i] - 0x30)
        i += 1
        if i < b.count, isDigit(b[i]) {
            value = value * 10 + Int(b[i] - 0x30)
            i += 1
        }
        return value
    }

    /// PyYAML's timestamp resolver: a `YYYY-MM-DD` date or a full timestamp.
    static func isTimestamp(_ b: Bytes) -> Bool {
        if b.count == 10 {
            var i = 0
            if digits(b, &i, count: 4) != nil, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
                i = 5
                if digits(b, &i, count: 2) != nil {
                    i = 8
                    if digits(b, &i, count: 2) != nil { return true }
                }
            }
        }
        return TimestampFields.parse(b, requireTime: true) != nil
    }
}

/// The groups of PyYAML's `timestamp_regexp`.
struct TimestampFields {
    var year: Int
    var month: Int
    var day: Int
    var time: (hour: Int, minute: Int, second: Int, fraction: Int, tz: TimeZoneField?)?

    enum TimeZoneField {
        case utc
        case offset(sign: Int, hour: Int, minute: Int)
    }

    /// Parses `YYYY-M[M]-D[D]` with an optional time part (`requireTime` makes it mandatory).
    static func parse(_ b: UnsafeBufferPointer<UInt8>, requireTime: Bool = false) -> TimestampFields? {
        var i = 0
        guard let year = ScalarGrammar.digits(b, &i, count: 4), i < b.count, b[i] == UInt8(ascii: "-")
        else { return nil }
        i += 1
        guard let month = ScalarGrammar.oneOrTwoDigits(b, &i), i < b.count, b[i] == UInt8(ascii: "-")
        else { return nil }
        i += 1
        guard let day = ScalarGrammar.oneOrTwoDigits(b, &i) else { return nil }
        var fields = TimestampFields(year: year, month: month, day: day, time: nil)
        if i == b.count { return requireTime ? nil : fields }
        // (?:[Tt]|[ \t]+)
        if b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") {
            i += 1
        } else if b[i] == 0x20 || b[i] == 0x09 {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
        } else {
            return nil
        }
        guard let hour = ScalarGrammar.oneOrTwoDigits(b, &i), i < b.count, b[i] == UInt8(ascii: ":") else {
            return nil
        }
        i += 1
        guard let minute = ScalarGrammar.digits(b, &i, count: 2), i < b.count, b[i] == UInt8(ascii: ":") else {
            return nil
        }
        i += 1
        guard let second = ScalarGrammar.digits(b, &i, count: 2) else { return nil }
        var fraction = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            // First six digits, right-padded with zeros; the rest are dropped (PyYAML truncates).
            var taken = 0
            while i < b.count, ScalarGrammar.isDigit(b[i]) {
                if taken < 6 {
                    fraction = fraction * 10 + Int(b[i] - 0x30)
                    taken += 1
                }
                i += 1
            }
            for _ in taken..<6 { fraction *= 10 }
        }
        var tz: TimeZoneField?
        if i < b.count {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
            guard i < b.count else { return nil }
            if b[i] == UInt8(ascii: "Z") {
                tz = .utc
                i += 1
            } else if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let tzHour = ScalarGrammar.oneOrTwoDigits(b, &i) else { return nil }
                var tzMinute = 0
                if i < b.count, b[i] == UInt8(ascii: ":") {
                    i += 1
                    guard let value = ScalarGrammar.digits(b, &i, count: 2) else { return nil }
                    tzMinute = value
                }
                tz = .offset(sign: sign, hour: tzHour, minute: tzMinute)
            } else {
                return nil
            }
            guard i == b.count else { return nil }
        }
        fields.time = (hour, minute, second, fraction, tz)
        return fields
    }
}
