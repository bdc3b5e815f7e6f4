/// Unsigned integer of any size, just enough arithmetic to turn PyYAML integer literals
/// (binary, octal, decimal, hex, sexagesimal) and integral floats into exact decimal text.
struct ArbitraryInteger: Equatable {
    /// Little-endian limbs in base 10⁹.
    private var limbs: [UInt32] = [0]
    private static let base: UInt64 = 1_000_000_000

    init() {}

    init(_ value: UInt64) {
        limbs = []
        var rest = value
        repeat {
            limbs.append(UInt32(rest % ArbitraryInteger.base))
            rest /= ArbitraryInteger.base
        } while rest > 0
    }

    var isZero: Bool { limbs.allSatisfy { $0 == 0 } }

    /// self = self × factor + addend, for small factor and addend.
    mutating func multiply(by factor: UInt32, adding addend: UInt32 = 0) {
        var carry = UInt64(addend)
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(product % ArbitraryInteger.base)
            carry = product / ArbitraryInteger.base
        }
        while carry > 0 {
            limbs.append(UInt32(carry % ArbitraryInteger.base))
            carry /= ArbitraryInteger.base
        }
    }

    /// self += other.
    mutating func add(_ other: ArbitraryInteger) {
        var carry: UInt64 = 0
        let count = max(limbs.count, other.limbs.count)
        if limbs.count < count { limbs.append(contentsOf: repeatElement(0, count: count - limbs.count)) }
        for index in 0..<count {
            let sum = UInt64(limbs[index]) + UInt64(index < other.limbs.count ? other.limbs[index] : 0) + carry
            limbs[index] = UInt32(sum % ArbitraryInteger.base)
            carry = sum / ArbitraryInteger.base
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    /// The value if it fits in `Int` (with the given sign), else nil.
    func int(negative: Bool) -> Int? {
        var magnitude: UInt64 = 0
        for limb in limbs.reversed() {
            let (scaled, overflow1) = magnitude.multipliedReportingOverflow(by: ArbitraryInteger.base)
            let (sum, overflow2) = scaled.addingReportingOverflow(UInt64(limb))
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        if negative {
            if magnitude <= UInt64(Int.max) { return -Int(magnitude) }
            if magnitude == UInt64(Int.max) + 1 { return Int.min }
            return nil
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// Canonical decimal digits (no sign, no leading zeros).
    var decimal: String {
        var text = ""
        var started = false
        for limb in limbs.reversed() {
            if started {
                text += pad(Int(limb), 9)
            } else if limb != 0 {
                text += String(limb)
                started = true
            }
        }
        return started ? text : "0"
    }

    /// An integer `YAMLValue` with the given sign: `.int` when it fits, `.bigInt` otherwise.
    func yamlValue(negative: Bool) -> YAMLValue {
        if let small = int(negative: negative) { return .int(small) }
        return .bigInt((negative && !isZero ? "-" : "") + decimal)
    }

    /// The exact integer value of an integral, finite double's magnitude.
    init(integralMagnitudeOf value: Double) {
        let magnitude = value.magnitude
        if magnitude < 0x1p63 {
            self.init(UInt64(magnitude))
            return
        }
        // magnitude = significand × 2^exponent with a 53-bit integer significand.
        let exponent = Int(magnitude.exponent) - 52
        self.init(UInt64(magnitude.significandBitPattern | (1 << 52)))
        for _ in 0..<exponent { multiply(by: 2) }
    }
}
