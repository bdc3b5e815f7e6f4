#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text hybrid wrote into a document so that libyaml reads it as PyYAML's pure-Python scanner
/// does, and how a position in the edited text maps back to the original.
///
/// Every edit stays on one line (neither the old nor the new text holds a line break), so lines
/// never move; only columns after an edit on its line do.
struct YAMLInputEdits: Sendable {
    /// One replacement, in the coordinates of the edited text.
    struct Edit: Sendable {
        /// 1-based line.
        var line: Int
        /// 1-based column where the new text starts.
        var column: Int
        /// Characters of new text.
        var newCount: Int
        /// Characters of original text it replaced.
        var oldCount: Int
    }

    /// Sorted by line, then column.
    private(set) var edits: [Edit] = []

    var isEmpty: Bool { edits.isEmpty }

    /// The original line and column of a position in the edited text. A position inside new text
    /// maps to where that text was written.
    func original(line: Int, column: Int) -> (line: Int, column: Int) {
        var shift = 0
        for edit in edits where edit.line == line {
            if column >= edit.column + edit.newCount {
                shift += edit.newCount - edit.oldCount
            } else if column >= edit.column {
                return (line, edit.column - shift)
            } else {
                break
            }
        }
        return (line, column - shift)
    }

    /// Records that `oldCount` characters at `line`:`column` of the edited text became `newCount`
    /// characters; later edits on the same line move with it.
    mutating func record(line: Int, column: Int, newCount: Int, oldCount: Int) {
        var position = edits.endIndex
        for index in edits.indices where edits[index].line == line && edits[index].column >= column {
            edits[index].column += newCount - oldCount
            if position == edits.endIndex { position = index }
        }
        if position == edits.endIndex {
            position = edits.firstIndex { $0.line > line } ?? edits.endIndex
        }
        edits.insert(Edit(line: line, column: column, newCount: newCount, oldCount: oldCount), at: position)
    }
}

/// A document's bytes as libyaml reads them: the original, or UTF-8 text with ``YAMLInputEdits``.
struct YAMLEditableInput {
    var bytes: [UInt8]
    var edits = YAMLInputEdits()
    /// libyaml's 1-based columns of the byte-order marks inside lines of the original text, by line.
    /// PyYAML's reader does not count a byte-order mark as a column; libyaml does.
    var byteOrderMarkColumns: [Int: [Int]] = [:]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if Self.hasInnerByteOrderMark(bytes) { byteOrderMarkColumns = Self.byteOrderMarkColumns(bytes) }
    }

    /// The original position, as PyYAML counts it, of a 1-based line and column libyaml reports.
    func originalPosition(line: Int, column: Int) -> (line: Int, column: Int) {
        var position = edits.isEmpty ? (line: line, column: column) : edits.original(line: line, column: column)
        if !byteOrderMarkColumns.isEmpty, let marks = byteOrderMarkColumns[position.line] {
            position.column -= marks.prefix { $0 < position.column }.count
        }
        return position
    }

    /// Whether a UTF-8 byte-order mark follows the first bytes.
    static func hasInnerByteOrderMark(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 3 else { return false }
            var offset = 1
            while offset + 2 < buffer.count, let found = memchr(base + offset, 0xEF, buffer.count - offset - 2) {
                let index = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
                if buffer[index + 1] == 0xBB && buffer[index + 2] == 0xBF { return true }
                offset = index + 1
            }
            return false
        }
    }

    /// Where each byte-order mark after the first bytes is, counting lines and columns as libyaml does.
    static func byteOrderMarkColumns(_ bytes: [UInt8]) -> [Int: [Int]] {
        var found: [Int: [Int]] = [:]
        var line = 1
        var column = 1
        var previousWasCR = false
        let text = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            if PyYAMLScannerAdaptation.isBreak(scalar) {
                if !(scalar == "\n" && previousWasCR) {
                    line += 1
                    column = 1
                }
                previousWasCR = scalar == "\r"
                continue
            }
            previousWasCR = false
            if scalar == "\u{FEFF}" { found[line, default: []].append(column) }
            column += 1
        }
        return found
    }

    /// Replaces `oldCount` characters at libyaml's character `index` (on `line`:`column`, all in
    /// the current text) with ASCII `text`. Returns false when the position is outside the text.
    mutating func replace(
        characterIndex index: Int, line: Int, column: Int, oldCount: Int = 0, with text: String
    ) -> Bool {
        convertToUTF8()
        guard let start = byteOffset(ofCharacter: index), let end = byteOffset(ofCharacter: index + oldCount)
        else { return false }
        bytes.replaceSubrange(start..<end, with: Array(text.utf8))
        edits.record(line: line, column: column, newCount: text.utf8.count, oldCount: oldCount)
        return true
    }

    /// The byte offset of libyaml's character index (a leading UTF-8 byte-order mark is not counted).
    func byteOffset(ofCharacter index: Int) -> Int? {
        var offset = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var remaining = index
        while remaining > 0 {
            guard offset < bytes.count else { return nil }
            offset += 1
            while offset < bytes.count && bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            remaining -= 1
        }
        return offset <= bytes.count ? offset : nil
    }

    /// The character at libyaml's character index, or nil past the end.
    func character(at index: Int) -> Unicode.Scalar? {
        guard let start = byteOffset(ofCharacter: index), start < bytes.count else { return nil }
        var end = start + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars.first
    }

    /// UTF-16 input becomes UTF-8 before the first edit (libyaml counts characters the same way).
    private mutating func convertToUTF8() {
        let isLittleEndian = bytes.starts(with: [0xFF, 0xFE])
        guard isLittleEndian || bytes.starts(with: [0xFE, 0xFF]) else { return }
        let units = stride(from: 2, to: bytes.count - 1, by: 2).map {
            isLittleEndian
                ? UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 : UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
        }
        bytes = Array(String(decoding: units, as: UTF16.self).utf8)
    }
}
