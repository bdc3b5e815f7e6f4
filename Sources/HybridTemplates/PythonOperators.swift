import BigInt
import Foundation
import HybridYAML

/// Python's semantics for truth, iteration, arithmetic and comparison on template values.
enum PythonOperators {
    // MARK: truth and iteration

    static func truth(_ value: Value) throws -> Bool {
        switch value {
        case .none: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .bigInt(let number): return !number.isZero
        case .float(let number): return number != 0
        case .string(let text), .markup(let text): return !text.isEmpty
        case .bytes(let bytes): return !bytes.isEmpty
        case .list(let list): return !list.items.isEmpty
        case .tuple(let items): return !items.isEmpty
        case .namedTuple(let tuple): return !tuple.values.isEmpty
        case .dict(let dict): return dict.count > 0
        case .range(let range): return range.count > 0
        case .dictView(let view): return view.dict.count > 0
        case .undefined(let undefined):
            if undefined.lenient { return false }
            throw EvalFailure(.undefined, undefined.message)
        case .loop(let loop): return try loop.length() > 0
        case .clock(let clock): return clock.truth
        default: return true
        }
    }

    /// The elements `for x in value` visits (consuming an iterator).
    static func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .list(let list): return list.items
        case .tuple(let items): return items
        case .namedTuple(let tuple): return tuple.values
        case .dict(let dict): return dict.keys
        case .string(let text), .markup(let text): return text.unicodeScalars.map { .string(String($0)) }
        case .bytes(let bytes): return bytes.map { .int(Int($0)) }
        case .range(let range): return try range.elements()
        case .iterator(let iterator): return try iterator.consume()
        case .dictView(let view): return view.elements
        case .loop(let loop):
            try loop.produce(upTo: .max)
            return loop.items
        case .undefined(let undefined):
            if undefined.lenient { return [] }
            throw EvalFailure(.undefined, undefined.message)
        default:
            throw EvalFailure(.type, "'\(value.typeName)' object is not iterable")
        }
    }

    /// `a, b = value`: exactly `count` items, with Python's TypeError and ValueError otherwise.
    static func unpack(_ value: Value, count: Int) throws -> [Value] {
        let items: [Value]
        do {
            items = try iterate(value)
        } catch let failure as EvalFailure where failure.kind == .type {
            throw EvalFailure(.type, "cannot unpack non-iterable \(value.typeName) object")
        }
        if items.count > count { throw EvalFailure(.value, "too many values to unpack (expected \(count))") }
        if items.count < count {
            throw EvalFailure(.value, "not enough values to unpack (expected \(count), got \(items.count))")
        }
        return items
    }

    static func length(_ value: Value) throws -> Int {
        switch value {
        case .string(let text), .markup(let text): return text.unicodeScalars.count
        case .bytes(let bytes): return bytes.count
        case .list(let list): return list.items.count
        case .tuple(let items): return items.count
        case .namedTuple(let tuple): return tuple.values.count
        case .dict(let dict): return dict.count
        case .range(let range): return range.count
        case .dictView(let view): return view.dict.count
        case .loop(let loop): return try loop.length()
        case .undefined(let undefined):
            if undefined.lenient { return 0 }
            throw EvalFailure(.undefined, undefined.message)
        default:
            throw EvalFailure(.type, "object of type '\(value.typeName)' has no len()")
        }
    }

    // MARK: numbers

    enum Number {
        case int(BigInt)
        case small(Int)
        case float(Double)
    }

    static func number(_ value: Value) -> Number? {
        switch value {
        case .int(let number): return .small(number)
        case .bool(let flag): return .small(flag ? 1 : 0)
        case .bigInt(let number): return .int(number)
        case .float(let number): return .float(number)
        default: return nil
        }
    }

    static func intValue(_ big: BigInt) -> Value {
        if let small = Int(exactly: big) { return .int(small) }
        return .bigInt(big)
    }

    /// The largest integer a render computes with (Python has no bound, but its arithmetic on
    /// numbers this size takes seconds; a template needing more is a mistake or an attack).
    static let maximumIntegerBits = 200_000

    /// Significant bits of the magnitude (attaswift's `BigUInt.bitWidth` already excludes leading zeros).
    static func bitLength(_ value: BigInt) -> Int {
        value.magnitude.bitWidth
    }

    static func tooLarge() -> EvalFailure {
        EvalFailure(.runtime, "OverflowError: integer result larger than \(maximumIntegerBits) bits")
    }

    static func checkBits(_ bits: Int) throws {
        if bits > maximumIntegerBits { throw tooLarge() }
    }

    static func bounded(_ value: BigInt) throws -> Value {
        try checkBits(bitLength(value))
        return intValue(value)
    }

    static func toDouble(_ number: Number) throws -> Double {
        switch number {
        case .small(let value): return Double(value)
        case .int(let value):
            let converted = correctlyRoundedDouble(value)
            if !converted.isFinite { throw EvalFailure(.runtime, "OverflowError: int too large to convert to float") }
            return converted
        case .float(let value): return value
        }
    }

    static func toBig(_ number: Number) -> BigInt? {
        switch number {
        case .small(let value): return BigInt(value)
        case .int(let value): return value
        case .float: return nil
        }
    }

    private static func undefinedCheck(_ values: Value...) throws {
        for value in values {
            if case .undefined(let undefined) = value { throw EvalFailure(.undefined, undefined.message) }
        }
    }

    static func unsupported(_ op: String, _ a: Value, _ b: Value) -> EvalFailure {
        EvalFailure(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        if op == .mod, case .string = a {
            // `'%r' % missing` formats it (repr() of StrictUndefined is `Undefined`); `%s` fails there.
            try undefinedCheck(a)
        } else {
            try undefinedCheck(a, b)
        }
        // Fast path: two small ints.
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add:
                let (sum, overflow) = x.addingReportingOverflow(y)
                if !overflow { return .int(sum) }
            case .sub:
                let (difference, overflow) = x.subtractingReportingOverflow(y)
                if !overflow { return .int(difference) }
            case .mul:
                let (product, overflow) = x.multipliedReportingOverflow(by: y)
                if !overflow { return .int(product) }
            case .floordiv where y != 0 && !(x == .min && y == -1):
                let quotient = x / y
                return .int((x % y != 0) && ((x < 0) != (y < 0)) ? quotient - 1 : quotient)
            case .mod where y != 0 && !(x == .min && y == -1):
                let remainder = x % y
                return .int(remainder != 0 && ((remainder < 0) != (y < 0)) ? remainder + y : remainder)
            default: break
            }
        }
        if let x = number(a), let y = number(b) {
            return try arithmetic(op, x, y)
        }
        switch (a, b) {
        case (.clock, _), (_, .clock), (.date, .date), (.datetime, .datetime):
            if let result = try ClockArithmetic.binary(op, a, b) { return result }
        default: break
        }
        if case .markup = a, let result = try MarkupOperations.binary(op, a, b) { return result }
        if case .markup = b, let result = try MarkupOperations.binary(op, a, b) { return result }
        switch (op, a, b) {
        case (.add, .bytes(let x), .bytes(let y)):
            try RenderBudget.check(x.count + y.count, for: "a concatenated bytes")
            return .bytes(x + y)
        case (.mul, .bytes(let bytes), _), (.mul, _, .bytes(let bytes)):
            guard let count = repeatCount(a, b) else {
                throw repetitionFailure(a, b)
            }
            try checkRepetition(count, bytes.count)
            return .bytes(count > 0 ? Array([[UInt8]](repeating: bytes, count: count).joined()) : [])
        case (.add, .string(let x), .string(let y)): return .string(x + y)
        case (.add, .list(let x), .list(let y)): return .list(ListObject(x.items + y.items))
        case (.add, .tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.mul, .string(let text), _), (.mul, _, .string(let text)):
            guard let count = repeatCount(a, b) else {
                throw repetitionFailure(a, b)
            }
            try checkRepetition(count, text.utf8.count)
            // An empty sequence repeated any number of times is empty (never loop `count` times).
            return .string(count > 0 && !text.isEmpty ? String(repeating: text, count: count) : "")
        case (.mul, .list(let list), _), (.mul, _, .list(let list)):
            guard let count = repeatCount(a, b) else {
                throw repetitionFailure(a, b)
            }
            try checkRepetition(count, list.items.count * 16)
            return .list(
                ListObject(
                    count > 0 && !list.items.isEmpty
                        ? Array([[Value]](repeating: list.items, count: count).joined()) : []))
        case (.mul, .tuple(let items), _), (.mul, _, .tuple(let items)):
            guard let count = repeatCount(a, b) else {
                throw repetitionFailure(a, b)
            }
            try checkRepetition(count, items.count * 16)
            return .tuple(
                count > 0 && !items.isEmpty ? Array([[Value]](repeating: items, count: count).joined()) : [])
        case (.mod, .string(let format), _):
            return .string(try PercentFormat.format(format, b))
        default:
            throw unsupported(op.rawValue, a, b)
        }
    }

    /// `sequence * n` may not build more than the render's output bound.
    static func checkRepetition(_ count: Int, _ unitSize: Int) throws {
        guard count > 0, unitSize > 0 else { return }
        let (total, overflow) = count.multipliedReportingOverflow(by: unitSize)
        if overflow || total > RenderBudget.limit {
            throw EvalFailure(
                .runtime,
                "MemoryError: repeating a sequence \(count) times exceeds the render's memory budget (\(RenderBudget.limit) bytes)"
            )
        }
    }

    private static func nonSequence(_ a: Value, _ b: Value) -> Value {
        switch a {
        case .string, .list, .tuple: return b
        default: return a
        }
    }

    /// Why `sequence * other` has no count: an int too big for an index (OverflowError), else a TypeError.
    private static func repetitionFailure(_ a: Value, _ b: Value) -> EvalFailure {
        if case .bigInt = a { return EvalFailure(.runtime, "cannot fit 'int' into an index-sized integer") }
        if case .bigInt = b { return EvalFailure(.runtime, "cannot fit 'int' into an index-sized integer") }
        return EvalFailure(.type, "can't multiply sequence by non-int of type '\(nonSequence(a, b).typeName)'")
    }

    private static func repeatCount(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.int(let n), _), (_, .int(let n)): return n
        case (.bool(let flag), _), (_, .bool(let flag)): return flag ? 1 : 0
        default: return nil
        }
    }

    static func arithmetic(_ op: BinaryOperator, _ x: Number, _ y: Number) throws -> Value {
        let isFloat: Bool
        switch (x, y) {
        case (.float, _), (_, .float): isFloat = true
        default: isFloat = false
        }
        if op == .div {
            if !isFloat, let bx = toBig(x), let by = toBig(y) {
                if by.isZero { throw EvalFailure(.zeroDivision, "division by zero") }
                if bx.magnitude <= BigUInt(1) << 53 && by.magnitude <= BigUInt(1) << 53 {
                    return .float(Double(Int(bx)) / Double(Int(by)))
                }
                let quotient = correctlyRoundedQuotient(bx, by)
                if quotient.isInfinite {
                    throw EvalFailure(.runtime, "OverflowError: integer division result too large for a float")
                }
                return .float(quotient)
            }
            let dividend = try toDouble(x)
            let divisor = try toDouble(y)
            if divisor == 0 { throw EvalFailure(.zeroDivision, "float division by zero") }
            return .float(dividend / divisor)
        }
        if isFloat {
            let a = try toDouble(x)
            let b = try toDouble(y)
            switch op {
            case .add: return .float(a + b)
            case .sub: return .float(a - b)
            case .mul: return .float(a * b)
            case .floordiv:
                if b == 0 { throw EvalFailure(.zeroDivision, "float floor division by zero") }
                return .float(floatDivmod(a, b).0)
            case .mod:
                if b == 0 { throw EvalFailure(.zeroDivision, "float modulo") }
                return .float(floatDivmod(a, b).1)
            case .pow: return .float(try floatPow(a, b))
            case .div: fatalError("handled above")
            }
        }
        let a = toBig(x)!
        let b = toBig(y)!
        switch op {
        case .add: return try bounded(a + b)
        case .sub: return try bounded(a - b)
        case .mul:
            try checkBits(bitLength(a) + bitLength(b))
            return intValue(a * b)
        case .floordiv:
            if b.isZero { throw EvalFailure(.zeroDivision, "integer division or modulo by zero") }
            return intValue(floorDivmod(a, b).0)
        case .mod:
            if b.isZero { throw EvalFailure(.zeroDivision, "integer modulo by zero") }
            return intValue(floorDivmod(a, b).1)
        case .pow:
            if b.signum() < 0 {
                if a.isZero { throw EvalFailure(.zeroDivision, "0.0 cannot be raised to a negative power") }
                return .float(try floatPow(try toDouble(x), try toDouble(y)))
            }
            guard let exponent = Int(exactly: b) else { throw EvalFailure(.runtime, "exponent too large") }
            if a.magnitude > 1 {
                let (bits, overflow) = (bitLength(a) - 1).multipliedReportingOverflow(by: exponent)
                if overflow { throw tooLarge() }
                try checkBits(bits)
            }
            return intValue(a.power(exponent))
        case .div: fatalError("handled above")
        }
    }

    /// Python's int true division: the correctly rounded quotient of two big integers (infinite when
    /// it is beyond the largest float; the caller raises Python's OverflowError).
    static func correctlyRoundedQuotient(_ a: BigInt, _ b: BigInt) -> Double {
        let negative = (a.signum() < 0) != (b.signum() < 0)
        let sign: FloatingPointSign = negative ? .minus : .plus
        let numerator = a.magnitude
        let denominator = b.magnitude
        if numerator.isZero { return Double(sign: sign, exponent: 0, significand: 0) }
        // The quotient lies in [2^(e-1), 2^(e+1)).
        // BigUInt's bitWidth is its bit length.
        let e = numerator.bitWidth - denominator.bitWidth
        if e > 1026 { return negative ? -.infinity : .infinity }
        if e < -1076 { return Double(sign: sign, exponent: 0, significand: 0) }
        // q = floor(n * 2^s / d) has 55 or 56 bits; the value is (q + sticky) * 2^-s.
        let s = 55 - e
        let (q, r) =
            s >= 0
            ? (numerator << s).quotientAndRemainder(dividingBy: denominator)
            : numerator.quotientAndRemainder(dividingBy: denominator << -s)
        let qBits = q.bitWidth
        // Keep 53 significant bits, fewer for a subnormal result (its last bit is 2^-1074).
        let drop = Swift.max(qBits - 53, s - 1074)
        var mantissa = q >> drop
        let dropped = q - (mantissa << drop)
        let half = BigUInt(1) << (drop - 1)
        if dropped > half || (dropped == half && (!r.isZero || mantissa & 1 == 1)) { mantissa += 1 }
        let significand = Double(UInt64(mantissa))
        return Double(sign: sign, exponent: drop - s, significand: significand)
    }

    /// `float(int)`: correctly rounded (infinite beyond the largest float).
    static func correctlyRoundedDouble(_ value: BigInt) -> Double { correctlyRoundedQuotient(value, 1) }

    static func floorDivmod(_ a: BigInt, _ b: BigInt) -> (BigInt, BigInt) {
        var (q, r) = a.quotientAndRemainder(dividingBy: b)
        if !r.isZero && (r.signum() < 0) != (b.signum() < 0) {
            q -= 1
            r += b
        }
        return (q, r)
    }

    /// CPython's `float_divmod`.
    static func floatDivmod(_ vx: Double, _ wx: Double) -> (Double, Double) {
        var mod = fmod(vx, wx)
        var div = (vx - mod) / wx
        if mod != 0 {
            if (wx < 0) != (mod < 0) {
                mod += wx
                div -= 1.0
            }
        } else {
            mod = copysign(0.0, wx)
        }
        var floordiv: Double
        if div != 0 {
            floordiv = div.rounded(.down)
            if div - floordiv > 0.5 { floordiv += 1.0 }
        } else {
            floordiv = copysign(0.0, vx / wx)
        }
        return (floordiv, mod)
    }

    /// Python's `float_pow`, in its order of special cases. A negative base with a fractional
    /// exponent is a complex number in Python; hybrid has no complex type and stops with a ValueError.
    static func floatPow(_ a: Double, _ b: Double) throws -> Double {
        if b == 0 || a == 1 { return 1 }
        if a.isNaN || b.isNaN || b.isInfinite || a.isInfinite { return Foundation.pow(a, b) }
        if a == 0 && b < 0 { throw EvalFailure(.zeroDivision, "0.0 cannot be raised to a negative power") }
        if a < 0 && b != b.rounded() {
            throw EvalFailure(
                .value,
                "\(PythonFloatFormat.repr(a)) ** \(PythonFloatFormat.repr(b)) is a complex number in Python; hybrid has no complex numbers"
            )
        }
        let result = Foundation.pow(a, b)
        if result.isInfinite {
            throw EvalFailure(.runtime, "OverflowError: (34, 'Numerical result out of range')")
        }
        return result
    }

    static func negate(_ value: Value) throws -> Value {
        try undefinedCheck(value)
        if case .clock(let clock) = value, let result = try ClockArithmetic.unary(clock, negate: true) { return result }
        switch value {
        case .int(let number):
            if number == .min { return .bigInt(-BigInt(number)) }
            return .int(-number)
        case .bool(let flag): return .int(flag ? -1 : 0)
        case .bigInt(let number): return intValue(-number)
        case .float(let number): return .float(-number)
        default: throw EvalFailure(.type, "bad operand type for unary -: '\(value.typeName)'")
        }
    }

    static func positive(_ value: Value) throws -> Value {
        try undefinedCheck(value)
        if case .clock(let clock) = value, let result = try ClockArithmetic.unary(clock, negate: false) {
            return result
        }
        switch value {
        case .int, .bigInt, .float: return value
        case .bool(let flag): return .int(flag ? 1 : 0)
        default: throw EvalFailure(.type, "bad operand type for unary +: '\(value.typeName)'")
        }
    }

    // MARK: comparison

    /// Python `==` (never raises for defined values; StrictUndefined raises).
    static func equal(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.undefined, _), (_, .undefined):
            // StrictUndefined's __eq__ raises, also reflected (it subclasses Undefined); Undefined's
            // compares the types.
            if case .undefined(let x) = a, !x.lenient { throw EvalFailure(.undefined, x.message) }
            if case .undefined(let y) = b, !y.lenient { throw EvalFailure(.undefined, y.message) }
            if case .undefined = a, case .undefined = b { return true }
            return false
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)):
            return x.utf8.elementsEqual(y.utf8)
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.none, .none): return true
        default: break
        }
        if let x = number(a), let y = number(b) { return compareNumbers(x, y) == 0 }
        switch (a, b) {
        case (.list(let x), .list(let y)): return try sequencesEqual(x.items, y.items)
        case (.tuple(let x), .tuple(let y)): return try sequencesEqual(x, y)
        case (.namedTuple(let x), .tuple(let y)), (.tuple(let y), .namedTuple(let x)):
            return try sequencesEqual(x.values, y)
        case (.namedTuple(let x), .namedTuple(let y)): return try sequencesEqual(x.values, y.values)
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in zip(x.keys, x.values) {
                guard let other = try y.get(key), try equal(value, other) else { return false }
            }
            return true
        case (.range(let x), .range(let y)):
            return x.count == y.count
                && (x.count == 0 || (x.start == y.start && (x.count == 1 || x.step == y.step)))
        case (.date(let x), .date(let y)): return x == y
        case (.clock(let x), .clock(let y)): return ClockValue.ordering(x, y).map { $0 == 0 } ?? (x == y)
        case (.datetime(let x), .datetime(let y)): return x == y
        case (.callable(let x), .callable(let y)): return x === y
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.loop(let x), .loop(let y)): return x === y
        case (.iterator(let x), .iterator(let y)): return x === y
        case (.module(let x), .module(let y)): return x === y
        case (.dictView(let x), .dictView(let y)):
            guard x.kind == y.kind else { return false }
            return try equal(.list(ListObject(x.elements)), .list(ListObject(y.elements)))
        default: return false
        }
    }

    private static func sequencesEqual(_ a: [Value], _ b: [Value]) throws -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where try !equal(x, y) { return false }
        return true
    }

    /// -1, 0, 1 for two numbers of any kind (exact, as Python compares int with float).
    static func compareNumbers(_ x: Number, _ y: Number) -> Int {
        switch (x, y) {
        case (.small(let a), .small(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.float(let a), .float(let b)): return a < b ? -1 : (a > b ? 1 : 0)
        case (.float(let a), _):
            if a.isNaN { return 2 }
            return -compareNumbers(y, x)
        case (_, .float(let b)):
            if b.isNaN { return 2 }
            if b.isInfinite { return b > 0 ? -1 : 1 }
            let a = toBig(x)!
            let floor = BigInt(b.rounded(.down))
            if a < floor { return -1 }
            if a > floor { return 1 }
            return b > b.rounded(.down) ? -1 : 0
        default:
            let a = toBig(x)!
            let b = toBig(y)!
            return a < b ? -1 : (a > b ? 1 : 0)
        }
    }

    /// Python's `<` and friends; a TypeError for unorderable types.
    static func compare(_ op: CompareOperator, _ a: Value, _ b: Value) throws -> Bool {
        switch op {
        case .eq: return try equal(a, b)
        case .ne: return try !equal(a, b)
        case .isIn: return try contains(b, a)
        case .notIn: return try !contains(b, a)
        default: break
        }
        try undefinedCheck(a, b)
        guard let order = try ordering(a, b, op: op) else {
            // NaN compares false with everything.
            return false
        }
        switch op {
        case .lt: return order < 0
        case .lteq: return order <= 0
        case .gt: return order > 0
        case .gteq: return order >= 0
        default: return false
        }
    }

    /// Ordering for sorting and comparison: nil when unordered (NaN).
    static func ordering(_ a: Value, _ b: Value, op: CompareOperator = .lt) throws -> Int? {
        if let x = number(a), let y = number(b) {
            let result = compareNumbers(x, y)
            return result == 2 ? nil : result
        }
        switch (a, b) {
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)):
            if x.utf8.elementsEqual(y.utf8) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : 1
        case (.bytes(let x), .bytes(let y)): return PythonBytes.ordering(x, y)
        case (.list(let x), .list(let y)): return try sequenceOrdering(x.items, y.items, op: op)
        case (.tuple(let x), .tuple(let y)): return try sequenceOrdering(x, y, op: op)
        case (.namedTuple(let x), .namedTuple(let y)): return try sequenceOrdering(x.values, y.values, op: op)
        case (.namedTuple(let x), .tuple(let y)): return try sequenceOrdering(x.values, y, op: op)
        case (.tuple(let x), .namedTuple(let y)): return try sequenceOrdering(x, y.values, op: op)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.clock(let x), .clock(let y)): return ClockValue.ordering(x, y)
        case (.datetime(let x), .datetime(let y)):
            if (x.utcOffsetMinutes == nil) != (y.utcOffsetMinutes == nil) {
                throw EvalFailure(.type, "can't compare offset-naive and offset-aware datetimes")
            }
            return x.instant < y.instant ? -1 : (x.instant == y.instant ? 0 : 1)
        // An undefined value fails as undefined on either side (its own, or the reflected, comparison).
        case (.undefined(let undefined), _), (_, .undefined(let undefined)):
            throw EvalFailure(.undefined, undefined.message)
        default:
            throw EvalFailure(
                .type, "'\(op.rawValue)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    private static func sequenceOrdering(_ a: [Value], _ b: [Value], op: CompareOperator) throws -> Int? {
        for (x, y) in zip(a, b) where try !equal(x, y) {
            return try ordering(x, y, op: op)
        }
        return a.count < b.count ? -1 : (a.count == b.count ? 0 : 1)
    }

    /// Python's AttributeError for `value.name`; on an undefined value, its UndefinedError (Jinja2's
    /// Undefined fails any attribute lookup with its own message).
    static func attributeError(_ value: Value, _ name: String) -> EvalFailure {
        if case .undefined(let u) = value { return EvalFailure(.undefined, u.message) }
        return EvalFailure(.runtime, "AttributeError: '\(value.typeName)' object has no attribute '\(name)'")
    }

    /// Python's `needle in container`.
    static func contains(_ container: Value, _ needle: Value) throws -> Bool {
        switch container {
        case .bytes(let bytes): return try PythonBytes.contains(bytes, needle)
        case .string(let text), .markup(let text):
            guard let part = needle.stringContent else {
                throw EvalFailure(.type, "'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return substringRange(of: part, in: text) != nil
        case .dict(let dict):
            if case .undefined(let u) = needle { throw EvalFailure(.undefined, u.message) }
            return try dict.contains(needle)
        case .undefined(let u):
            if u.lenient { return false }
            throw EvalFailure(.undefined, u.message)
        case .range(let range):
            guard case .int(let number) = needle else {
                return try iterate(container).contains { try equal($0, needle) }
            }
            let offset = number - range.start
            return range.count > 0 && offset % range.step == 0 && offset / range.step >= 0
                && offset / range.step < range.count
        default:
            for item in try iterate(container) where try equal(item, needle) { return true }
            return false
        }
    }

    /// Code-point substring search (Swift's `contains` on String uses canonical equivalence).
    static func substringRange(of needle: String, in haystack: String) -> Range<Int>? {
        let h = Array(haystack.unicodeScalars)
        let n = Array(needle.unicodeScalars)
        return substringRange(of: n, in: h, from: 0)
    }

    static func substringRange(of n: [Unicode.Scalar], in h: [Unicode.Scalar], from start: Int) -> Range<Int>? {
        if n.isEmpty { return start <= h.count ? start..<start : nil }
        guard n.count <= h.count else { return nil }
        var i = start
        while i + n.count <= h.count {
            if h[i] == n[0] {
                var matched = true
                for k in 1..<n.count where h[i + k] != n[k] {
                    matched = false
                    break
                }
                if matched { return i..<(i + n.count) }
            }
            i += 1
        }
        return nil
    }
}
