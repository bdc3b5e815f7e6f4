/// A calendar date, as Python's `datetime.date` (year 1…9999).
public struct YAMLDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    // Stored compactly: values (and tree nodes) holding dates stay small.
    private var storedYear: Int16
    private var storedMonth: UInt8
    private var storedDay: UInt8

    public var year: Int { Int(storedYear) }
    public var month: Int { Int(storedMonth) }
    public var day: Int { Int(storedDay) }

    /// Validates like `datetime.date(year, month, day)`; nil for an impossible date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...YAMLDate.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.storedYear = Int16(year)
        self.storedMonth = UInt8(month)
        self.storedDay = UInt8(day)
    }

    /// ISO 8601 `YYYY-MM-DD`, as `date.isoformat()`.
    public var description: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public static func < (lhs: YAMLDate, rhs: YAMLDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date `ordinal` days after 0001-01-01 (the inverse of ``ordinal``); nil outside years 1…9999.
    public init?(ordinal: Int) {
        guard ordinal >= 0, ordinal < 3_652_059 else { return nil }
        var year = ordinal * 400 / 146_097 + 1
        while year > 1, YAMLDate(year: year, month: 1, day: 1)!.ordinal > ordinal { year -= 1 }
        while year < 9999, YAMLDate(year: year + 1, month: 1, day: 1)!.ordinal <= ordinal { year += 1 }
        var remaining = ordinal - YAMLDate(year: year, month: 1, day: 1)!.ordinal
        var month = 1
        while remaining >= YAMLDate.daysIn(month: month, year: year) {
            remaining -= YAMLDate.daysIn(month: month, year: year)
            month += 1
        }
        self.init(year: year, month: month, day: remaining + 1)
    }

    /// Days since 0001-01-01 (proleptic Gregorian), for instant arithmetic.
    public var ordinal: Int {
        let y = year - 1
        var days = y * 365 + y / 4 - y / 100 + y / 400
        for m in 1..<month { days += YAMLDate.daysIn(month: m, year: year) }
        return days + day - 1
    }
}

/// A point in time as Python's `datetime.datetime`: naive, or aware with a UTC offset in minutes.
public struct YAMLTimestamp: Sendable, CustomStringConvertible {
    public var date: YAMLDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var microsecond: Int
    /// Minutes east of UTC; nil for a naive timestamp.
    public var utcOffsetMinutes: Int?

    /// Validates like `datetime.datetime(...)` with `timezone(timedelta(minutes:))`.
    public init?(
        date: YAMLDate, hour: Int, minute: Int, second: Int, microsecond: Int = 0,
        utcOffsetMinutes: Int? = nil
    ) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
            (0...999_999).contains(microsecond)
        else { return nil }
        if let offset = utcOffsetMinutes, abs(offset) >= 24 * 60 { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// `datetime.isoformat()`: `YYYY-MM-DDTHH:MM:SS[.ffffff][±HH:MM]`.
    public var description: String {
        var text = date.description + "T" + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
        if microsecond != 0 { text += "." + pad(microsecond, 6) }
        if let offset = utcOffsetMinutes {
            text += (offset < 0 ? "-" : "+") + pad(abs(offset) / 60, 2) + ":" + pad(abs(offset) % 60, 2)
        }
        return text
    }

    /// Field-by-field identity, offset included (stricter than Python's `==`).
    public func hasSameFields(as other: YAMLTimestamp) -> Bool {
        date == other.date && hour == other.hour && minute == other.minute && second == other.second
            && microsecond == other.microsecond && utcOffsetMinutes == other.utcOffsetMinutes
    }

    /// Microseconds since 0001-01-01T00:00 in UTC (aware) or local wall time (naive).
    public var instant: Int {
        let seconds = date.ordinal * 86_400 + hour * 3600 + minute * 60 + second - (utcOffsetMinutes ?? 0) * 60
        return seconds * 1_000_000 + microsecond
    }
}

extension YAMLTimestamp: Hashable {
    /// Python semantics: aware timestamps are equal when they are the same instant; naive ones
    /// when their fields match; a naive one never equals an aware one.
    public static func == (lhs: YAMLTimestamp, rhs: YAMLTimestamp) -> Bool {
        (lhs.utcOffsetMinutes == nil) == (rhs.utcOffsetMinutes == nil) && lhs.instant == rhs.instant
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(utcOffsetMinutes == nil)
        hasher.combine(instant)
    }
}

/// Zero-padded decimal of at least `width` digits.
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
