import HybridYAML

/// One change to a rendered text: the bytes `range` become `text`.
struct OutputChange: Sendable, Equatable {
    var range: Range<Int>
    var text: [UInt8]
    /// The document path it realizes (for reports).
    var path: [DocumentPathStep]
}

/// Turns edits of a rendered document into changes of its text that keep everything else: a scalar
/// keeps its quoting style, new entries and items take their siblings' indentation, a removed
/// entry or item takes its lines with it.
struct RenderedTextEditor {
    let output: [UInt8]
    let root: YAMLSpanNode

    typealias Unplaceable = RenderedEditPlanner.Unplaceable

    /// The changes for `edits`; `final` is the rendered document with every edit applied (whole
    /// collections are written from it when an edit cannot be placed line by line).
    func changes(for edits: [RenderedEdit], final: YAMLNode) throws(Unplaceable) -> [OutputChange] {
        var changes: [OutputChange] = []
        for edit in edits {
            changes.append(try change(for: edit, final: final))
        }
        return changes
    }

    /// `output` with `changes` made (insertions before removals at the same place); nil when two overlap.
    static func apply(_ changes: [OutputChange], to output: [UInt8]) -> [UInt8]? {
        let sorted = changes.enumerated().sorted { a, b in
            if a.element.range.lowerBound != b.element.range.lowerBound {
                return a.element.range.lowerBound < b.element.range.lowerBound
            }
            if a.element.range.isEmpty != b.element.range.isEmpty { return a.element.range.isEmpty }
            return a.offset < b.offset
        }.map(\.element)
        var result: [UInt8] = []
        result.reserveCapacity(output.count)
        var cursor = 0
        for change in sorted {
            guard change.range.lowerBound >= cursor else { return nil }
            result += output[cursor..<change.range.lowerBound]
            result += change.text
            cursor = change.range.upperBound
        }
        result += output[cursor...]
        return result
    }

    // MARK: one edit

    private func change(for edit: RenderedEdit, final: YAMLNode) throws(Unplaceable) -> OutputChange {
        switch edit {
        case .replace(let path, let value):
            return try replace(path, value)
        case .insertEntry(let path, let key, let value):
            let (mapping, _) = try locate(path)
            if case .mapping(_, let end, true, let entries) = mapping, !entries.isEmpty, !value.isCollection,
                end > 0, output[end - 1] == UInt8(ascii: "}")
            {
                // `{a: 1}` → `{a: 1, key: value}`.
                let text = ", " + flowScalar(.string(key)) + ": " + flowScalar(value.value)
                return OutputChange(range: end - 1..<end - 1, text: Array(text.utf8), path: path + [.key(key)])
            }
            guard case .mapping(_, _, false, let entries) = mapping, let first = entries.first, let last = entries.last
            else { return try rewrite(path, final) }
            let indent = column(of: first.key.start)
            let text = YAMLEmitter.entryText(key: YAMLNode(.string(key)), value: value, indent: indent)
            return insertion(afterLineOf: last.value.end, text, path + [.key(key)])
        case .removeEntry(let path, let key):
            let (mapping, _) = try locate(path)
            guard case .mapping(_, _, false, let entries) = mapping, entries.count > 1,
                let entry = mapping.entry(forKey: key)
            else { return try rewrite(path, final) }
            return try removal(from: entry.key.start, to: entry.value.end, path + [.key(key)])
        case .insertItem(let path, let index, let value):
            let (sequence, _) = try locate(path)
            if case .sequence(_, let end, true, let items) = sequence, !items.isEmpty, index >= items.count,
                !value.isCollection, end > 0, output[end - 1] == UInt8(ascii: "]")
            {
                // `[a]` → `[a, value]`.
                let text = ", " + flowScalar(value.value)
                return OutputChange(range: end - 1..<end - 1, text: Array(text.utf8), path: path + [.index(index)])
            }
            guard case .sequence(_, _, false, let items) = sequence, !items.isEmpty else {
                return try rewrite(path, final)
            }
            let dash = dashOffset(before: items[0].start)
            let indent = column(of: dash)
            let text = YAMLEmitter.itemText(value, indent: indent)
            if index < items.count {
                let start = lineStart(dashOffset(before: items[index].start))
                return OutputChange(range: start..<start, text: Array(text.utf8), path: path + [.index(index)])
            }
            return insertion(afterLineOf: items[items.count - 1].end, text, path + [.index(index)])
        case .removeItem(let path, let index):
            let (sequence, _) = try locate(path)
            guard case .sequence(_, _, false, let items) = sequence, items.count > 1, items.indices.contains(index)
            else { return try rewrite(path, final) }
            return try removal(
                from: dashOffset(before: items[index].start), to: items[index].end, path + [.index(index)])
        }
    }

