import BigInt

/// When two mapping keys are the same key to Python's dict: `1`, `1.0` and `true` collide,
/// strings compare by code points, aware timestamps by instant, all `.nan` keys are one key.
enum KeyIdentity: Hashable {
    case null
    case integer(Int)
    case bigInteger(String)
    case float(UInt64)
    case string(CodePoints)
    case date(YAMLDate)
    case timestamp(YAMLTimestamp)

    /// A string compared and hashed by its UTF-8 bytes (Swift's `==` on `String` uses canonical equivalence; Python does not).
    struct CodePoints: Hashable {
        let text: String

        static func == (lhs: CodePoints, rhs: CodePoints) -> Bool {
            codePointOrder(lhs.text, rhs.text) == 0
        }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The identity of a scalar key; nil for collections (unhashable in Python).
    init?(_ value: YAMLValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .integer(flag ? 1 : 0)
        case .int(let number): self = .integer(number)
        case .bigInt(let digits): self = .bigInteger(digits)
        case .float(let number):
            if number.isNaN {
                // PyYAML returns one shared NaN object, so every `.nan` key is the same dict key.
                self = .float(Double.nan.bitPattern)
            } else if number.isFinite && number.rounded(.towardZero) == number {
                switch YAMLValue.integer(BigInt(exactly: number)!) {
                case .int(let small): self = .integer(small)
                case .bigInt(let digits): self = .bigInteger(digits)
                default: self = .float(number.bitPattern)
                }
            } else {
                self = .float(number.bitPattern)
            }
        case .string(let text): self = .string(CodePoints(text: text))
        case .date(let date): self = .date(date)
        case .timestamp(let timestamp): self = .timestamp(timestamp)
        case .sequence, .mapping: return nil
        }
    }
}
