/// In-place edits of mappings and sequences, the one way the compiler, the normal form and the
/// retargeter change a document. Each edit hands the closure the only reference to what it
/// changes, so large documents are edited without copying.
extension YAMLMapping {
    /// The index of the entry whose key is the string `key` (compared by code points).
    /// Compares lengths first, then bytes with `memcmp`, reading each entry's key in place (no copy of its value).
    public func index(forKey key: String) -> Int? {
        let length = key.utf8.count
        for index in entries.indices {
            guard case .string(let text) = entries[index].key.value, text.utf8.count == length else { continue }
            if codePointOrder(text, key) == 0 { return index }
        }
        return nil
    }

    /// Changes the value under the string key `key` in place; nothing when there is none.
    public mutating func updateValue(forKey key: String, _ body: (inout YAMLNode) -> Void) {
        guard let index = index(forKey: key) else { return }
        body(&entries[index].value)
    }

    /// Changes the mapping under the string key `key` in place; nothing when there is none or it
    /// is not a mapping.
    public mutating func updateMapping(forKey key: String, _ body: (inout YAMLMapping) -> Void) {
        updateValue(forKey: key) { $0.updateMapping(body) }
    }

    /// Sets the value under `key`: the existing entry's value (keeping its position and marks), else
    /// a new entry at the end whose key and value carry `mark`.
    public mutating func setValue(_ value: YAMLValue, forKey key: String, mark: YAMLMark = .synthesized) {
        if let index = index(forKey: key) {
            entries[index].value.value = value
        } else {
            entries.append(Entry(key: YAMLNode(.string(key), mark: mark), value: YAMLNode(value, mark: mark)))
        }
    }

    /// Removes every entry whose key is the string `key`.
    public mutating func removeValue(forKey key: String) {
        entries.removeAll { entry in
            if case .string(let text) = entry.key.value { return text.utf8.elementsEqual(key.utf8) }
            return false
        }
    }
}

extension YAMLNode {
    /// Changes this node's mapping in place (keeping the node's mark); nothing when it is not one.
    public mutating func updateMapping(_ body: (inout YAMLMapping) -> Void) {
        guard case .mapping(var mapping) = value else { return }
        value = .null  // leave `mapping` uniquely referenced so the edit happens in place
        body(&mapping)
        value = .mapping(mapping)
    }

    /// Changes the value under the string key `key` in place; nothing when this is not a mapping
    /// or has no such key.
    public mutating func updateValue(forKey key: String, _ body: (inout YAMLNode) -> Void) {
        updateMapping { $0.updateValue(forKey: key, body) }
    }

    /// Changes each item of this sequence in place; nothing when this is not a sequence.
    public mutating func updateEachItem(_ body: (inout YAMLNode) -> Void) {
        guard case .sequence(var items) = value else { return }
        value = .null
        for index in items.indices { body(&items[index]) }
        value = .sequence(items)
    }
}
