/// Request header fields in the order set, one value per name (names compare case-insensitively).
struct HeaderFields: Sendable {
    private(set) var pairs: [(String, String)]

    init(_ pairs: [(String, String)] = []) {
        self.pairs = []
        for (name, value) in pairs { set(name, value) }
    }

    /// Sets `name` to `value`, replacing an earlier value of the same field in its place.
    mutating func set(_ name: String, _ value: String) {
        let key = name.lowercased()
        if let index = pairs.firstIndex(where: { $0.0.lowercased() == key }) {
            pairs[index].1 = value
        } else {
            pairs.append((name, value))
        }
    }
}
