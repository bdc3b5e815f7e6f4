import HybridYAML

/// Python's `datetime.time`, `datetime.timedelta` and `datetime.timezone`, as templates meet them:
/// a datetime's `time()`/`timetz()`, `utcoffset()` and `tzinfo` (a YAML timestamp with an offset
/// is an aware datetime with a fixed `timezone`, as PyYAML builds it). They print, compare, hash
/// and answer their attributes as Python's do; arithmetic on them is not supported.
public enum ClockValue: Hashable, Sendable {
    /// `datetime.time`; `utcOffsetMinutes` is its fixed zone (`timetz()`), nil when naive.
    case time(hour: Int, minute: Int, second: Int, microsecond: Int, utcOffsetMinutes: Int?)
    /// `datetime.timedelta`, normalized as Python keeps it (0 ≤ seconds < 86400, 0 ≤ microseconds < 10⁶).
    case timedelta(days: Int, seconds: Int, microseconds: Int)
    /// `datetime.timezone` with a fixed offset east of UTC.
    case timezone(minutes: Int)

    /// A timedelta of `minutes`, normalized.
    static func timedelta(minutes: Int) -> ClockValue {
        let total = minutes * 60
        let days = Int((Double(total) / 86_400).rounded(.down))
        return .timedelta(days: days, seconds: total - days * 86_400, microseconds: 0)
    }

    var typeName: String {
        switch self {
        case .time: return "time"
        case .timedelta: return "timedelta"
        case .timezone: return "timezone"
        }
    }

    /// `str(value)`.
    var string: String {
        switch self {
        case .time(let hour, let minute, let second, let microsecond, let offset):
            var text = "\(pad(hour)):\(pad(minute)):\(pad(second))"
            if microsecond != 0 { text += "." + pad(microsecond, 6) }
            if let offset { text += Self.offsetText(offset) }
            return text
        case .timedelta(let days, let seconds, let microseconds):
            var text = ""
            if days != 0 { text = "\(days) day\(Swift.abs(days) == 1 ? "" : "s"), " }
            text += "\(seconds / 3600):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
            if microseconds != 0 { text += "." + pad(microseconds, 6) }
            return text
        case .timezone(let minutes):
            return Self.zoneName(minutes)
        }
    }

    /// `repr(value)`.
    var repr: String {
        switch self {
        case .time(let hour, let minute, let second, let microsecond, let offset):
            var fields = [hour, minute]
            if second != 0 || microsecond != 0 { fields.append(second) }
            if microsecond != 0 { fields.append(microsecond) }
            var text = "datetime.time(" + fields.map(String.init).joined(separator: ", ")
            if let offset { text += ", tzinfo=" + ClockValue.timezone(minutes: offset).repr }
            return text + ")"
        case .timedelta(let days, let seconds, let microseconds):
            var fields: [String] = []
            if days != 0 { fields.append("days=\(days)") }
            if seconds != 0 { fields.append("seconds=\(seconds)") }
            if microseconds != 0 { fields.append("microseconds=\(microseconds)") }
            return "datetime.timedelta(" + (fields.isEmpty ? "0" : fields.joined(separator: ", ")) + ")"
        case .timezone(let minutes):
            if minutes == 0 { return "datetime.timezone.utc" }
            return "datetime.timezone(" + ClockValue.timedelta(minutes: minutes).repr + ")"
        }
    }

    /// `bool(value)`: only a zero timedelta is false.
    var truth: Bool {
        if case .timedelta(0, 0, 0) = self { return false }
        return true
    }

    /// `<`, `==`, `>` as -1, 0, 1 between values of one kind (times with zones compare in UTC); nil
    /// where Python raises (naive against aware times, timezones, different kinds).
    static func ordering(_ a: ClockValue, _ b: ClockValue) -> Int? {
        switch (a, b) {
        case (.timedelta(let d1, let s1, let u1), .timedelta(let d2, let s2, let u2)):
            return compare([d1, s1, u1], [d2, s2, u2])
        case (.time(let h1, let m1, let s1, let u1, let z1), .time(let h2, let m2, let s2, let u2, let z2)):
            guard (z1 == nil) == (z2 == nil) else { return nil }
            return compare([h1 * 60 + m1 - (z1 ?? 0), s1, u1], [h2 * 60 + m2 - (z2 ?? 0), s2, u2])
        default:
            return nil
        }
    }

