import BigInt
import HybridYAML

/// Jinja2's lexer with the default delimiters, `trim_blocks=False`, `lstrip_blocks=False`,
/// `keep_trailing_newline=False`: newlines normalized to `\n`, one trailing newline dropped,
/// whitespace control with `-`, `{% raw %}` blocks, brace balancing inside tags.
struct Lexer {
    let source: [UInt8]
    let templateName: String
    private var position = 0
    private var line = 1
    private var tokens: [Token] = []

    init(source text: String, templateName: String) {
        self.source = Lexer.normalize(text)
        self.templateName = templateName
    }

    /// `\r\n` and `\r` become `\n`; one trailing newline is removed (Jinja's `tokeniter`).
    static func normalize(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var previousCR = false
        for byte in text.utf8 {
            if byte == 0x0D {
                bytes.append(0x0A)
                previousCR = true
                continue
            }
            if byte == 0x0A && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            bytes.append(byte)
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        return bytes
    }

    static func tokenize(_ text: String, templateName: String) throws(TemplateError) -> (
        tokens: [Token], source: [UInt8]
    ) {
        var lexer = Lexer(source: text, templateName: templateName)
        try lexer.run()
        return (lexer.tokens, lexer.source)
    }

    // MARK: errors

    func fail(_ message: String, at offset: Int, line: Int? = nil) -> TemplateError {
        TemplateError(
            .syntax, message,
            at: .init(file: templateName, line: line ?? self.line, column: Lexer.column(of: offset, in: source)))
    }

    /// 1-based column (in characters) of a byte offset.
    static func column(of offset: Int, in source: [UInt8]) -> Int {
        var start = min(offset, source.count)
        while start > 0 && source[start - 1] != 0x0A { start -= 1 }
        var column = 1
        var index = start
        while index < min(offset, source.count) {
            if source[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return column
    }

    // MARK: root state

    private func startsWith(_ text: StaticString, at index: Int) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= source.count else { return false }
        let pointer = text.utf8Start
        for k in 0..<count where source[index + k] != pointer[k] { return false }
        return true
    }

    private mutating func emit(_ kind: Token.Kind, text: String = "", at offset: Int) {
        tokens.append(Token(kind: kind, text: text, line: line, offset: offset))
    }

    private mutating func advance(to index: Int) {
        var k = position
        while k < index {
            if source[k] == 0x0A { line += 1 }
            k += 1
        }
        position = index
    }

    mutating func run() throws(TemplateError) {
        while position < source.count {
            // Find the next `{{`, `{%` or `{#`.
            var index = position
            var found: (kind: UInt8, at: Int)?
            while index + 1 < source.count {
                if source[index] == UInt8(ascii: "{") {
                    let next = source[index + 1]
                    if next == UInt8(ascii: "{") || next == UInt8(ascii: "%") || next == UInt8(ascii: "#") {
                        found = (next, index)
                        break
                    }
                }
                index += 1
            }
            guard let (kind, start) = found else {
                emitData(from: position, to: source.count, strip: false)
                advance(to: source.count)
                break
            }
            var sign: UInt8 = 0
            if start + 2 < source.count,
                source[start + 2] == UInt8(ascii: "-") || source[start + 2] == UInt8(ascii: "+")
            {
                sign = source[start + 2]
            }
            if kind == UInt8(ascii: "%"), let rawEnd = rawBeginEnd(at: start) {
                emitData(from: position, to: start, strip: sign == UInt8(ascii: "-"))
                advance(to: rawEnd)
                try lexRaw()
                continue
            }
            emitData(from: position, to: start, strip: sign == UInt8(ascii: "-"))
            advance(to: start)
            let afterBegin = start + 2 + (sign != 0 ? 1 : 0)
            switch kind {
            case UInt8(ascii: "#"):
                try lexComment(beginAt: start, bodyStart: afterBegin)
            case UInt8(ascii: "%"):
                emit(.blockBegin, at: start)
                advance(to: afterBegin)
                try lexTag(isBlock: true)
            default:
                emit(.variableBegin, at: start)
                advance(to: afterBegin)
                try lexTag(isBlock: false)
            }
        }
        // Jinja's end-of-stream token carries the line of the last real token.
        let eofLine = tokens.last?.line ?? 1
        tokens.append(Token(kind: .eof, line: eofLine, offset: source.count))
    }

    /// Emits the text between tags; with `strip`, trailing whitespace is dropped (`{%-`).
    private mutating func emitData(from start: Int, to end: Int, strip: Bool) {
        var stop = end
        if strip {
            while stop > start, let length = Lexer.trailingSpaceLength(source, before: stop, lowerBound: start) {
                stop -= length
            }
        }
        guard stop > start else { return }
        tokens.append(
            Token(kind: .data, text: String(decoding: source[start..<stop], as: UTF8.self), line: line, offset: start))
    }

    // MARK: whitespace (Python's str.isspace / re \s)

    @inline(__always)
    static func isSpace(_ scalar: UInt32) -> Bool { PythonNumberParsing.isSpace(scalar) }

    /// Byte length of a whitespace character starting at `index`, or nil.
    static func spaceLength(_ source: [UInt8], at index: Int) -> Int? {
        guard index < source.count else { return nil }
        let byte = source[index]
        if byte < 0x80 { return isSpace(UInt32(byte)) ? 1 : nil }
        guard let (scalar, length) = decodeScalar(source, at: index) else { return nil }
        return isSpace(scalar) ? length : nil
    }

    /// Byte length of a whitespace character ending just before `end`, or nil.
    static func trailingSpaceLength(_ source: [UInt8], before end: Int, lowerBound: Int) -> Int? {
        guard end > lowerBound else { return nil }
        var start = end - 1
        while start > lowerBound && source[start] & 0xC0 == 0x80 { start -= 1 }
        guard let length = spaceLength(source, at: start), start + length == end else { return nil }
        return length
    }

    static func decodeScalar(_ source: [UInt8], at index: Int) -> (UInt32, Int)? {
        let byte = source[index]
        let length: Int
        var value: UInt32
        switch byte {
        case 0xC0...0xDF:
            length = 2
            value = UInt32(byte & 0x1F)
        case 0xE0...0xEF:
            length = 3
            value = UInt32(byte & 0x0F)
        case 0xF0...0xF7:
            length = 4
            value = UInt32(byte & 0x07)
        default: return nil
        }
        guard index + length <= source.count else { return nil }
        for k in 1..<length { value = value << 6 | UInt32(source[index + k] & 0x3F) }
        return (value, length)
    }

    private mutating func skipSpaces() {
        var index = position
        while let length = Lexer.spaceLength(source, at: index) { index += length }
        advance(to: index)
    }

    // MARK: comments and raw blocks

    private mutating func lexComment(beginAt start: Int, bodyStart: Int) throws(TemplateError) {
        if bodyStart >= source.count {
            // Jinja's failure rule needs one more character: an unclosed `{#` at the very end is dropped.
            advance(to: source.count)
            return
        }
        var index = bodyStart
        while index + 1 < source.count {
            if source[index] == UInt8(ascii: "-") && index + 2 < source.count && source[index + 1] == UInt8(ascii: "#")
                && source[index + 2] == UInt8(ascii: "}")
            {
                advance(to: index + 3)
                skipSpaces()
                return
            }
            if source[index] == UInt8(ascii: "#") && source[index + 1] == UInt8(ascii: "}") {
                advance(to: index + 2)
                return
            }
            index += 1
        }
        throw fail("Missing end of comment tag", at: start)
    }

    /// If a `{% raw %}` tag (with optional `-`/`+`) starts at `start`, the index after it.
    private func rawBeginEnd(at start: Int) -> Int? {
        var index = start + 2
        if index < source.count, source[index] == UInt8(ascii: "-") || source[index] == UInt8(ascii: "+") { index += 1 }
        while let length = Lexer.spaceLength(source, at: index) { index += length }
        guard startsWith("raw", at: index) else { return nil }
        index += 3
        while let length = Lexer.spaceLength(source, at: index) { index += length }
        if startsWith("-%}", at: index) {
            index += 3
            while let length = Lexer.spaceLength(source, at: index) { index += length }
            return index
        }
        if startsWith("%}", at: index) { return index + 2 }
        return nil
    }

    /// The body of a raw block, up to `{% endraw %}`, as data.
    private mutating func lexRaw() throws(TemplateError) {
        let bodyStart = position
        if bodyStart >= source.count { return }
        var index = position
        while index + 1 < source.count {
            if source[index] == UInt8(ascii: "{") && source[index + 1] == UInt8(ascii: "%") {
                var k = index + 2
                var sign: UInt8 = 0
                if k < source.count, source[k] == UInt8(ascii: "-") || source[k] == UInt8(ascii: "+") {
                    sign = source[k]
                    k += 1
                }
                while let length = Lexer.spaceLength(source, at: k) { k += length }
                if startsWith("endraw", at: k) {
                    k += 6
                    while let length = Lexer.spaceLength(source, at: k) { k += length }
                    var end: Int?
                    if startsWith("+%}", at: k) {
                        end = k + 3
                    } else if startsWith("-%}", at: k) {
                        k += 3
                        while let length = Lexer.spaceLength(source, at: k) { k += length }
                        end = k
                    } else if startsWith("%}", at: k) {
                        end = k + 2
                    }
                    if let end {
                        emitData(from: bodyStart, to: index, strip: sign == UInt8(ascii: "-"))
                        advance(to: end)
                        return
                    }
                }
            }
            index += 1
        }
        throw fail("Missing end of raw directive", at: bodyStart)
    }

    // MARK: inside {{ }} and {% %}

    private mutating func lexTag(isBlock: Bool) throws(TemplateError) {
        var balance: [UInt8] = []
        while true {
            guard position < source.count else {
                // Jinja reports the missing end when the parser meets end of input.
                return
            }
            if balance.isEmpty, let end = tagEnd(isBlock: isBlock) {
                emit(isBlock ? .blockEnd : .variableEnd, at: position)
                advance(to: end)
                return
            }
            let byte = source[position]
            if let length = Lexer.spaceLength(source, at: position) {
                advance(to: position + length)
                continue
            }
            let start = position
            if let (token, end) = try number(at: start) {
                tokens.append(token)
                advance(to: end)
                continue
            }
            if let end = nameEnd(at: start) {
                emit(.name, text: String(decoding: source[start..<end], as: UTF8.self), at: start)
                advance(to: end)
                continue
            }
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                let (text, end) = try stringLiteral(at: start)
                emit(.string, text: text, at: start)
                advance(to: end)
                continue
            }
            if let op = op(at: start) {
                switch op {
                case .lbrace: balance.append(UInt8(ascii: "}"))
                case .lparen: balance.append(UInt8(ascii: ")"))
                case .lbracket: balance.append(UInt8(ascii: "]"))
                case .rbrace, .rparen, .rbracket:
                    let closing = UInt8(ascii: op.rawValue.unicodeScalars.first!)
                    guard let expected = balance.popLast() else {
                        throw fail("unexpected '\(op.rawValue)'", at: start)
                    }
                    if expected != closing {
                        throw fail(
                            "unexpected '\(op.rawValue)', expected '\(Character(Unicode.Scalar(expected)))'", at: start)
                    }
                default: break
                }
                emit(.op(op), at: start)
                advance(to: start + op.rawValue.utf8.count)
                continue
            }
            let character =
                Lexer.decodeScalar(source, at: start).map { String(Character(Unicode.Scalar($0.0)!)) }
                ?? String(Character(Unicode.Scalar(byte)))
            throw fail("unexpected char \(PythonFormatting.stringRepr(character)) at \(start)", at: start)
        }
    }

    /// End of `%}` / `-%}` (then whitespace) / `+%}`, or `}}` / `-}}` (then whitespace).
    private func tagEnd(isBlock: Bool) -> Int? {
        if isBlock {
            if startsWith("+%}", at: position) { return position + 3 }
            if startsWith("-%}", at: position) {
                var index = position + 3
                while let length = Lexer.spaceLength(source, at: index) { index += length }
                return index
            }
            if startsWith("%}", at: position) { return position + 2 }
            return nil
        }
        if startsWith("-}}", at: position) {
            var index = position + 3
            while let length = Lexer.spaceLength(source, at: index) { index += length }
            return index
        }
        if startsWith("}}", at: position) { return position + 2 }
        return nil
    }

    private func op(at index: Int) -> Token.Operator? {
        if index + 1 < source.count {
            switch (source[index], source[index + 1]) {
            case (0x2A, 0x2A): return .pow
            case (0x2F, 0x2F): return .floordiv
            case (0x3D, 0x3D): return .eq
            case (0x21, 0x3D): return .ne
            case (0x3E, 0x3D): return .gteq
            case (0x3C, 0x3D): return .lteq
            default: break
            }
        }
        switch source[index] {
        case UInt8(ascii: "+"): return .add
        case UInt8(ascii: "-"): return .sub
        case UInt8(ascii: "/"): return .div
        case UInt8(ascii: "*"): return .mul
        case UInt8(ascii: "%"): return .mod
        case UInt8(ascii: "~"): return .tilde
        case UInt8(ascii: "["): return .lbracket
        case UInt8(ascii: "]"): return .rbracket
        case UInt8(ascii: "("): return .lparen
        case UInt8(ascii: ")"): return .rparen
        case UInt8(ascii: "{"): return .lbrace
        case UInt8(ascii: "}"): return .rbrace
        case UInt8(ascii: ">"): return .gt
        case UInt8(ascii: "<"): return .lt
        case UInt8(ascii: "="): return .assign
        case UInt8(ascii: "."): return .dot
        case UInt8(ascii: ":"): return .colon
        case UInt8(ascii: "|"): return .pipe
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: ";"): return .semicolon
        default: return nil
        }
    }

