import HybridYAML

/// `date.replace(...)`, `datetime.replace(...)`, `toordinal()` and `ctime()` as Python computes them,
/// with Python's ValueError and TypeError messages for fields out of range or not integers.
enum DateReplacement {
    private static let dateFields = ["year", "month", "day"]
    private static let timeFields = ["hour", "minute", "second", "microsecond"]

    /// `date.replace(year=, month=, day=)`.
    static func replace(_ date: YAMLDate, _ arguments: Arguments) throws -> Value {
        let values = try arguments.bind("replace", dateFields.map { ($0, Value.none) })
        return .date(try makeDate(date, values))
    }

    /// `datetime.replace(year=, …, microsecond=)` (the time zone is kept).
    static func replace(_ stamp: YAMLTimestamp, _ arguments: Arguments) throws -> Value {
        let values = try arguments.bind("replace", (dateFields + timeFields).map { ($0, Value.none) })
        let date = try makeDate(stamp.date, Array(values.prefix(3)))
        let current = [stamp.hour, stamp.minute, stamp.second, stamp.microsecond]
        let limits = [23, 59, 59, 999_999]
        var fields: [Int] = []
        for index in 0..<4 {
            let value = try integer(values[3 + index]) ?? current[index]
            guard (0...limits[index]).contains(value) else {
                throw EvalFailure(.value, "\(timeFields[index]) must be in 0..\(limits[index])")
            }
            fields.append(value)
        }
        return .datetime(
            YAMLTimestamp(
                date: date, hour: fields[0], minute: fields[1], second: fields[2], microsecond: fields[3],
                utcOffsetMinutes: stamp.utcOffsetMinutes)!)
    }

    /// `date.toordinal()`: 1 for 0001-01-01.
    static func ordinal(_ date: YAMLDate) -> Int { date.ordinal + 1 }

    /// `ctime()`: `Thu Feb 29 13:45:07 2024` (day padded with a space, year with zeros to four digits).
    static func ctime(_ date: YAMLDate, hour: Int = 0, minute: Int = 0, second: Int = 0) -> String {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = date.day < 10 ? " \(date.day)" : "\(date.day)"
        return "\(days[date.ordinal % 7]) \(months[date.month - 1]) \(day) "
            + "\(BuiltinMethods.pad(hour, 2)):\(BuiltinMethods.pad(minute, 2)):\(BuiltinMethods.pad(second, 2)) "
            + BuiltinMethods.pad(date.year, 4)
    }

    private static func makeDate(_ date: YAMLDate, _ values: [Value]) throws -> YAMLDate {
        let year = try integer(values[0]) ?? date.year
        let month = try integer(values[1]) ?? date.month
        let day = try integer(values[2]) ?? date.day
        guard (1...9999).contains(year) else { throw EvalFailure(.value, "year \(year) is out of range") }
        guard (1...12).contains(month) else { throw EvalFailure(.value, "month must be in 1..12") }
        guard let made = YAMLDate(year: year, month: month, day: day) else {
            throw EvalFailure(.value, "day is out of range for month")
        }
        return made
    }

    /// An int (or bool) argument; nil for None (keep the field).
    private static func integer(_ value: Value) throws -> Int? {
        switch value {
        case .none: return nil
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        case .bigInt: throw EvalFailure(.runtime, "OverflowError: signed integer is greater than maximum")
        case .undefined(let undefined): throw EvalFailure(.undefined, undefined.message)
        default: throw EvalFailure(.type, "'\(value.typeName)' object cannot be interpreted as an integer")
        }
    }
}