    private static func compare(_ x: [Int], _ y: [Int]) -> Int {
        for (a, b) in zip(x, y) where a != b { return a < b ? -1 : 1 }
        return 0
    }

    /// Python's `timezone` name: `UTC`, `UTC+05:30`, `UTC-05:00`.
    static func zoneName(_ minutes: Int) -> String {
        minutes == 0 ? "UTC" : "UTC" + offsetText(minutes)
    }

    private static func offsetText(_ minutes: Int) -> String {
        (minutes < 0 ? "-" : "+") + pad(Swift.abs(minutes) / 60) + ":" + pad(Swift.abs(minutes) % 60)
    }

    /// The attributes and methods of the value (nil: Python's AttributeError).
    func attribute(_ name: String) -> Value? {
        switch self {
        case .time(let hour, let minute, let second, let microsecond, let offset):
            switch name {
            case "hour": return .int(hour)
            case "minute": return .int(minute)
            case "second": return .int(second)
            case "microsecond": return .int(microsecond)
            case "tzinfo": return offset.map { .clock(.timezone(minutes: $0)) } ?? Value.none
            case "utcoffset": return BuiltinMethods.method(name, "datetime.time") { _ in Self.utcOffset(offset) }
            case "tzname": return BuiltinMethods.method(name, "datetime.time") { _ in Self.tzname(offset) }
            case "isoformat": return BuiltinMethods.method(name, "datetime.time") { _ in .string(string) }
            case "strftime":
                return BuiltinMethods.method(name, "datetime.time") { arguments in
                    let format = try BuiltinMethods.stringArgument(try arguments.bind(name, [("format", nil)])[0], name)
                    // Python formats a time as 1900-01-01 at that time.
                    return .string(
                        try PythonStrftime.format(
                            format, date: YAMLDate(year: 1900, month: 1, day: 1)!, hour: hour, minute: minute,
                            second: second, microsecond: microsecond, offset: offset))
                }
            default: return nil
            }
        case .timedelta(let days, let seconds, let microseconds):
            switch name {
            case "days": return .int(days)
            case "seconds": return .int(seconds)
            case "microseconds": return .int(microseconds)
            case "total_seconds":
                return BuiltinMethods.method(name, "datetime.timedelta") { _ in
                    // Python divides the total microseconds by 10**6 (one rounding).
                    .float(Double((days * 86_400 + seconds) * 1_000_000 + microseconds) / 1e6)
                }
            default: return nil
            }
        case .timezone(let minutes):
            let answer: Value
            switch name {
            case "utcoffset": answer = Self.utcOffset(minutes)
            case "tzname": answer = .string(Self.zoneName(minutes))
            case "dst": answer = .none
            default: return nil
            }
            return BuiltinMethods.method(name, "datetime.timezone") { arguments in
                // `tz.utcoffset(dt)`: dt is a datetime or None.
                guard arguments.positional.count == 1, arguments.keyword.isEmpty else {
                    throw EvalFailure(
                        .type, "timezone.\(name)() takes exactly one argument (\(arguments.positional.count) given)")
                }
                switch arguments.positional[0] {
                case .none, .datetime: return answer
                default:
                    throw EvalFailure(
                        .type,
                        "\(name)(dt) argument must be a datetime instance or None, not \(arguments.positional[0].typeName)"
                    )
                }
            }
        }
    }

    /// `utcoffset()` of a value with this zone: a timedelta, or None when naive.
    static func utcOffset(_ minutes: Int?) -> Value {
        minutes.map { .clock(.timedelta(minutes: $0)) } ?? Value.none
    }

    /// `tzname()` of a value with this zone: the zone's name, or None when naive.
    static func tzname(_ minutes: Int?) -> Value {
        minutes.map { .string(zoneName($0)) } ?? Value.none
    }
}

private func pad(_ value: Int, _ width: Int = 2) -> String {
    BuiltinMethods.pad(value, width)
}