    /// The node at `path` becomes `value`: a scalar in its own style, a collection as a block.
    private func replace(_ path: [DocumentPathStep], _ value: YAMLNode) throws(Unplaceable) -> OutputChange {
        let (node, parent) = try locate(path)
        if case .scalar(let start, var end, let style, _) = node, !value.isCollection {
            var preferred = style
            let inFlow = parent?.isFlow ?? false
            if style == .literal || style == .folded {
                while end > start, output[end - 1] == UInt8(ascii: "\n") { end -= 1 }
            }
            var text = YAMLEmitter.scalarText(
                value.value, preferring: preferred, blockIndent: blockIndent(of: node, parent: parent))
            if inFlow, preferred == .plain, text.contains(where: { ",[]{}#".contains($0) }) || text.contains(": ") {
                preferred = .doubleQuoted
                text = YAMLEmitter.scalarText(value.value, preferring: preferred, blockIndent: 0)
            }
            if text.contains("\n"), !(style == .literal || style == .folded) {
                // A multi-line value where a one-line scalar was: written as a block after the key.
                return try rewrite(path, value)
            }
            return OutputChange(range: start..<end, text: Array(text.utf8), path: path)
        }
        return try rewrite(path, value)
    }

    /// The whole node at `path` written anew from `value` (or from `final` at that path).
    private func rewrite(_ path: [DocumentPathStep], _ document: YAMLNode) throws(Unplaceable) -> OutputChange {
        let value = document.node(at: path) ?? document
        let (node, parent) = try locate(path)
        guard let parent, !parent.isFlow, let last = path.last else {
            throw Unplaceable(path: path, reason: "it is written in flow style or at the top of the document")
        }
        switch (last, parent) {
        case (.key(let key), .mapping):
            guard let entry = parent.entry(forKey: key), entry.key.end < output.count,
                output[entry.key.end] == UInt8(ascii: ":")
            else { throw Unplaceable(path: path, reason: "its key is not written as `key:`") }
            var text = ":" + YAMLEmitter.blockValueText(value, indent: column(of: entry.key.start))
            if text.hasSuffix("\n") { text.removeLast() }
            return OutputChange(range: entry.key.end..<trimmedEnd(node), text: Array(text.utf8), path: path)
        case (.index, .sequence):
            let dash = dashOffset(before: node.start)
            var text = YAMLEmitter.itemText(value, indent: column(of: dash))
            text = String(text.drop { $0 == " " }.dropFirst(2))
            if text.hasSuffix("\n") { text.removeLast() }
            return OutputChange(range: node.start..<trimmedEnd(node), text: Array(text.utf8), path: path)
        default:
            throw Unplaceable(path: path, reason: "the document's shape differs here")
        }
    }

    /// A scalar as written inside a flow collection (quoted where a plain one would not read back).
    private func flowScalar(_ value: YAMLValue) -> String {
        let plain = YAMLEmitter.scalarText(value, preferring: .plain, blockIndent: 0)
        if case .string = value, plain.contains(where: { ",[]{}#\"'".contains($0) }) || plain.contains(": ") {
            return YAMLEmitter.scalarText(value, preferring: .doubleQuoted, blockIndent: 0)
        }
        return plain
    }

