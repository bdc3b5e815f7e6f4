/// Renames whole SQL identifiers, leaving string literals, comments and every other byte as it is.
///
/// An identifier is a maximal run of letters, digits, `_`, `$` and non-ASCII bytes that does not
/// start with a digit or `$` (PostgreSQL's lexer rule), so `customer_id` is never found inside
/// `customer_id_2`. Quoted identifiers (`"…"`, `` `…` ``, `[…]`) are renamed when their whole
/// content is a name, keeping the quotes. Nothing inside `'…'`, `E'…'`, `$tag$…$tag$`, `--` or
/// `/* */` changes; after an unterminated literal, quoted identifier or comment nothing changes.
/// Names compare exactly (case-sensitive, code point for code point).
public struct SQLIdentifierRewriter: Sendable {
    private let renames: [String: String]
    /// The names' UTF-8, for the substring pre-check.
    private let needles: [[UInt8]]
    /// Some name holds a quote character, so it may appear escaped (`""`) and the pre-check cannot rule it out.
    private let hasEscapableName: Bool
    /// The longest name in UTF-8 bytes, escaped (bounds the search for a `]`).
    private let maxEscapedLength: Int

    public init(renames: [String: String]) {
        self.renames = renames.filter { !$0.key.isEmpty }
        needles = self.renames.keys.map { Array($0.utf8) }
        hasEscapableName = needles.contains { needle in
            needle.contains { $0 == Byte.doubleQuote || $0 == Byte.backquote || $0 == Byte.closeBracket }
        }
        maxEscapedLength = 2 * (needles.map(\.count).max() ?? 0)
    }

    /// `sql` with every renamed identifier replaced; `matched` gets the source name of each occurrence
    /// (also when a name maps to itself). Returns `sql` itself when nothing matched.
    public func rewrite(_ sql: String, matched: (String) -> Void = { _ in }) -> String {
        guard !needles.isEmpty else { return sql }
        let output: [UInt8]?
        if let result = sql.utf8.withContiguousStorageIfAvailable({ rewrite(bytes: $0, matched: matched) }) {
            output = result
        } else {
            output = Array(sql.utf8).withUnsafeBufferPointer { rewrite(bytes: $0, matched: matched) }
        }
        guard let output else { return sql }
        return String(decoding: output, as: UTF8.self)
    }

    /// The rewritten bytes, or nil when nothing changed.
    private func rewrite(bytes: UnsafeBufferPointer<UInt8>, matched: (String) -> Void) -> [UInt8]? {
        guard hasEscapableName || needles.contains(where: { Self.contains(bytes, $0) }) else { return nil }
        return withoutActuallyEscaping(matched) { matched in
            var scanner = SQLRenameScanner(
                input: bytes, renames: renames, maxBracketLength: maxEscapedLength, matched: matched)
            scanner.run()
            return scanner.finish()
        }
    }

    /// Whether `needle` occurs in `haystack`.
    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= haystack.count else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }
}

/// ASCII bytes the scanner looks at.
private enum Byte {
    static let singleQuote = UInt8(ascii: "'")
    static let doubleQuote = UInt8(ascii: "\"")
    static let backquote = UInt8(ascii: "`")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let backslash = UInt8(ascii: "\\")
    static let dollar = UInt8(ascii: "$")
    static let dash = UInt8(ascii: "-")
    static let slash = UInt8(ascii: "/")
    static let star = UInt8(ascii: "*")
    static let newline = UInt8(ascii: "\n")
    static let underscore = UInt8(ascii: "_")

    /// A byte that may start an identifier: a letter, `_`, or any byte of a non-ASCII character.
    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")) || byte == underscore || byte >= 0x80
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A byte that may continue an identifier.
    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == dollar
    }
}

/// One left-to-right pass over SQL bytes, copying lazily: the output exists only once something is renamed.
private struct SQLRenameScanner {
    let input: UnsafeBufferPointer<UInt8>
    let renames: [String: String]
    let maxBracketLength: Int
    let matched: (String) -> Void
    var output: [UInt8]?
    /// Input bytes before this index are already in `output`.
    var copied = 0
    var index = 0

    mutating func run() {
        let count = input.count
        while index < count {
            let byte = input[index]
            switch byte {
            case Byte.singleQuote:
                guard let end = endOfQuoted(from: index, quote: Byte.singleQuote, backslashEscapes: false) else {
                    return
                }
                index = end
            case Byte.doubleQuote, Byte.backquote:
                guard let end = endOfQuoted(from: index, quote: byte, backslashEscapes: false) else { return }
                renameQuoted(start: index, end: end, closing: byte)
                index = end
            case Byte.openBracket:
                if let end = endOfBracketed(from: index) {
                    if renameQuoted(start: index, end: end, closing: Byte.closeBracket) {
                        index = end
                        continue
                    }
                }
                index += 1
            case Byte.dash where index + 1 < count && input[index + 1] == Byte.dash:
                index += 2
                while index < count && input[index] != Byte.newline { index += 1 }
            case Byte.slash where index + 1 < count && input[index + 1] == Byte.star:
                guard let end = endOfBlockComment(from: index) else { return }
                index = end
            case Byte.dollar:
                switch dollarQuote(at: index) {
                case .none: index += 1
                case .unterminated: return
                case .end(let end): index = end
                }
            default:
                if Byte.isIdentifierStart(byte) || Byte.isDigit(byte) {
                    scanWord()
                } else {
                    index += 1
                }
            }
        }
    }