    // MARK: names

    /// End of a Python identifier starting at `index`, or nil.
    private func nameEnd(at index: Int) -> Int? {
        var k = index
        var first = true
        while k < source.count {
            let byte = source[k]
            if byte < 0x80 {
                let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
                let isDigit = byte >= 0x30 && byte <= 0x39
                if isLetter || (!first && isDigit) {
                    k += 1
                    first = false
                    continue
                }
                break
            }
            guard let (value, length) = Lexer.decodeScalar(source, at: k), let scalar = Unicode.Scalar(value) else {
                break
            }
            let properties = scalar.properties
            if first ? properties.isXIDStart : properties.isXIDContinue {
                k += length
                first = false
                continue
            }
            break
        }
        return k > index ? k : nil
    }

    // MARK: numbers

    private func isDigit(_ index: Int) -> Bool {
        index < source.count && source[index] >= 0x30 && source[index] <= 0x39
    }

    /// Digits with single underscores between them: `(\d+_)*\d+`; returns the end or nil.
    private func digitRun(at index: Int) -> Int? {
        guard isDigit(index) else { return nil }
        var k = index
        while true {
            while isDigit(k) { k += 1 }
            if k < source.count && source[k] == 0x5F && isDigit(k + 1) {
                k += 1
                continue
            }
            return k
        }
    }

