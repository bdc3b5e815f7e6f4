import BigInt
import HybridYAML

/// Python's arithmetic with `timedelta`: between timedeltas, with numbers, and of dates and
/// datetimes (`date ± timedelta`, `datetime ± timedelta`, `date - date`, `datetime - datetime`),
/// exact in microseconds as CPython computes it (round half to even where it divides).
enum ClockArithmetic {
    /// The largest magnitude of `timedelta.days`.
    static let maximumDays = 999_999_999
    static let microsecondsPerDay: Int128 = 86_400_000_000

    /// The result of `a op b` when it involves a timedelta or subtracts dates; nil when it does not
    /// (the caller goes on with its other cases).
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value? {
        switch (op, a, b) {
        case (.add, .clock(.timedelta(let d1, let s1, let u1)), .clock(.timedelta(let d2, let s2, let u2))):
            return try timedelta(micros(d1, s1, u1) + micros(d2, s2, u2))
        case (.sub, .clock(.timedelta(let d1, let s1, let u1)), .clock(.timedelta(let d2, let s2, let u2))):
            return try timedelta(micros(d1, s1, u1) - micros(d2, s2, u2))
        case (.div, .clock(.timedelta(let d1, let s1, let u1)), .clock(.timedelta(let d2, let s2, let u2))):
            return try PythonOperators.binary(.div, integer(micros(d1, s1, u1)), integer(micros(d2, s2, u2)))
        case (.floordiv, .clock(.timedelta(let d1, let s1, let u1)), .clock(.timedelta(let d2, let s2, let u2))):
            return try PythonOperators.binary(.floordiv, integer(micros(d1, s1, u1)), integer(micros(d2, s2, u2)))
        case (.mod, .clock(.timedelta(let d1, let s1, let u1)), .clock(.timedelta(let d2, let s2, let u2))):
            let remainder = try PythonOperators.binary(
                .mod, integer(micros(d1, s1, u1)), integer(micros(d2, s2, u2)))
            return try timedelta(try int128(remainder))
        case (.mul, .clock(.timedelta(let d, let s, let u)), .int),
            (.mul, .clock(.timedelta(let d, let s, let u)), .bigInt),
            (.mul, .clock(.timedelta(let d, let s, let u)), .bool):
            return try timedelta(try int128(try PythonOperators.binary(.mul, integer(micros(d, s, u)), b)))
        case (.mul, .int, .clock(.timedelta(let d, let s, let u))),
            (.mul, .bigInt, .clock(.timedelta(let d, let s, let u))),
            (.mul, .bool, .clock(.timedelta(let d, let s, let u))):
            return try timedelta(try int128(try PythonOperators.binary(.mul, a, integer(micros(d, s, u)))))
        case (.floordiv, .clock(.timedelta(let d, let s, let u)), .int),
            (.floordiv, .clock(.timedelta(let d, let s, let u)), .bigInt),
            (.floordiv, .clock(.timedelta(let d, let s, let u)), .bool):
            return try timedelta(try int128(try PythonOperators.binary(.floordiv, integer(micros(d, s, u)), b)))
        case (.div, .clock(.timedelta(let d, let s, let u)), .int),
            (.div, .clock(.timedelta(let d, let s, let u)), .bigInt),
            (.div, .clock(.timedelta(let d, let s, let u)), .bool):
            guard let divisor = bigInteger(b), !divisor.isZero else {
                throw EvalFailure(.zeroDivision, "integer division or modulo by zero")
            }
            return try timedelta(try roundedQuotient(big(micros(d, s, u)), divisor))
        case (.mul, .clock(.timedelta(let d, let s, let u)), .float(let factor)),
            (.mul, .float(let factor), .clock(.timedelta(let d, let s, let u))):
            guard factor.isFinite else { throw EvalFailure(.value, "cannot convert float \(factor) to integer ratio") }
            let (numerator, denominator) = PythonRound.exactRatio(factor)
            return try timedelta(try roundedQuotient(big(micros(d, s, u)) * numerator, denominator))
        case (.div, .clock(.timedelta(let d, let s, let u)), .float(let divisor)):
            guard divisor != 0 else { throw EvalFailure(.zeroDivision, "float division by zero") }
            guard divisor.isFinite else {
                throw EvalFailure(.value, "cannot convert float \(divisor) to integer ratio")
            }
            let (numerator, denominator) = PythonRound.exactRatio(divisor)
            return try timedelta(try roundedQuotient(big(micros(d, s, u)) * denominator, numerator))
        case (.add, .date(let date), .clock(.timedelta(let days, _, _))),
            (.add, .clock(.timedelta(let days, _, _)), .date(let date)):
            return .date(try shifted(date, days: days))
        case (.sub, .date(let date), .clock(.timedelta(let days, _, _))):
            return .date(try shifted(date, days: -days))
        case (.sub, .date(let x), .date(let y)):
            return try timedelta(Int128(x.ordinal - y.ordinal) * microsecondsPerDay)
        case (.add, .datetime(let stamp), .clock(.timedelta(let d, let s, let u))),
            (.add, .clock(.timedelta(let d, let s, let u)), .datetime(let stamp)):
            return .datetime(try shifted(stamp, by: micros(d, s, u)))
        case (.sub, .datetime(let stamp), .clock(.timedelta(let d, let s, let u))):
            return .datetime(try shifted(stamp, by: -micros(d, s, u)))
        case (.sub, .datetime(let x), .datetime(let y)):
            guard (x.utcOffsetMinutes == nil) == (y.utcOffsetMinutes == nil) else {
                throw EvalFailure(.type, "can't subtract offset-naive and offset-aware datetimes")
            }
            let offsets = Int128((x.utcOffsetMinutes ?? 0) - (y.utcOffsetMinutes ?? 0)) * 60_000_000
            return try timedelta(instant(x) - instant(y) - offsets)
        default:
            return nil
        }
    }

