import Foundation

/// The cookie date algorithm of RFC 6265 section 5.1.1: finds a time, a day of month, a month and a
/// year among the tokens of any of the formats servers send (`Wed, 21 Oct 2015 07:28:00 GMT`,
/// `Wednesday, 21-Oct-15 07:28:00 GMT`, `Wed Oct 21 07:28:00 2015`), always in UTC.
enum CookieDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The date, or nil when a part is missing or out of range (the attribute is then ignored).
    static func parse(_ text: String) -> Date? {
        var time: (Int, Int, Int)?
        var day: Int?
        var month: Int?
        var year: Int?
        for token in tokens(text) {
            if time == nil, let parsed = parseTime(token) {
                time = parsed
            } else if day == nil, let digits = leadingDigits(token, 1...2) {
                day = digits
            } else if month == nil, let index = months.firstIndex(of: String(token.prefix(3)).lowercased()) {
                month = index + 1
            } else if year == nil, let digits = leadingDigits(token, 2...4) {
                year = digits
            }
        }
        guard let (hour, minute, second) = time, let day, let month, var year else { return nil }
        if (70...99).contains(year) { year += 1900 } else if (0...69).contains(year) { year += 2000 }
        guard (1...31).contains(day), year >= 1601, hour <= 23, minute <= 59, second <= 59 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date
    }

    /// Split on the RFC's delimiters (everything but digits, letters, `:` and the bytes above `~`).
    private static func tokens(_ text: String) -> [Substring] {
        text.split { character in
            guard let ascii = character.asciiValue else { return false }
            let isDelimiter =
                ascii == 0x09 || (0x20...0x2F).contains(ascii) || (0x3B...0x40).contains(ascii)
                || (0x5B...0x60).contains(ascii) || (0x7B...0x7E).contains(ascii)
            return isDelimiter
        }
    }

    /// `hh:mm:ss` with one or two digits each, anything after the seconds' digits ignored.
    private static func parseTime(_ token: Substring) -> (Int, Int, Int)? {
        let fields = token.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, let hour = leadingDigits(fields[0], 1...2, exact: true),
            let minute = leadingDigits(fields[1], 1...2, exact: true), let second = leadingDigits(fields[2], 1...2)
        else { return nil }
        return (hour, minute, second)
    }

    /// The number made of the token's leading digits when there are `count` of them; with `exact`,
    /// nothing may follow them.
    private static func leadingDigits(_ token: Substring, _ count: ClosedRange<Int>, exact: Bool = false) -> Int? {
        let digits = token.prefix { $0.isASCII && $0.isNumber }
        guard count.contains(digits.count), !exact || digits.count == token.count else { return nil }
        return Int(digits)
    }
}