    /// Jinja's float_re then integer_re at `index`.
    private func number(at index: Int) throws(TemplateError) -> (Token, Int)? {
        guard isDigit(index) else { return nil }
        if index > 0 && source[index - 1] == UInt8(ascii: ".") {
            // (?<!\.): a digit right after a dot is not the start of a float (`x.0.1`).
        } else if let integerEnd = digitRun(at: index) {
            var end: Int?
            var k = integerEnd
            if k < source.count, source[k] == UInt8(ascii: "."), let fractionEnd = digitRun(at: k + 1) {
                k = fractionEnd
                end = k
            }
            if k < source.count, source[k] | 0x20 == UInt8(ascii: "e") {
                var e = k + 1
                if e < source.count, source[e] == UInt8(ascii: "+") || source[e] == UInt8(ascii: "-") { e += 1 }
                if let exponentEnd = digitRun(at: e) { end = exponentEnd }
            }
            if let end {
                let text = String(decoding: source[index..<end].filter { $0 != 0x5F }, as: UTF8.self)
                var token = Token(kind: .float, line: line, offset: index)
                token.float = Double(text) ?? .infinity
                return (token, end)
            }
        }
        // integer_re: 0b / 0o / 0x (with single underscores), [1-9](_?\d)*, 0(_?0)*
        var k = index
        var radix = 10
        var digitsStart = index
        if source[index] == UInt8(ascii: "0"), index + 1 < source.count {
            let marker = source[index + 1] | 0x20
            if marker == UInt8(ascii: "b") || marker == UInt8(ascii: "o") || marker == UInt8(ascii: "x") {
                radix = marker == UInt8(ascii: "b") ? 2 : marker == UInt8(ascii: "o") ? 8 : 16
                var j = index + 2
                var count = 0
                while true {
                    var step = j
                    if step < source.count && source[step] == 0x5F { step += 1 }
                    guard step < source.count, let digit = Lexer.digitValue(source[step]), digit < radix else { break }
                    j = step + 1
                    count += 1
                }
                if count > 0 {
                    k = j
                    digitsStart = index + 2
                } else {
                    radix = 10
                }
            }
        }
        if radix == 10 {
            if source[index] == UInt8(ascii: "0") {
                k = index + 1
                while true {
                    var step = k
                    if step < source.count && source[step] == 0x5F { step += 1 }
                    guard step < source.count, source[step] == UInt8(ascii: "0") else { break }
                    k = step + 1
                }
            } else {
                k = index + 1
                while true {
                    var step = k
                    if step < source.count && source[step] == 0x5F { step += 1 }
                    guard isDigit(step) else { break }
                    k = step + 1
                }
            }
        }
        var token = Token(kind: .integer, line: line, offset: index)
        let digits = String(decoding: source[digitsStart..<k].filter { $0 != 0x5F }, as: UTF8.self)
        if let small = Int(digits, radix: radix) {
            token.integer = .int(small)
        } else if let big = BigInt(digits, radix: radix) {
            token.integer = .bigInt(big)
        } else {
            throw fail("invalid integer literal", at: index)
        }
        return (token, k)
    }

    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        default: return nil
        }
    }

    // MARK: strings

    /// A quoted literal: its unescaped value (Python's `unicode-escape` rules) and end index.
    private func stringLiteral(at start: Int) throws(TemplateError) -> (String, Int) {
        let quote = source[start]
        var k = start + 1
        while k < source.count {
            if source[k] == UInt8(ascii: "\\") {
                k += 2
                continue
            }
            if source[k] == quote { break }
            k += 1
        }
        guard k < source.count else {
            // string_re does not match: Jinja then fails on the quote as an unexpected character.
            throw fail(
                "unexpected char \(PythonFormatting.stringRepr(String(Character(Unicode.Scalar(quote))))) at \(start)",
                at: start)
        }
        let body = Array(source[(start + 1)..<k])
        do {
            return (try Lexer.unescape(body), k + 1)
        } catch {
            throw fail(error.message, at: start)
        }
    }

    /// Python's unicode-escape decoding of a literal body.
    static func unescape(_ body: [UInt8]) throws(EvalFailure) -> String {
        guard body.contains(UInt8(ascii: "\\")) else { return String(decoding: body, as: UTF8.self) }
        var out = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            if !raw.isEmpty {
                out.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
        }
        var k = 0
        while k < body.count {
            let byte = body[k]
            guard byte == UInt8(ascii: "\\"), k + 1 < body.count else {
                raw.append(byte)
                k += 1
                continue
            }
            flush()
            let next = body[k + 1]
            k += 2
            switch next {
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "\\"): out.append("\\")
            case UInt8(ascii: "'"): out.append("'")
            case UInt8(ascii: "\""): out.append("\"")
            case UInt8(ascii: "a"): out.append("\u{07}")
            case UInt8(ascii: "b"): out.append("\u{08}")
            case UInt8(ascii: "f"): out.append("\u{0C}")
            case UInt8(ascii: "n"): out.append("\n")
            case UInt8(ascii: "r"): out.append("\r")
            case UInt8(ascii: "t"): out.append("\t")
            case UInt8(ascii: "v"): out.append("\u{0B}")
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(next - 0x30)
                var digits = 1
                while digits < 3, k < body.count, body[k] >= 0x30, body[k] <= 0x37 {
                    value = value * 8 + UInt32(body[k] - 0x30)
                    k += 1
                    digits += 1
                }
                out.append(Unicode.Scalar(value)!)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let width = next == UInt8(ascii: "x") ? 2 : next == UInt8(ascii: "u") ? 4 : 8
                var value: UInt32 = 0
                for offset in 0..<width {
                    guard k + offset < body.count, let digit = digitValue(body[k + offset]) else {
                        let name =
                            next == UInt8(ascii: "x") ? "\\xXX" : next == UInt8(ascii: "u") ? "\\uXXXX" : "\\UXXXXXXXX"
                        throw EvalFailure(.syntax, "truncated \(name) escape")
                    }
                    value = value * 16 + UInt32(digit)
                }
                k += width
                guard let scalar = Unicode.Scalar(value) else {
                    throw EvalFailure(.syntax, "illegal Unicode character")
                }
                out.append(scalar)
            case UInt8(ascii: "N"):
                guard k < body.count, body[k] == UInt8(ascii: "{"),
                    let close = body[k...].firstIndex(of: UInt8(ascii: "}"))
                else {
                    throw EvalFailure(.syntax, "malformed \\N character escape")
                }
                let name = String(decoding: body[(k + 1)..<close], as: UTF8.self)
                guard let scalar = UnicodeNames.scalar(named: name) else {
                    throw EvalFailure(.syntax, "unknown Unicode character name")
                }
                out.append(scalar)
                k = close + 1
            default:
                // Unknown escapes keep their backslash.
                out.append("\\")
                raw.append(next)
            }
        }
        flush()
        return String(out)
    }
}

/// Unicode character names for `\N{...}` escapes (built on first use).
enum UnicodeNames {
    private static let table: [String: Unicode.Scalar] = {
        var table: [String: Unicode.Scalar] = [:]
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if let name = scalar.properties.name { table[name] = scalar }
            if let alias = scalar.properties.nameAlias { table[alias] = scalar }
        }
        return table
    }()

    static func scalar(named name: String) -> Unicode.Scalar? {
        table[name.uppercased()]
    }
}
