import CYAML
import HybridDiagnostics

/// Where libyaml is more lenient than PyYAML's pure-Python scanner (which Superset uses), reject
/// the input as PyYAML would: tabs outside quoted scalars, block scalars and comments, and a
/// byte-order mark at the start of a line (libyaml skips it, PyYAML keeps it as text).
enum PyYAMLWhitespaceCheck {
    /// Whether the text needs the check at all (it holds a tab or a byte-order mark after the start).
    static func isNeeded(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let c = bytes[index]
            if c == 0x09 { return true }
            if c == 0xEF && index > 0 && index + 2 < count && bytes[index + 1] == 0xBB && bytes[index + 2] == 0xBF {
                return true
            }
            index += 1
        }
        return false
    }

    /// The first tab or line-start byte-order mark PyYAML would reject, at its original position
    /// (`input`: what `bytes` were read from). Text after a libyaml syntax error is not examined
    /// (the parse reports that error).
    static func firstProblem(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, input: YAMLEditableInput? = nil
    ) -> YAMLError? {
        func location(_ line: Int, _ column: Int) -> SourceLocation {
            let position = input?.originalPosition(line: line, column: column) ?? (line: line, column: column)
            return SourceLocation(file: file, line: position.line, column: position.column)
        }
        let text = YAMLCommentScanner.decode(bytes)
        let events = LibYAMLEventStream(bytes, file: file)
        var exempt: [Range<Int>] = []
        // Plain scalars: a tab in one is an error, a `#` in one is text.
        var plain: [Range<Int>] = []
        var scannedUpTo = Int.max
        var event = yaml_event_t()
        while true {
            do throws(YAMLError) {
                try events.next(into: &event)
            } catch {
                scannedUpTo = events.parser.pointee.problem_mark.index
                break
            }
            defer { yaml_event_delete(&event) }
            if event.type == YAML_SCALAR_EVENT {
                // A scalar's event starts at its properties (`&anchor`, `!tag`): what stands between
                // them and the value is checked like any text (PyYAML allows no tab there).
                var start = event.start_mark.index
                if event.data.scalar.anchor != nil || event.data.scalar.tag != nil {
                    start = valueStart(after: start, in: text)
                }
                let span = start..<max(event.end_mark.index, start)
                if event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE {
                    plain.append(span)
                } else {
                    exempt.append(span)
                }
            }
            if event.type == YAML_STREAM_END_EVENT { break }
        }
        var spanIndex = 0
        var plainIndex = 0
        var line = 1
        var column = 1
        var index = 0
        var inComment = false
        let end = min(text.count, scannedUpTo)
        while index < end {
            let c = text[index]
            while spanIndex < exempt.count, exempt[spanIndex].upperBound <= index { spanIndex += 1 }
            let inScalar = spanIndex < exempt.count && exempt[spanIndex].contains(index)
            if !inScalar && !inComment {
                while plainIndex < plain.count, plain[plainIndex].upperBound <= index { plainIndex += 1 }
                let inPlain = plainIndex < plain.count && plain[plainIndex].contains(index)
                if c == 0x23 && !inPlain && YAMLCommentScanner.startsComment(text, at: index) {
                    inComment = true
                } else if c == 0x09 {
                    return YAMLError(
                        .syntax, at: location(line, column),
                        "found a tab character where PyYAML does not allow one (tabs may appear only inside quoted or block scalars and comments)"
                    )
                } else if c == 0xFEFF && column == 1 {
                    return YAMLError(
                        .syntax, at: location(line, column),
                        "found a byte-order mark at the start of a line (PyYAML reads it as text, libyaml skips it); remove it"
                    )
                }
            }
            if c == 0x0D && index + 1 < text.count && text[index + 1] == 0x0A {
                index += 1
            }
            if YAMLCommentScanner.isBreak(c) {
                line += 1
                column = 1
                inComment = false
            } else {
                column += 1
            }
            index += 1
        }
        return nil
    }

    /// Where a node's value starts after its properties at `index`: past `&anchor` and `!tag`
    /// tokens, blanks, line breaks and comments (a tab passed over stays outside the value, where
    /// the check refuses it as PyYAML does).
    static func valueStart(after index: Int, in text: [UInt32]) -> Int {
        var at = index
        while at < text.count {
            let c = text[at]
            if c == 0x26 || c == 0x21 {  // & or !: up to the next blank or break
                while at < text.count, text[at] != 0x20, text[at] != 0x09, !YAMLCommentScanner.isBreak(text[at]) {
                    at += 1
                }
            } else if c == 0x20 || c == 0x09 || YAMLCommentScanner.isBreak(c) {
                at += 1
            } else if c == 0x23, at > 0, text[at - 1] == 0x20 || YAMLCommentScanner.isBreak(text[at - 1]) {
                while at < text.count, !YAMLCommentScanner.isBreak(text[at]) { at += 1 }
            } else {
                return at
            }
        }
        return at
    }
}
