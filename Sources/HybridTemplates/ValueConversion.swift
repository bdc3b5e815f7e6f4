import BigInt
import HybridYAML

extension Value {
    /// The value PyYAML's `safe_load` would hand to Jinja for this node.
    public init(yaml node: YAMLNode) {
        switch node.value {
        case .null: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .bigInt(let digits): self = BigInt(digits).map(Value.bigInt) ?? .string(digits)
        case .float(let number): self = .float(number)
        case .string(let text): self = .string(text)
        case .date(let date): self = .date(date)
        case .timestamp(let stamp): self = .datetime(stamp)
        case .sequence(let items): self = .list(ListObject(items.map(Value.init(yaml:))))
        case .mapping(let mapping):
            let dict = DictObject()
            for entry in mapping.entries {
                // YAML keys are scalars, always hashable.
                try? dict.set(Value(yaml: entry.key), Value(yaml: entry.value))
            }
            self = .dict(dict)
        }
    }

    /// A YAML scalar value (for `--var KEY=VALUE`), parsed with PyYAML's rules.
    public static func yamlScalar(_ text: String) -> Value {
        guard let node = try? YAMLParser.parseDocument(text, file: "--var") else { return .none }
        return Value(yaml: node)
    }
}