    /// The output, or nil when nothing was renamed.
    mutating func finish() -> [UInt8]? {
        guard var output else { return nil }
        output.append(contentsOf: input[copied...])
        return output
    }

    /// A run of identifier bytes: a number (left alone), an `E'…'` prefix, or an identifier to look up.
    private mutating func scanWord() {
        let start = index
        index += 1
        while index < input.count && Byte.isIdentifierPart(input[index]) { index += 1 }
        if Byte.isDigit(input[start]) { return }
        if index - start == 1, (input[start] | 0x20) == UInt8(ascii: "e"), index < input.count,
            input[index] == Byte.singleQuote
        {
            index = endOfQuoted(from: index, quote: Byte.singleQuote, backslashEscapes: true) ?? input.count
            return
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let target = lookup(name) else { return }
        replace(start..<index, with: Array(target.utf8))
    }

    /// Renames a quoted identifier spanning `start..<end` whose whole content is a name; false when it is not one.
    @discardableResult
    private mutating func renameQuoted(start: Int, end: Int, closing: UInt8) -> Bool {
        let content = unescaped(input[(start + 1)..<(end - 1)], quote: closing)
        let name = String(decoding: content, as: UTF8.self)
        guard let target = lookup(name) else { return false }
        var replacement: [UInt8] = [input[start]]
        for byte in target.utf8 {
            replacement.append(byte)
            if byte == closing { replacement.append(byte) }
        }
        replacement.append(closing)
        replace(start..<end, with: replacement)
        return true
    }

    /// The target of `name`, reporting the match; nil when `name` is not renamed.
    private func lookup(_ name: String) -> String? {
        guard let position = renames.index(forKey: name) else { return nil }
        let (source, target) = renames[position]
        // Dictionary keys compare by canonical equivalence; names must match exactly.
        guard source.utf8.elementsEqual(name.utf8) else { return nil }
        matched(source)
        return target
    }

    private mutating func replace(_ range: Range<Int>, with replacement: [UInt8]) {
        if replacement.elementsEqual(input[range]) { return }
        if output == nil {
            output = []
            output?.reserveCapacity(input.count + max(64, input.count / 8))
        }
        output?.append(contentsOf: input[copied..<range.lowerBound])
        output?.append(contentsOf: replacement)
        copied = range.upperBound
    }

    /// The content of a quoted token with doubled closing quotes collapsed.
    private func unescaped(_ content: Slice<UnsafeBufferPointer<UInt8>>, quote: UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(content.count)
        var position = content.startIndex
        while position < content.endIndex {
            bytes.append(content[position])
            position += content[position] == quote ? 2 : 1
        }
        return bytes
    }

    /// The index after the closing quote of the token opening at `start`; nil when it is unterminated.
    /// A doubled quote is an escaped quote; with `backslashEscapes`, `\` escapes the next byte.
    private func endOfQuoted(from start: Int, quote: UInt8, backslashEscapes: Bool) -> Int? {
        var position = start + 1
        while position < input.count {
            let byte = input[position]
            if byte == quote {
                if position + 1 < input.count && input[position + 1] == quote {
                    position += 2
                    continue
                }
                return position + 1
            }
            position += backslashEscapes && byte == Byte.backslash ? 2 : 1
        }
        return nil
    }

    /// The index after the `]` closing a bracketed identifier at `start`, looking no further than
    /// the longest name could reach; nil when there is none.
    private func endOfBracketed(from start: Int) -> Int? {
        var position = start + 1
        let limit = min(input.count, start + 2 + maxBracketLength)
        while position < limit {
            if input[position] == Byte.closeBracket {
                if position + 1 < input.count && input[position + 1] == Byte.closeBracket {
                    position += 2
                    continue
                }
                return position + 1
            }
            position += 1
        }
        return nil
    }

    /// The index after the `*/` closing the (possibly nested) block comment at `start`; nil when unterminated.
    private func endOfBlockComment(from start: Int) -> Int? {
        var depth = 1
        var position = start + 2
        while position + 1 < input.count {
            if input[position] == Byte.slash && input[position + 1] == Byte.star {
                depth += 1
                position += 2
            } else if input[position] == Byte.star && input[position + 1] == Byte.slash {
                depth -= 1
                position += 2
                if depth == 0 { return position }
            } else {
                position += 1
            }
        }
        return nil
    }

    private enum DollarQuote {
        case none
        case unterminated
        case end(Int)
    }

    /// A `$$…$$` or `$tag$…$tag$` string at `start`, if the `$` opens one.
    private func dollarQuote(at start: Int) -> DollarQuote {
        var position = start + 1
        if position < input.count && Byte.isIdentifierStart(input[position]) {
            position += 1
            while position < input.count && input[position] != Byte.dollar
                && (Byte.isIdentifierStart(input[position]) || Byte.isDigit(input[position]))
            {
                position += 1
            }
        }
        guard position < input.count, input[position] == Byte.dollar else { return .none }
        let delimiter = input[start...position]
        var search = position + 1
        let last = input.count - delimiter.count
        while search <= last {
            if input[search] == Byte.dollar && input[search..<(search + delimiter.count)].elementsEqual(delimiter) {
                return .end(search + delimiter.count)
            }
            search += 1
        }
        return .unterminated
    }
}
