import CYAML

/// Finds comments, which the canonical form cannot keep, so callers can refuse to drop them silently.
public enum YAMLCommentScanner {
    /// Marks of every `#` comment in a well-formed stream, in order; nil if libyaml cannot parse it.
    public static func comments(in bytes: [UInt8]) -> [YAMLMark]? {
        if let found = comments(inReadable: bytes) {
            let input = YAMLEditableInput(bytes)
            if input.byteOrderMarkColumns.isEmpty { return found }
            return found.map { mark in
                let position = input.originalPosition(line: Int(mark.line), column: Int(mark.column))
                return YAMLMark(line: position.line, column: position.column)
            }
        }
        // Where libyaml stops but PyYAML reads on, scan the text rewritten for libyaml.
        guard let input = YAMLParser.rewrittenForLibYAML(bytes), !input.edits.isEmpty,
            let found = comments(inReadable: input.bytes)
        else { return nil }
        return found.map { mark in
            let position = input.originalPosition(line: Int(mark.line), column: Int(mark.column))
            return YAMLMark(line: position.line, column: position.column)
        }
    }

    /// Comments of a text libyaml reads without error; nil otherwise.
    static func comments(inReadable bytes: [UInt8]) -> [YAMLMark]? {
        bytes.withUnsafeBufferPointer { buffer -> [YAMLMark]? in
            let events = LibYAMLEventStream(buffer, file: "")
            // Character ranges of scalars (and aliases): a `#` inside one is content, not a comment.
            var spans: [Range<Int>] = []
            var event = yaml_event_t()
            while true {
                do throws(YAMLError) {
                    try events.next(into: &event)
                } catch {
                    return nil
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_SCALAR_EVENT || event.type == YAML_ALIAS_EVENT {
                    spans.append(event.start_mark.index..<max(event.end_mark.index, event.start_mark.index))
                }
                if event.type == YAML_STREAM_END_EVENT { break }
            }
            return scan(decode(buffer), outside: spans)
        }
    }

    /// The text as code points, as libyaml counts them (a leading byte-order mark is not counted).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE {
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8
            }
            return String(decoding: units, as: UTF16.self).unicodeScalars.map(\.value)
        }
        if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            let units = stride(from: 2, to: bytes.count - 1, by: 2).map {
                UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            return String(decoding: units, as: UTF16.self).unicodeScalars.map(\.value)
        }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self).unicodeScalars.map(
            \.value)
    }

    /// Whether the `#` at `index`, outside every scalar, starts a comment: after whitespace or at
    /// the start of a line, and also right after a token such as `]`, `}` or a quoted scalar (the
    /// scanners look for a comment before each token), but not inside a tag (`!a#b`) or a
    /// directive's tag prefix, whose characters may include `#`.
    static func startsComment(_ text: [UInt32], at index: Int) -> Bool {
        var start = index
        while start > 0 {
            let previous = text[start - 1]
            if previous == 0x20 || previous == 0x09 || previous == 0xFEFF || isBreak(previous) { break }
            start -= 1
        }
        if start == index { return true }
        if text[start] == 0x21 { return false }  // `!tag#...`
        var lineStart = start
        while lineStart > 0 && !isBreak(text[lineStart - 1]) { lineStart -= 1 }
        return text[lineStart] != 0x25  // `%TAG !e! tag:x#y`
    }

    /// A `#` outside every span that ``startsComment(_:at:)`` starts a comment.
    static func scan(_ text: [UInt32], outside spans: [Range<Int>]) -> [YAMLMark] {
        var found: [YAMLMark] = []
        var spanIndex = 0
        var line = 1
        var column = 1
        var index = 0
        while index < text.count {
            let c = text[index]
            while spanIndex < spans.count, spans[spanIndex].upperBound <= index { spanIndex += 1 }
            let inSpan = spanIndex < spans.count && spans[spanIndex].contains(index)
            if c == 0x23 && !inSpan {
                if startsComment(text, at: index) {
                    found.append(YAMLMark(line: line, column: column))
                    // Skip to the end of the line: the rest is the comment.
                    while index + 1 < text.count, !isBreak(text[index + 1]) {
                        index += 1
                        column += 1
                    }
                }
            }
            if c == 0x0D && index + 1 < text.count && text[index + 1] == 0x0A {
                index += 2
                line += 1
                column = 1
                continue
            }
            if isBreak(c) {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        return found
    }

    static func isBreak(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x85 || c == 0x2028 || c == 0x2029
    }
}