    /// `-td`, `+td`, `abs(td)`.
    static func unary(_ clock: ClockValue, negate: Bool, absolute: Bool = false) throws -> Value? {
        guard case .timedelta(let d, let s, let u) = clock else { return nil }
        let value = micros(d, s, u)
        if absolute { return try timedelta(value < 0 ? -value : value) }
        return try timedelta(negate ? -value : value)
    }

    // MARK: helpers

    static func micros(_ days: Int, _ seconds: Int, _ microseconds: Int) -> Int128 {
        Int128(days) * microsecondsPerDay + Int128(seconds) * 1_000_000 + Int128(microseconds)
    }

    /// A normalized timedelta of `total` microseconds, or Python's OverflowError.
    static func timedelta(_ total: Int128) throws -> Value {
        let (days, rest) = floorDivision(total, microsecondsPerDay)
        guard days >= Int128(-maximumDays), days <= Int128(maximumDays) else {
            throw EvalFailure(.runtime, "OverflowError: days=\(days); must have magnitude <= \(maximumDays)")
        }
        return .clock(.timedelta(days: Int(days), seconds: Int(rest / 1_000_000), microseconds: Int(rest % 1_000_000)))
    }

    private static func floorDivision(_ a: Int128, _ b: Int128) -> (Int128, Int128) {
        var (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
        if remainder != 0 && (remainder < 0) != (b < 0) {
            quotient -= 1
            remainder += b
        }
        return (quotient, remainder)
    }

    private static func integer(_ value: Int128) -> Value {
        if let small = Int(exactly: value) { return .int(small) }
        return .bigInt(big(value))
    }

    private static func big(_ value: Int128) -> BigInt {
        BigInt(String(value))!
    }

    private static func bigInteger(_ value: Value) -> BigInt? {
        switch value {
        case .int(let number): return BigInt(number)
        case .bigInt(let number): return number
        case .bool(let flag): return BigInt(flag ? 1 : 0)
        default: return nil
        }
    }

    /// An integer result as microseconds, or Python's OverflowError when no timedelta holds it.
    private static func int128(_ value: Value) throws -> Int128 {
        switch value {
        case .int(let number): return Int128(number)
        case .bigInt(let number):
            guard let fitting = Int128(String(number)) else {
                throw EvalFailure(.runtime, "OverflowError: Python int too large to convert to C int")
            }
            return fitting
        default: throw EvalFailure(.type, "unsupported operand type for timedelta")
        }
    }

    /// `round(n / d)` with ties to even, as timedelta's division and float products round
    /// (``PythonRound/halfEven(_:_:)``, which wants a positive denominator).
    private static func roundedQuotient(_ numerator: BigInt, _ denominator: BigInt) throws -> Int128 {
        let flip = denominator.signum() < 0
        let result = PythonRound.halfEven(flip ? -numerator : numerator, flip ? -denominator : denominator)
        guard let fitting = Int128(String(result)) else {
            throw EvalFailure(.runtime, "OverflowError: Python int too large to convert to C int")
        }
        return fitting
    }

    private static func shifted(_ date: YAMLDate, days: Int) throws -> YAMLDate {
        guard let result = YAMLDate(ordinal: date.ordinal + days) else {
            throw EvalFailure(.runtime, "OverflowError: date value out of range")
        }
        return result
    }

    /// Microseconds since 0001-01-01T00:00 of the wall-clock time (its offset not applied).
    private static func instant(_ stamp: YAMLTimestamp) -> Int128 {
        Int128(stamp.date.ordinal) * microsecondsPerDay
            + micros(0, stamp.hour * 3600 + stamp.minute * 60 + stamp.second, stamp.microsecond)
    }

    private static func shifted(_ stamp: YAMLTimestamp, by delta: Int128) throws -> YAMLTimestamp {
        let (days, rest) = floorDivision(instant(stamp) + delta, microsecondsPerDay)
        let seconds = Int(rest / 1_000_000)
        guard let ordinal = Int(exactly: days), let date = YAMLDate(ordinal: ordinal),
            let result = YAMLTimestamp(
                date: date, hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60,
                microsecond: Int(rest % 1_000_000), utcOffsetMinutes: stamp.utcOffsetMinutes)
        else { throw EvalFailure(.runtime, "OverflowError: date value out of range") }
        return result
    }
}
