/// An ordered mapping, in the order Python's dict would hold it after `safe_load`.
public struct YAMLMapping: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: YAMLNode
        public var value: YAMLNode

        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// The value under a string key (compared by code points), or nil.
    public subscript(key: String) -> YAMLNode? {
        index(forKey: key).map { entries[$0].value }
    }

    /// The entry whose key is the string `key`, with its key node (for marks).
    public func entry(forKey key: String) -> Entry? {
        index(forKey: key).map { entries[$0] }
    }
}