    // MARK: text positions

    /// The span at `path` and the collection holding it.
    private func locate(_ path: [DocumentPathStep]) throws(Unplaceable) -> (YAMLSpanNode, YAMLSpanNode?) {
        var node = root
        var parent: YAMLSpanNode?
        for step in path {
            let next: YAMLSpanNode?
            switch step {
            case .key(let key): next = node.entry(forKey: key)?.value
            case .index(let index): next = node.items.flatMap { $0.indices.contains(index) ? $0[index] : nil }
            }
            guard let next else { throw Unplaceable(path: path, reason: "the rendered text has no node there") }
            if case .alias = next { throw Unplaceable(path: path, reason: "it comes from a YAML alias") }
            parent = node
            node = next
        }
        return (node, parent)
    }

    private func insertion(afterLineOf offset: Int, _ text: String, _ path: [DocumentPathStep]) -> OutputChange {
        var position = offset
        while position < output.count, output[position] != UInt8(ascii: "\n") { position += 1 }
        if position < output.count {
            return OutputChange(range: position + 1..<position + 1, text: Array(text.utf8), path: path)
        }
        return OutputChange(range: position..<position, text: Array(("\n" + text.dropLast()).utf8), path: path)
    }

    /// The lines from the one holding `start` through the one holding `end`, when nothing else is on them.
    private func removal(from start: Int, to end: Int, _ path: [DocumentPathStep]) throws(Unplaceable) -> OutputChange {
        let first = lineStart(start)
        guard output[first..<start].allSatisfy({ $0 == UInt8(ascii: " ") }) else {
            throw Unplaceable(path: path, reason: "other text shares its line")
        }
        var position = end
        while position < output.count, output[position] == UInt8(ascii: " ") { position += 1 }
        guard
            position == output.count || output[position] == UInt8(ascii: "\n") || output[position] == UInt8(ascii: "#")
        else { throw Unplaceable(path: path, reason: "other text shares its line") }
        while position < output.count, output[position] != UInt8(ascii: "\n") { position += 1 }
        if position < output.count { position += 1 }
        return OutputChange(range: first..<position, text: [], path: path)
    }

    private func lineStart(_ offset: Int) -> Int {
        var position = min(offset, output.count)
        while position > 0, output[position - 1] != UInt8(ascii: "\n") { position -= 1 }
        return position
    }

    /// Column (0-based, in bytes: YAML indentation is spaces) of `offset` in its line.
    private func column(of offset: Int) -> Int { offset - lineStart(offset) }

    /// The `-` of a block sequence item whose node starts at `start`.
    private func dashOffset(before start: Int) -> Int {
        var position = start
        while position > 0, output[position - 1] == UInt8(ascii: " ") { position -= 1 }
        if position > 0, output[position - 1] == UInt8(ascii: "-") { return position - 1 }
        return start
    }

    /// A node's end without the line breaks a block scalar takes with it.
    private func trimmedEnd(_ node: YAMLSpanNode) -> Int {
        var end = node.end
        if case .scalar(_, _, let style, _) = node, style == .literal || style == .folded {
            while end > node.start, output[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        }
        return end
    }

    /// Indentation of a block scalar's lines: as the old block's first content line, else two
    /// more than its key.
    private func blockIndent(of node: YAMLSpanNode, parent: YAMLSpanNode?) -> Int {
        if case .scalar(let start, let end, let style, _) = node, style == .literal || style == .folded {
            var position = start
            while position < end, output[position] != UInt8(ascii: "\n") { position += 1 }
            position += 1
            var spaces = 0
            while position + spaces < end, output[position + spaces] == UInt8(ascii: " ") { spaces += 1 }
            if position + spaces < end { return spaces }
        }
        return column(of: lineStart(node.start) + indentation(at: lineStart(node.start))) + 2
    }

    private func indentation(at lineStart: Int) -> Int {
        var count = 0
        while lineStart + count < output.count, output[lineStart + count] == UInt8(ascii: " ") { count += 1 }
        return count
    }
}
