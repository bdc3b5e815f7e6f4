import BigInt
import HybridYAML

/// A dict key with Python's equality: `1`, `1.0` and `True` are one key; strings compare by
/// code points; tuples elementwise. Lists and dicts are unhashable.
enum HashKey: Hashable {
    case none
    case int(Int)
    case bigInt(BigInt)
    case float(UInt64)
    case string(CodePoints)
    case tuple([HashKey])
    case bytes([UInt8])
    case date(YAMLDate)
    case datetime(YAMLTimestamp)
    case clock(ClockValue)
    case object(ObjectIdentifier)

    /// A string hashed and compared by its UTF-8 bytes, never by Unicode canonical equivalence.
    struct CodePoints: Hashable {
        let text: String

        static func == (lhs: CodePoints, rhs: CodePoints) -> Bool {
            lhs.text.utf8.elementsEqual(rhs.text.utf8)
        }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    static func string(_ text: String) -> HashKey { .string(CodePoints(text: text)) }

    init(_ value: Value) throws {
        switch value {
        case .none: self = .none
        case .bool(let flag): self = .int(flag ? 1 : 0)
        case .int(let number): self = .int(number)
        case .bigInt(let number): self = .bigInt(number)
        case .float(let number):
            if number.isFinite, number.rounded(.towardZero) == number {
                if let small = Int(exactly: number) {
                    self = .int(small)
                } else {
                    self = .bigInt(BigInt(number))
                }
            } else {
                self = .float(number.bitPattern)
            }
        case .string(let text), .markup(let text): self = .string(CodePoints(text: text))
        case .bytes(let bytes): self = .bytes(bytes)
        case .tuple(let items): self = .tuple(try items.map(HashKey.init))
        case .namedTuple(let tuple): self = .tuple(try tuple.values.map(HashKey.init))
        case .date(let date): self = .date(date)
        case .datetime(let stamp): self = .datetime(stamp)
        case .clock(let clock): self = .clock(clock)
        case .undefined(let undefined):
            // Undefined hashes (every one alike, as they compare equal); StrictUndefined raises.
            guard undefined.lenient else { throw EvalFailure(.undefined, undefined.message) }
            self = .tuple([.string(CodePoints(text: "Undefined"))])
        case .callable(let callable): self = .object(ObjectIdentifier(callable))
        case .namespace(let namespace): self = .object(ObjectIdentifier(namespace))
        case .loop(let loop): self = .object(ObjectIdentifier(loop))
        case .iterator(let iterator): self = .object(ObjectIdentifier(iterator))
        case .module(let module): self = .object(ObjectIdentifier(module))
        case .range(let range):
            self = .tuple([.string("range"), .int(range.start), .int(range.stop), .int(range.step)])
        case .dictView(let view) where view.kind == .values:
            // dict_values has no __eq__ of its own: it hashes by identity (keys and items are sets).
            self = .tuple([.string(CodePoints(text: "dict_values")), .object(ObjectIdentifier(view.dict))])
        case .list, .dict, .dictView:
            throw EvalFailure(.type, "unhashable type: '\(value.typeName)'")
        }
    }
}
