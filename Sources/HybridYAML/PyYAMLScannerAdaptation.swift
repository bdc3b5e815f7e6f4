import CYAML
import HybridDiagnostics

/// Where libyaml's scanner and parser read a document differently from PyYAML's pure-Python ones
/// (which Superset uses), the text libyaml needs to read it as PyYAML does — or PyYAML's error.
///
/// libyaml stops at these places with an error; the parser writes the rewrite into a copy of the
/// input (``YAMLInputEdits`` maps every position back) and reads it again:
/// - `[a, b:, c]`, `{k:}`, `[a:[1]]`: in a flow collection PyYAML ends a plain scalar at `:`
///   followed by `,[]{}` and reads the `:` as a value indicator; libyaml refuses it. A space after
///   the `:` makes libyaml read it the same way.
/// - `[?]`, `[?, a]`, `[?: b]`: an explicit key with no key node in a flow sequence trips a libyaml
///   bug (it skips the token after `?`); a `~` (null, as PyYAML's empty key) before that token.
/// - `%YAML 1.3` (any `1.x`): PyYAML accepts every minor version, libyaml only 1.1 and 1.2; the
///   version becomes `1.1`. `%FOO ...`: PyYAML ignores unknown directives, libyaml refuses them; the
///   line becomes a `%TAG` directive with a handle no document uses (it still needs `---`, as in PyYAML).
/// - A block scalar whose first line of content starts, after its indentation, with a tab:
///   PyYAML takes the tab as content, libyaml refuses it while it detects the indentation; an
///   explicit indentation indicator (the indentation PyYAML detects) after `|` or `>`.
enum PyYAMLScannerAdaptation {
    /// One change to the text, at libyaml's character index (all positions in the current text).
    struct Change {
        var index: Int
        /// 1-based.
        var line: Int
        /// 1-based.
        var column: Int
        var oldCount = 0
        var text: String
    }

    /// Most rewrites of one document: each one means reading it again from the start, so many of
    /// them would cost quadratic time; beyond this the place libyaml stopped at is an error.
    static let maxRewrites = 64

    /// The rewrite that makes libyaml go past the error it just reported, if PyYAML reads the
    /// text there without error.
    static func rewrite(after parser: yaml_parser_t, in input: YAMLEditableInput) -> [Change]? {
        let problem = parser.problem.map { String(cString: $0) } ?? ""
        let context = parser.context.map { String(cString: $0) } ?? ""
        switch (parser.error, problem) {
        case (YAML_SCANNER_ERROR, "found unexpected ':'"):
            let colon = parser.problem_mark
            guard let next = input.character(at: colon.index + 1), ",[]{}".unicodeScalars.contains(next) else {
                return nil
            }
            return [Change(index: colon.index + 1, line: colon.line + 1, column: colon.column + 2, text: " ")]
        case (YAML_SCANNER_ERROR, "found unknown directive name"):
            return ignoredDirective(start: parser.context_mark, nameEnd: parser.problem_mark, in: input)
        case (YAML_PARSER_ERROR, "found incompatible YAML document"):
            return yamlDirective(start: parser.problem_mark, in: input)
        case (YAML_SCANNER_ERROR, _) where context == "while scanning a %YAML directive":
            return yamlDirective(start: parser.context_mark, in: input)
        case (YAML_SCANNER_ERROR, "found a tab character where an indentation space is expected"):
            return blockScalarIndentation(
                header: parser.context_mark, tab: parser.problem_mark, parentIndent: Int(parser.indent), in: input)
        default:
            return nil
        }
    }

    /// Whether libyaml stopped at a `:` that PyYAML reads as the end of a plain scalar in a flow
    /// collection, followed by the `?` PyYAML then fails on; the `?`'s position if so.
    static func questionMarkAfterColon(_ parser: yaml_parser_t, in input: YAMLEditableInput) -> yaml_mark_t? {
        guard parser.error == YAML_SCANNER_ERROR,
            parser.problem.map({ String(cString: $0) }) == "found unexpected ':'",
            input.character(at: parser.problem_mark.index + 1) == "?"
        else { return nil }
        var mark = parser.problem_mark
        mark.index += 1
        mark.column += 1
        return mark
    }

