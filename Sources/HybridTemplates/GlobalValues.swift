/// The global functions (`range`, `dict`, `namespace`, ...) by symbol id: a handful of entries,
/// found by comparing integers instead of hashing the name on every lookup.
struct GlobalValues {
    private var ids: [Int32] = []
    private var values: [Value] = []

    init(_ globals: [String: Value]) {
        for (name, value) in globals.sorted(by: { $0.key < $1.key }) {
            ids.append(Symbol.named(name).id)
            values.append(value)
        }
    }

    func value(of symbol: Symbol) -> Value? {
        guard let index = ids.firstIndex(of: symbol.id) else { return nil }
        return values[index]
    }
}
