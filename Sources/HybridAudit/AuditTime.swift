import Foundation

/// Audit timestamps: ISO 8601 in UTC, read back to milliseconds since 1970 for filters and ordering.
public enum AuditTime {
    /// `2026-12-04T06:00:00.123Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return timestamp(milliseconds: milliseconds)
    }

    public static func timestamp(milliseconds: Int64) -> String {
        var time = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&time, &parts)
        let fraction = Int(milliseconds - milliseconds.floorDivided(by: 1000) * 1000)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }

    /// Milliseconds since 1970 of an ISO 8601 date-time (`Z` or `±hh:mm`, optional fraction) or a
    /// date (`2026-12-04`, midnight UTC); nil for anything else.
    public static func milliseconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 0x2D, let month = number(5, 2),
            bytes[7] == 0x2D, let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millisecond = 0
        var offsetMinutes = 0
        if bytes.count > 10 {
            guard bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20, let h = number(11, 2),
                bytes.count > 13, bytes[13] == 0x3A, let m = number(14, 2), bytes.count > 16, bytes[16] == 0x3A,
                let s = number(17, 2), h < 24, m < 60, s < 61
            else { return nil }
            (hour, minute, second) = (h, m, s)
            var index = 19
            if index < bytes.count, bytes[index] == 0x2E {
                index += 1
                var digits = 0
                var fraction = 0
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                    if digits < 3 { fraction = fraction * 10 + Int(bytes[index] - 0x30) }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                if digits < 3 { for _ in digits..<3 { fraction *= 10 } }
                millisecond = fraction
            }
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x5A || bytes[index] == 0x7A {
                guard index + 1 == bytes.count else { return nil }
            } else if bytes[index] == 0x2B || bytes[index] == 0x2D {
                guard index + 6 == bytes.count, let oh = number(index + 1, 2), bytes[index + 3] == 0x3A,
                    let om = number(index + 4, 2), oh < 24, om < 60
                else { return nil }
                offsetMinutes = (oh * 60 + om) * (bytes[index] == 0x2D ? -1 : 1)
            } else {
                return nil
            }
        }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offsetMinutes * 60
        return Int64(seconds) * 1000 + Int64(millisecond)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