    /// `[?]` and friends: the empty key libyaml produced after skipping the token that followed `?`
    /// (a one-character `,`, `]` or `:` just before `keyMark`). Writes `~` before that token, and
    /// a space after a `:` that a `~` would otherwise run into.
    static func emptyKeyInFlowSequence(keyMark: yaml_mark_t, in input: YAMLEditableInput) -> [Change]? {
        guard keyMark.index > 0, keyMark.column > 0, let skipped = input.character(at: keyMark.index - 1),
            ",]:".unicodeScalars.contains(skipped)
        else { return nil }
        var changes = [
            Change(index: keyMark.index - 1, line: keyMark.line + 1, column: keyMark.column, text: "~")
        ]
        if skipped == ":" && !isBlankOrBreak(input.character(at: keyMark.index)) {
            changes.append(Change(index: keyMark.index, line: keyMark.line + 1, column: keyMark.column + 1, text: " "))
        }
        return changes
    }

    // MARK: directives

    /// `%NAME rest of line`: PyYAML skips it (the name must end at a space or a line break).
    static func ignoredDirective(start: yaml_mark_t, nameEnd: yaml_mark_t, in input: YAMLEditableInput) -> [Change]? {
        guard start.column == 0, input.character(at: start.index) == "%" else { return nil }
        let after = input.character(at: nameEnd.index)
        guard after == nil || after == " " || isBreak(after) else { return nil }
        let length = input.lineLength(from: start.index)
        let handle = "!hybrid-ignored-directive-\(input.edits.edits.count)!"
        return [
            Change(
                index: start.index, line: start.line + 1, column: 1, oldCount: length,
                text: "%TAG \(handle) tag:hybrid,ignored-directive")
        ]
    }

    /// `%YAML 1.N`: PyYAML's scanner wants spaces, digits, `.`, digits, then a space or a line
    /// break; its parser wants major version 1 and takes any minor one.
    static func yamlDirective(start: yaml_mark_t, in input: YAMLEditableInput) -> [Change]? {
        guard start.column == 0 else { return nil }
        let line = input.line(from: start.index)
        guard line.starts(with: "%YAML ".unicodeScalars) else { return nil }
        var position = 5
        while position < line.count && line[position] == " " { position += 1 }
        let versionStart = position
        let majorStart = position
        while position < line.count && line[position].properties.numericType == .decimal && line[position].isASCII {
            position += 1
        }
        let major = String(String.UnicodeScalarView(line[majorStart..<position]))
        guard !major.isEmpty, position < line.count, line[position] == "." else { return nil }
        position += 1
        let minorStart = position
        while position < line.count && line[position].properties.numericType == .decimal && line[position].isASCII {
            position += 1
        }
        guard position > minorStart, position == line.count || line[position] == " " else { return nil }
        guard major.drop(while: { $0 == "0" }) == "1" else { return nil }
        return [
            Change(
                index: start.index + versionStart, line: start.line + 1, column: versionStart + 1,
                oldCount: position - versionStart, text: "1.1")
        ]
    }

    // MARK: block scalars

    /// The indentation indicator PyYAML's auto-detection amounts to, when the tab libyaml refused
    /// is content for PyYAML: the tab's line is indented exactly as PyYAML detects (the most
    /// spaces on it and the blank lines before it, at least one more than the parent's).
    static func blockScalarIndentation(
        header: yaml_mark_t, tab: yaml_mark_t, parentIndent: Int, in input: YAMLEditableInput
    ) -> [Change]? {
        let headerLine = input.line(from: header.index)
        guard let indicator = headerLine.first, indicator == "|" || indicator == ">" else { return nil }
        if headerLine.dropFirst().prefix(while: { !isBlankOrBreak($0) }).contains(where: {
            $0.isASCII && $0.properties.numericType == .decimal
        }) {
            return nil
        }
        let spaces = tab.column
        var detected = spaces
        for blank in input.lines(after: header.index, count: tab.line - header.line - 1) {
            detected = max(detected, blank.prefix(while: { $0 == " " }).count)
        }
        let minimum = max(parentIndent + 1, 1)
        let increment = spaces - max(parentIndent, 0)
        guard detected == spaces, spaces >= minimum, (1...9).contains(increment) else { return nil }
        return [Change(index: header.index + 1, line: header.line + 1, column: header.column + 2, text: "\(increment)")]
    }

    // MARK: characters

