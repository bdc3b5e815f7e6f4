import HybridYAML

#if canImport(Glibc)
    import Glibc
#endif

/// `date.strftime` / `datetime.strftime` as CPython on Linux runs them: `%z`, `%Z` and `%f` are
/// filled in first (CPython's `wrap_strftime`: the UTC offset as `+HHMM`, the zone name as
/// `UTC±HH:MM` or `UTC` with its `%` doubled, the microseconds as six digits; empty for a naive
/// value; a date's microseconds are zero), then the C library's `strftime` in the C locale formats the rest, so every glibc
/// directive (`%c`, `%U`, `%G`, `%e`, `%-d`, `%4Y`, …) and every unknown one comes out exactly as
/// Python prints it.
enum PythonStrftime {
    /// The formatted text; throws Python's ValueError for an embedded NUL.
    static func format(
        _ format: String, date: YAMLDate, hour: Int, minute: Int, second: Int, microsecond: Int, offset: Int?
    ) throws(EvalFailure) -> String {
        if format.utf8.contains(0) { throw EvalFailure(.value, "embedded null character") }
        var prepared = ""
        var scalars = format.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "%" else {
                prepared.unicodeScalars.append(scalar)
                continue
            }
            guard let directive = scalars.next() else {
                prepared += "%"
                break
            }
            switch directive {
            case "z": prepared += offset.map(utcOffset) ?? ""
            case "Z": prepared += offset.map(zoneName)?.replacingOccurrences(of: "%", with: "%%") ?? ""
            case "f": prepared += BuiltinMethods.pad(microsecond, 6)
            default:
                prepared += "%"
                prepared.unicodeScalars.append(directive)
            }
        }
        return cLibrary(prepared, date: date, hour: hour, minute: minute, second: second)
    }

    /// `+HHMM` as `datetime.utcoffset()` formats for `%z`.
    static func utcOffset(_ minutes: Int) -> String {
        (minutes < 0 ? "-" : "+") + BuiltinMethods.pad(abs(minutes) / 60, 2) + BuiltinMethods.pad(abs(minutes) % 60, 2)
    }

    /// `str(timezone(timedelta(minutes=…)))`: `UTC`, `UTC+05:30`.
    static func zoneName(_ minutes: Int) -> String {
        guard minutes != 0 else { return "UTC" }
        return "UTC" + (minutes < 0 ? "-" : "+") + BuiltinMethods.pad(abs(minutes) / 60, 2) + ":"
            + BuiltinMethods.pad(abs(minutes) % 60, 2)
    }

    nonisolated(unsafe) private static let cLocale = newlocale(1 << LC_TIME, "C", nil)

    /// glibc's `strftime` over the `struct tm` CPython builds from `timetuple()` (isdst -1).
    private static func cLibrary(_ format: String, date: YAMLDate, hour: Int, minute: Int, second: Int) -> String {
        guard !format.isEmpty else { return "" }
        var time = tm()
        time.tm_year = Int32(date.year - 1900)
        time.tm_mon = Int32(date.month - 1)
        time.tm_mday = Int32(date.day)
        time.tm_hour = Int32(hour)
        time.tm_min = Int32(minute)
        time.tm_sec = Int32(second)
        // 0001-01-01 (ordinal 0) was a Monday; tm_wday counts from Sunday.
        time.tm_wday = Int32((date.ordinal % 7 + 1) % 7)
        time.tm_yday = Int32(date.ordinal - YAMLDate(year: date.year, month: 1, day: 1)!.ordinal)
        time.tm_isdst = -1
        // CPython grows its buffer up to 256 times the format's length; an output that needs more
        // (or a format that formats to nothing) is the empty string there too.
        let limit = max(1024, format.utf8.count * 256)
        var capacity = 1024
        while capacity <= limit {
            var buffer = [CChar](repeating: 0, count: capacity)
            let count = format.withCString { pattern in
                strftime_l(&buffer, capacity, pattern, &time, cLocale)
            }
            if count > 0 || capacity >= format.utf8.count * 256 {
                return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity *= 2
        }
        return ""
    }
}
