import CYAML

/// How a scalar was written in its source.
public enum YAMLScalarSourceStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// Where one node of a document sits in its source text, as byte offsets: a scalar's span covers
/// its quotes or block header and content; a block collection's runs from its first byte to the
/// end of its last child; a flow collection's from its bracket to its closing bracket. For editing a
/// text in place (translate), not for reading data: values come from ``YAMLParser``.
public indirect enum YAMLSpanNode: Sendable {
    case scalar(start: Int, end: Int, style: YAMLScalarSourceStyle, text: String)
    case mapping(start: Int, end: Int, flow: Bool, entries: [YAMLSpanEntry])
    case sequence(start: Int, end: Int, flow: Bool, items: [YAMLSpanNode])
    case alias(start: Int, end: Int)

    public var start: Int {
        switch self {
        case .scalar(let start, _, _, _), .mapping(let start, _, _, _), .sequence(let start, _, _, _),
            .alias(let start, _):
            start
        }
    }

    public var end: Int {
        switch self {
        case .scalar(_, let end, _, _), .mapping(_, let end, _, _), .sequence(_, let end, _, _), .alias(_, let end):
            end
        }
    }

    /// Whether this collection is written in flow style (`{…}`, `[…]`).
    public var isFlow: Bool {
        switch self {
        case .mapping(_, _, let flow, _), .sequence(_, _, let flow, _): flow
        default: false
        }
    }

    /// The entry of a mapping whose key's source text (after unquoting) is `key`.
    public func entry(forKey key: String) -> YAMLSpanEntry? {
        guard case .mapping(_, _, _, let entries) = self else { return nil }
        return entries.first { entry in
            if case .scalar(_, _, _, let text) = entry.key { return text == key }
            return false
        }
    }

    /// The items of a sequence.
    public var items: [YAMLSpanNode]? {
        if case .sequence(_, _, _, let items) = self { return items }
        return nil
    }
}

/// One `key: value` pair of a mapping's source.
public struct YAMLSpanEntry: Sendable {
    public var key: YAMLSpanNode
    public var value: YAMLSpanNode
}

/// Reads the source spans of a single-document YAML text with libyaml's event API.
public enum YAMLSourceSpans {
    /// The document's root span; nil for a text without a document or one libyaml cannot read
    /// (``YAMLParser`` reports those errors).
    public static func parse(_ bytes: [UInt8]) -> YAMLSpanNode? {
        bytes.withUnsafeBufferPointer { buffer in
            let events = LibYAMLEventStream(buffer, file: "")
            let offsets = CharacterOffsets(buffer)
            var builder = SpanBuilder(offsets: offsets)
            var event = yaml_event_t()
            while true {
                do {
                    try events.next(into: &event)
                } catch {
                    return nil
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT, YAML_DOCUMENT_END_EVENT:
                    return builder.root
                default:
                    builder.handle(event)
                }
            }
        }
    }
}

/// libyaml marks count characters; this maps a character index to a byte offset.
private struct CharacterOffsets {
    /// Byte offset of each character start; empty when the text is ASCII (index == offset).
    let starts: [Int]
    let count: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        count = buffer.count
        guard buffer.contains(where: { $0 >= 0x80 }) else {
            starts = []
            return
        }
        var starts: [Int] = []
        starts.reserveCapacity(buffer.count)
        for (offset, byte) in buffer.enumerated() where byte & 0xC0 != 0x80 { starts.append(offset) }
        self.starts = starts
    }

    func byteOffset(_ mark: yaml_mark_t) -> Int {
        let index = Int(mark.index)
        if starts.isEmpty { return min(index, count) }
        return index < starts.count ? starts[index] : count
    }
}

private struct SpanBuilder {
    let offsets: CharacterOffsets
    var stack: [(isMapping: Bool, start: Int, flow: Bool, children: [YAMLSpanNode])] = []
    var root: YAMLSpanNode?

    init(offsets: CharacterOffsets) {
        self.offsets = offsets
    }

    mutating func handle(_ event: yaml_event_t) {
        let start = offsets.byteOffset(event.start_mark)
        let end = offsets.byteOffset(event.end_mark)
        switch event.type {
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            let style: YAMLScalarSourceStyle
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            attach(.scalar(start: start, end: end, style: style, text: text))
        case YAML_ALIAS_EVENT:
            attach(.alias(start: start, end: end))
        case YAML_SEQUENCE_START_EVENT:
            stack.append((false, start, event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE, []))
        case YAML_MAPPING_START_EVENT:
            stack.append((true, start, event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE, []))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let last = frame.children.last?.end ?? frame.start
            let close = frame.flow ? end : max(last, frame.start)
            if frame.isMapping {
                var entries: [YAMLSpanEntry] = []
                var index = 0
                while index + 1 < frame.children.count {
                    entries.append(YAMLSpanEntry(key: frame.children[index], value: frame.children[index + 1]))
                    index += 2
                }
                attach(.mapping(start: frame.start, end: close, flow: frame.flow, entries: entries))
            } else {
                attach(.sequence(start: frame.start, end: close, flow: frame.flow, items: frame.children))
            }
        default:
            break
        }
    }

    private mutating func attach(_ node: YAMLSpanNode) {
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }
}