    static func isBreak(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return false }
        return c == "\n" || c == "\r" || c == "\u{85}" || c == "\u{2028}" || c == "\u{2029}"
    }

    static func isBlankOrBreak(_ c: Unicode.Scalar?) -> Bool {
        guard let c else { return true }
        return c == " " || c == "\t" || isBreak(c)
    }
}

extension YAMLEditableInput {
    /// The characters from libyaml's character `index` to the end of its line (no line break).
    func line(from index: Int) -> [Unicode.Scalar] {
        guard let start = byteOffset(ofCharacter: index) else { return [] }
        var result: [Unicode.Scalar] = []
        for scalar in String(decoding: bytes[start...], as: UTF8.self).unicodeScalars {
            if PyYAMLScannerAdaptation.isBreak(scalar) { break }
            result.append(scalar)
        }
        return result
    }

    /// How many characters from `index` to the end of its line.
    func lineLength(from index: Int) -> Int { line(from: index).count }

    /// The `count` lines after the one holding libyaml's character `index`, without their breaks.
    func lines(after index: Int, count: Int) -> [[Unicode.Scalar]] {
        guard count > 0, let start = byteOffset(ofCharacter: index) else { return [] }
        var lines: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar]? = nil
        var previousWasCR = false
        for scalar in String(decoding: bytes[start...], as: UTF8.self).unicodeScalars {
            if PyYAMLScannerAdaptation.isBreak(scalar) {
                if scalar == "\n" && previousWasCR {
                    previousWasCR = false
                    continue
                }
                previousWasCR = scalar == "\r"
                if let current { lines.append(current) }
                if lines.count == count { return lines }
                current = []
                continue
            }
            previousWasCR = false
            current?.append(scalar)
        }
        if let current, lines.count < count { lines.append(current) }
        return lines
    }
}

extension TreeBuilder {
    /// libyaml's error, or PyYAML's where PyYAML fails differently; where PyYAML reads on, the
    /// rewrite that lets libyaml read on too is left in `events.rewrite`.
    func adapt(_ error: YAMLError) -> YAMLError {
        let parser = events.parser.pointee
        guard parser.error == YAML_SCANNER_ERROR || parser.error == YAML_PARSER_ERROR else { return error }
        let source = events.editableSource()
        if let question = PyYAMLScannerAdaptation.questionMarkAfterColon(parser, in: source) {
            return flowQuestionMarkError(at: events.location(question))
        }
        events.rewrite = PyYAMLScannerAdaptation.rewrite(after: parser, in: source)
        return error
    }

    /// A plain scalar in a flow collection: PyYAML ends it at `?` (and then fails on the `?`);
    /// an empty key right after `?` in a flow sequence is libyaml's bug, rewritten.
    func checkFlowScalar(_ event: yaml_event_t, in top: Frame) throws(YAMLError) {
        let data = event.data.scalar
        guard data.style == YAML_PLAIN_SCALAR_STYLE else { return }
        if data.length == 0 {
            guard top.isPairInFlowSequence, top.keys.isEmpty, top.pendingKey == nil, data.tag == nil,
                data.anchor == nil,
                let changes = PyYAMLScannerAdaptation.emptyKeyInFlowSequence(
                    keyMark: event.start_mark, in: events.editableSource())
            else { return }
            events.rewrite = changes
            throw YAMLError(
                .syntax, at: events.location(event.start_mark), "libyaml skipped the token after an empty '?' key")
        }
        let bytes = UnsafeBufferPointer(start: data.value, count: data.length)
        guard bytes.contains(0x3F) else { return }
        throw flowQuestionMarkError(at: questionMarkLocation(after: event.start_mark))
    }

    /// PyYAML's parser error for a `?` after a plain scalar in the innermost flow collection.
    func flowQuestionMarkError(at location: SourceLocation) -> YAMLError {
        let inMapping = stack.last.map { $0.isFlow && $0.isMapping && !$0.isPairInFlowSequence } ?? false
        return YAMLError(
            .syntax, at: location,
            "expected ',' or '\(inMapping ? "}" : "]")', but got '?': in a flow collection PyYAML ends a plain scalar at '?' (quote the scalar)"
        )
    }

    /// Where the first `?` at or after `mark` is, counting lines and columns as libyaml does.
    func questionMarkLocation(after mark: yaml_mark_t) -> SourceLocation {
        let source = events.editableSource()
        var line = Int(mark.line)
        var column = Int(mark.column)
        guard let start = source.byteOffset(ofCharacter: Int(mark.index)) else { return events.location(mark) }
        var previousWasCR = false
        for scalar in String(decoding: source.bytes[start...], as: UTF8.self).unicodeScalars {
            if scalar == "?" { break }
            if PyYAMLScannerAdaptation.isBreak(scalar) {
                if !(scalar == "\n" && previousWasCR) {
                    line += 1
                    column = 0
                }
                previousWasCR = scalar == "\r"
                continue
            }
            previousWasCR = false
            column += 1
        }
        let position = events.originalPosition(line: line + 1, column: column + 1)
        return SourceLocation(file: events.file, line: position.line, column: position.column)
    }
}

