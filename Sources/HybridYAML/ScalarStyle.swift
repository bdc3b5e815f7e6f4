/// How a string scalar is written. Chosen so that PyYAML reads back exactly the same string.
enum ScalarStyle: Equatable {
    case plain
    case singleQuoted
    case doubleQuoted
    /// `|` block with its header hints (`|-`, `|2+`, ...).
    case literal(indentIndicator: Bool, chomping: Chomping)

    enum Chomping: Equatable {
        case strip, clip, keep
    }

    /// The style for `text` as a mapping key or as a value in block context.
    static func choose(for text: String, isKey: Bool) -> ScalarStyle {
        var text = text
        return text.withUTF8 { utf8 in
            // Most keys and many values are identifiers (`slice_name`, `echarts_timeseries_line`):
            // nothing in them is special to the analysis, so only the resolver can make them quoted.
            if let first = utf8.first, isIdentifierStart(first), utf8.allSatisfy(isIdentifierByte),
                ImplicitTag.of(utf8) == .string
            {
                return .plain
            }
            if utf8.allSatisfy({ $0 < 0x80 }) {
                return choose(codePoints: utf8.lazy.map { UInt32($0) }, utf8: utf8, isKey: isKey)
            }
            let scalars = String(decoding: utf8, as: UTF8.self).unicodeScalars.map(\.value)
            return choose(codePoints: scalars, utf8: utf8, isKey: isKey)
        }
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func choose<C: RandomAccessCollection>(
        codePoints: C, utf8: UnsafeBufferPointer<UInt8>, isKey: Bool
    ) -> ScalarStyle where C.Element == UInt32, C.Index == Int {
        let analysis = ScalarAnalysis(codePoints)
        if analysis.allowBlockPlain && !analysis.empty && !analysis.multiline
            && ImplicitTag.of(utf8) == .string
        {
            return .plain
        }
        if !isKey && analysis.multiline && analysis.allowBlock && !analysis.hasUnicodeBreak {
            let first = codePoints[codePoints.startIndex]
            let last = codePoints[codePoints.endIndex - 1]
            let chomping: Chomping
            if last != 0x0A {
                chomping = .strip
            } else if codePoints.count == 1 || codePoints[codePoints.endIndex - 2] == 0x0A {
                chomping = .keep
            } else {
                chomping = .clip
            }
            return .literal(indentIndicator: first == 0x20 || first == 0x0A, chomping: chomping)
        }
        if analysis.allowSingleQuoted && !analysis.multiline {
            return .singleQuoted
        }
        return .doubleQuoted
    }
}

/// PyYAML's `Emitter.analyze_scalar` (with `allow_unicode=True`), the rules its own emitter
/// trusts to produce text its scanner reads back unchanged.
struct ScalarAnalysis {
    var empty = false
    var multiline = false
    var allowBlockPlain = true
    var allowSingleQuoted = true
    var allowBlock = true
    /// NEL, LS or PS: line breaks that PyYAML's reader would not keep as-is in a block scalar.
    var hasUnicodeBreak = false

    static func isBreak(_ c: UInt32) -> Bool { c == 0x0A || c == 0x85 || c == 0x2028 || c == 0x2029 }
    static func isWhitespaceOrEnd(_ c: UInt32) -> Bool {
        c == 0 || c == 0x20 || c == 0x09 || c == 0x0D || isBreak(c)
    }

    /// Printable in PyYAML's emitter with `allow_unicode=True`.
    static func isPrintable(_ c: UInt32) -> Bool {
        if c == 0x0A || (c >= 0x20 && c <= 0x7E) { return true }
        return
            (c == 0x85 || (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
            || (c >= 0x10000 && c < 0x10FFFF)) && c != 0xFEFF
    }

    init<C: RandomAccessCollection>(_ s: C) where C.Element == UInt32, C.Index == Int {
        if s.isEmpty {
            empty = true
            allowBlock = false
            return
        }
        var blockIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false
        var leadingBreak = false
        var trailingSpace = false
        var trailingBreak = false
        var breakSpace = false
        var spaceBreak = false

        let start = s.startIndex
        let count = s.count
        func at(_ k: Int) -> UInt32 { s[start + k] }

        if count >= 3 {
            let a = at(0)
            let b = at(1)
            let c = at(2)
            if (a == 0x2D && b == 0x2D && c == 0x2D) || (a == 0x2E && b == 0x2E && c == 0x2E) {
                blockIndicators = true
            }
        }
        var precededByWhitespace = true
        var followedByWhitespace = count == 1 || ScalarAnalysis.isWhitespaceOrEnd(at(1))
        var previousSpace = false
        var previousBreak = false

        for index in 0..<count {
            let ch = at(index)
            if index == 0 {
                switch ch {
                case 0x23, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60:
                    // # , [ ] { } & * ! | > ' " % @ `
                    blockIndicators = true
                case 0x3F, 0x3A:  // ? :
                    if followedByWhitespace { blockIndicators = true }
                case 0x2D:  // -
                    if followedByWhitespace { blockIndicators = true }
                default:
                    break
                }
            } else {
                if ch == 0x3A && followedByWhitespace { blockIndicators = true }
                if ch == 0x23 && precededByWhitespace { blockIndicators = true }
            }
            if ScalarAnalysis.isBreak(ch) {
                lineBreaks = true
                if ch != 0x0A { hasUnicodeBreak = true }
            }
            if !ScalarAnalysis.isPrintable(ch) { specialCharacters = true }

            if ch == 0x20 {
                if index == 0 { leadingSpace = true }
                if index == count - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if ScalarAnalysis.isBreak(ch) {
                if index == 0 { leadingBreak = true }
                if index == count - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = ScalarAnalysis.isWhitespaceOrEnd(ch)
            followedByWhitespace = index + 2 >= count || ScalarAnalysis.isWhitespaceOrEnd(at(index + 2))
        }

        if leadingSpace || leadingBreak || trailingSpace || trailingBreak { allowBlockPlain = false }
        if trailingSpace { allowBlock = false }
        if breakSpace {
            allowBlockPlain = false
            allowSingleQuoted = false
        }
        if spaceBreak || specialCharacters {
            allowBlockPlain = false
            allowSingleQuoted = false
            allowBlock = false
        }
        if lineBreaks { allowBlockPlain = false }
        if blockIndicators { allowBlockPlain = false }
        multiline = lineBreaks
    }
}
