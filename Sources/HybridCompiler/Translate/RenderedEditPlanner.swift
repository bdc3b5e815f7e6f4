import HybridYAML

/// The edits that turn an asset's rendered document into one whose bundle form is the export's:
/// walks the bundle form the templates compile to and the export side by side, and addresses every
/// difference by its path in the rendered document. Both sides are first brought into the
/// rendered document's terms (``ReferenceTerms``), so a reference that points at the same asset
/// stays as written.
struct RenderedEditPlanner {
    /// A difference with no place in the rendered document.
    struct Unplaceable: Error, Sendable {
        var path: [DocumentPathStep]
        var reason: String
    }

    /// Longest sequences aligned item by item (longer ones are replaced whole).
    static let alignmentLimit = 4_000

    /// For a list the normal form sorts, the rendered index of each item in normal-form order.
    let order: ([DocumentPathStep]) -> [Int]?

    /// Edits from `compiled` to `exported` (both in the rendered document's terms) on `rendered`;
    /// `order` gives, for a list the normal form sorts, the rendered index of each sorted item.
    static func edits(
        from compiled: YAMLNode, to exported: YAMLNode, on rendered: YAMLNode,
        order: @escaping ([DocumentPathStep]) -> [Int]? = { _ in nil }
    ) throws(Unplaceable) -> [RenderedEdit] {
        var edits: [RenderedEdit] = []
        try RenderedEditPlanner(order: order).walk(compiled, exported, rendered, [], &edits)
        return edits
    }

    /// The rendered index of each item of `items` in the order the normal form sorts them by `key`.
    static func sortedOrder(of items: [YAMLNode], by key: String) -> [Int] {
        items.indices.sorted { a, b in
            let left = items[a].mappingValue?[key]?.stringValue ?? ""
            let right = items[b].mappingValue?[key]?.stringValue ?? ""
            if left != right { return left.utf8.lexicographicallyPrecedes(right.utf8) }
            return a < b
        }
    }

    private func walk(
        _ compiled: YAMLNode, _ exported: YAMLNode, _ rendered: YAMLNode, _ path: [DocumentPathStep],
        _ edits: inout [RenderedEdit]
    ) throws(Unplaceable) {
        if compiled == exported { return }
        switch (compiled.value, exported.value, rendered.value) {
        case (.mapping(let old), .mapping(let new), .mapping(let written)):
            for entry in new.entries {
                guard let key = Self.keyText(entry.key) else {
                    throw Unplaceable(path: path, reason: "a key that is not a string")
                }
                if let before = old[key] {
                    if before == entry.value { continue }
                    if let current = written[key] {
                        try walk(before, entry.value, current, path + [.key(key)], &edits)
                    } else {
                        throw Unplaceable(
                            path: path + [.key(key)], reason: "a value hybrid derives (not in the template)")
                    }
                } else if written[key] != nil {
                    edits.append(.replace(path: path + [.key(key)], value: entry.value))
                } else {
                    edits.append(.insertEntry(path: path, key: key, value: entry.value))
                }
            }
            for entry in old.entries {
                guard let key = Self.keyText(entry.key), new[key] == nil else { continue }
                if written[key] != nil {
                    edits.append(.removeEntry(path: path, key: key))
                } else {
                    throw Unplaceable(path: path + [.key(key)], reason: "a value hybrid derives (not in the template)")
                }
            }
        case (.sequence(let old), .sequence(let new), .sequence(let written)) where old.count == written.count:
            if let permutation = order(path), permutation.count == old.count {
                try unordered(old, new, written, permutation, path, &edits)
            } else if old.count == new.count {
                for index in old.indices where old[index] != new[index] {
                    try walk(old[index], new[index], written[index], path + [.index(index)], &edits)
                }
            } else if old.isEmpty || new.isEmpty
                || old.count * new.count > Self.alignmentLimit * Self.alignmentLimit / 4
            {
                edits.append(.replace(path: path, value: exported))
            } else {
                try align(old, new, written, path, &edits)
            }
        default:
            edits.append(.replace(path: path, value: exported))
        }
    }

    /// Items kept in order (longest common subsequence) stay; between them, items changed in place
    /// are edited, the rest removed or inserted. Edits come last item first, so each one's index
    /// is still right when they are applied in order.
    private func align(
        _ old: [YAMLNode], _ new: [YAMLNode], _ written: [YAMLNode], _ path: [DocumentPathStep],
        _ edits: inout [RenderedEdit]
    ) throws(Unplaceable) {
        let n = old.count
        let m = new.count
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        // Runs between kept pairs: (old range, new range).
        var runs: [(Range<Int>, Range<Int>)] = []
        var i = 0
        var j = 0
        var runStart = (0, 0)
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                if runStart != (i, j) { runs.append((runStart.0..<i, runStart.1..<j)) }
                i += 1
                j += 1
                runStart = (i, j)
            } else if j < m, i == n || lengths[i][j + 1] >= lengths[i + 1][j] {
                j += 1
            } else {
                i += 1
            }
        }
        if runStart != (n, m) { runs.append((runStart.0..<n, runStart.1..<m)) }
        var inPlace: [RenderedEdit] = []
        var structuralByRun: [[RenderedEdit]] = []
        for (oldRange, newRange) in runs {
            let paired = min(oldRange.count, newRange.count)
            for offset in 0..<paired {
                let index = oldRange.lowerBound + offset
                try walk(
                    old[index], new[newRange.lowerBound + offset], written[index], path + [.index(index)], &inPlace)
            }
            var structural: [RenderedEdit] = []
            if oldRange.count > paired {
                for index in (oldRange.lowerBound + paired..<oldRange.upperBound).reversed() {
                    structural.append(.removeItem(path: path, index: index))
                }
            } else {
                for offset in (paired..<newRange.count).reversed() {
                    structural.append(
                        .insertItem(
                            path: path, index: oldRange.lowerBound + paired, value: new[newRange.lowerBound + offset]))
                }
            }
            structuralByRun.append(structural)
        }
        // Edits in place first (at indices of the old sequence), then removals and insertions from the end.
        edits += inPlace + structuralByRun.reversed().flatMap { $0 }
    }

    /// A list the normal form sorts: where an item sits in the template does not matter, so
    /// changed items are edited where they are, removed ones removed, new ones added at the end.
    private func unordered(
        _ old: [YAMLNode], _ new: [YAMLNode], _ written: [YAMLNode], _ permutation: [Int], _ path: [DocumentPathStep],
        _ edits: inout [RenderedEdit]
    ) throws(Unplaceable) {
        if old.count == new.count {
            for index in old.indices where old[index] != new[index] {
                let at = permutation[index]
                try walk(old[index], new[index], written[at], path + [.index(at)], &edits)
            }
            return
        }
        var kept = [Bool](repeating: false, count: old.count)
        var added: [YAMLNode] = []
        var remaining = Array(old.indices)
        for item in new {
            if let position = remaining.firstIndex(where: { old[$0] == item }) {
                kept[remaining.remove(at: position)] = true
            } else {
                added.append(item)
            }
        }
        for (offset, item) in added.enumerated() {
            edits.append(.insertItem(path: path, index: written.count + offset, value: item))
        }
        let removed = old.indices.filter { !kept[$0] }.map { permutation[$0] }.sorted(by: >)
        for index in removed { edits.append(.removeItem(path: path, index: index)) }
    }

    static func keyText(_ node: YAMLNode) -> String? {
        if let text = node.stringValue { return text }
        return YAMLEmitter.plainText(of: node.value)
    }
}
