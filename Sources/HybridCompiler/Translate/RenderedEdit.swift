import HybridYAML

/// A step into a YAML document: a mapping key or a sequence index.
enum DocumentPathStep: Sendable, Equatable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let key): key
        case .index(let index): "[\(index)]"
        }
    }

    /// `params.metrics[0]`.
    static func text(_ path: [DocumentPathStep]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .index: text += step.description
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}

/// One change to an asset's rendered document (the YAML its template renders, before linking),
/// addressed by path in that document.
enum RenderedEdit: Sendable {
    /// The node at `path` becomes `value`.
    case replace(path: [DocumentPathStep], value: YAMLNode)
    /// A new `key: value` at the end of the mapping at `path`.
    case insertEntry(path: [DocumentPathStep], key: String, value: YAMLNode)
    /// The entry `key` of the mapping at `path` goes.
    case removeEntry(path: [DocumentPathStep], key: String)
    /// A new item before item `index` (or at the end when `index` is the count) of the sequence at `path`.
    case insertItem(path: [DocumentPathStep], index: Int, value: YAMLNode)
    /// Item `index` of the sequence at `path` goes.
    case removeItem(path: [DocumentPathStep], index: Int)

    var path: [DocumentPathStep] {
        switch self {
        case .replace(let path, _): path
        case .insertEntry(let path, let key, _), .removeEntry(let path, let key): path + [.key(key)]
        case .insertItem(let path, let index, _), .removeItem(let path, let index): path + [.index(index)]
        }
    }
}

extension YAMLNode {
    /// The node at `path`, if there is one.
    func node(at path: some Collection<DocumentPathStep>) -> YAMLNode? {
        guard let step = path.first else { return self }
        switch (step, value) {
        case (.key(let key), .mapping(let mapping)): return mapping[key]?.node(at: path.dropFirst())
        case (.index(let index), .sequence(let items)) where items.indices.contains(index):
            return items[index].node(at: path.dropFirst())
        default: return nil
        }
    }

    /// Applies `edit`; false when its path does not lead to a node of the right kind.
    mutating func apply(_ edit: RenderedEdit) -> Bool {
        switch edit {
        case .replace(let path, let value):
            return update(at: path[...]) { node in
                node.value = value.value
                return true
            }
        case .insertEntry(let path, let key, let value):
            return update(at: path[...]) { node in
                guard case .mapping(var mapping) = node.value, mapping[key] == nil else { return false }
                mapping.entries.append(YAMLMapping.Entry(key: YAMLNode(.string(key)), value: value))
                node.value = .mapping(mapping)
                return true
            }
        case .removeEntry(let path, let key):
            return update(at: path[...]) { node in
                guard case .mapping(var mapping) = node.value, let index = mapping.index(forKey: key) else {
                    return false
                }
                mapping.entries.remove(at: index)
                node.value = .mapping(mapping)
                return true
            }
        case .insertItem(let path, let index, let value):
            return update(at: path[...]) { node in
                guard case .sequence(var items) = node.value, index <= items.count else { return false }
                items.insert(value, at: index)
                node.value = .sequence(items)
                return true
            }
        case .removeItem(let path, let index):
            return update(at: path[...]) { node in
                guard case .sequence(var items) = node.value, items.indices.contains(index) else { return false }
                items.remove(at: index)
                node.value = .sequence(items)
                return true
            }
        }
    }

    private mutating func update(at path: ArraySlice<DocumentPathStep>, _ body: (inout YAMLNode) -> Bool) -> Bool {
        guard let step = path.first else { return body(&self) }
        switch (step, value) {
        case (.key(let key), .mapping(var mapping)):
            guard let index = mapping.index(forKey: key) else { return false }
            let done = mapping.entries[index].value.update(at: path.dropFirst(), body)
            value = .mapping(mapping)
            return done
        case (.index(let index), .sequence(var items)) where items.indices.contains(index):
            let done = items[index].update(at: path.dropFirst(), body)
            value = .sequence(items)
            return done
        default:
            return false
        }
    }
}