extension TreeBuilder {
    /// A block scalar's header as PyYAML's scanner wants it: after `|` or `>` and its indicators,
    /// a space, a line break or the end; then only spaces before a comment or the line break
    /// (libyaml also takes a tab, or `#` right after the indicators).
    func checkBlockScalarHeader(_ event: yaml_event_t) throws(YAMLError) {
        guard let start = events.byteOffset(ofCharacter: Int(event.start_mark.index)) else { return }
        let input = events.input
        var offset = start
        var line = Int(event.start_mark.line)
        var column = Int(event.start_mark.column)
        func isBreak(_ at: Int) -> Bool {
            guard at < input.count else { return false }
            let c = input[at]
            return c == 0x0A || c == 0x0D || (c == 0xC2 && at + 1 < input.count && input[at + 1] == 0x85)
                || (c == 0xE2 && at + 2 < input.count && input[at + 1] == 0x80
                    && (input[at + 2] == 0xA8 || input[at + 2] == 0xA9))
        }
        /// Steps over one character, counting lines and columns as libyaml does.
        func advance() {
            let c = input[offset]
            let width = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
            if c == 0x0D && offset + 1 < input.count && input[offset + 1] == 0x0A {
                // The line ends at the \n.
            } else if isBreak(offset) {
                line += 1
                column = 0
            } else {
                column += 1
            }
            offset = min(offset + width, input.count)
        }
        // Skip the node's properties (`&anchor`, `!tag`), which may stand on earlier lines.
        while offset < input.count, input[offset] != UInt8(ascii: "|"), input[offset] != UInt8(ascii: ">") {
            let c = input[offset]
            if c == UInt8(ascii: "#") {
                while offset < input.count, !isBreak(offset) { advance() }
            } else if c == UInt8(ascii: "&") || c == UInt8(ascii: "!") {
                while offset < input.count, input[offset] != 0x20, input[offset] != 0x09, !isBreak(offset) { advance() }
            } else if c == 0x20 || c == 0x09 || isBreak(offset) {
                advance()
            } else {
                return
            }
        }
        guard offset < input.count else { return }
        advance()
        func byte(_ at: Int) -> UInt8? { at < input.count ? input[at] : nil }
        func isDigit(_ c: UInt8?) -> Bool { c.map { (0x31...0x39).contains($0) } ?? false }
        func isChomping(_ c: UInt8?) -> Bool { c == UInt8(ascii: "+") || c == UInt8(ascii: "-") }
        if isChomping(byte(offset)) {
            advance()
            if isDigit(byte(offset)) { advance() }
        } else if isDigit(byte(offset)) {
            advance()
            if isChomping(byte(offset)) { advance() }
        }
        func isBreakOrEnd(_ at: Int) -> Bool { at >= input.count || isBreak(at) }
        func problem(_ text: String) -> YAMLError {
            let position = events.originalPosition(line: line + 1, column: column + 1)
            return YAMLError(
                .syntax, at: SourceLocation(file: events.file, line: position.line, column: position.column),
                "\(text) (while scanning a block scalar)")
        }
        func describe(_ at: Int) -> String {
            let c = input[at]
            return c == 0x09 ? "'\\t'" : c < 0x80 ? "'\(Character(Unicode.Scalar(c)))'" : "a non-ASCII character"
        }
        guard isBreakOrEnd(offset) || input[offset] == 0x20 else {
            throw problem("expected chomping or indentation indicators, but found \(describe(offset))")
        }
        while byte(offset) == 0x20 { advance() }
        if byte(offset) == UInt8(ascii: "#") { return }
        guard isBreakOrEnd(offset) else {
            throw problem("expected a comment or a line break, but found \(describe(offset))")
        }
    }
}
