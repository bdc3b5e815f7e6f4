import HybridYAML

/// Python's `textwrap.TextWrapper.wrap` as Jinja2's `wordwrap` filter configures it
/// (`expand_tabs=False`, `replace_whitespace=False`, `drop_whitespace=True`, no indents), on code
/// points. Linear in the text: a long word is cut by moving an offset, never by copying its rest.
struct TextWrap {
    /// The width; Python lets it be a float (lines are compared with it; cutting a long word at a
    /// float width is a TypeError).
    var width: Double
    var widthIsFloat = false
    var breakLongWords: Bool
    var breakOnHyphens: Bool

    /// `textwrap.wrap(text, ...)`: the lines, without line ends.
    func wrap(_ text: String) throws -> [String] {
        // Python compares every chunk with a NaN width as false and never finishes; hybrid refuses it.
        if width.isNaN { throw EvalFailure(.value, "invalid width nan (textwrap would never finish)") }
        if width <= 0 {
            let shown = widthIsFloat ? PythonFloatFormat.repr(width) : String(Int(width))
            throw EvalFailure(.value, "invalid width \(shown) (must be > 0)")
        }
        let scalars = Array(text.unicodeScalars)
        var chunks = breakOnHyphens ? Self.wordSeparatedChunks(scalars) : Self.whitespaceSeparatedChunks(scalars)
        func isBlank(_ chunk: Range<Int>) -> Bool { scalars[chunk].allSatisfy(PythonStrings.isSpace) }
        var lines: [String] = []
        var next = 0
        while next < chunks.count {
            var line: [Range<Int>] = []
            var length = 0
            if isBlank(chunks[next]) && !lines.isEmpty { next += 1 }
            while next < chunks.count, Double(length + chunks[next].count) <= width {
                line.append(chunks[next])
                length += chunks[next].count
                next += 1
            }
            if next < chunks.count && Double(chunks[next].count) > width {
                // `_handle_long_word`.
                if widthIsFloat && width >= 1 && breakLongWords {
                    throw EvalFailure(.type, "slice indices must be integers or None or have an __index__ method")
                }
                let spaceLeft = width < 1 ? 1 : Int(width) - length
                let chunk = chunks[next]
                if breakLongWords {
                    var end = spaceLeft
                    if breakOnHyphens && chunk.count > spaceLeft {
                        let prefix = scalars[chunk.lowerBound..<chunk.lowerBound + spaceLeft]
                        if let hyphen = prefix.lastIndex(of: "-"), hyphen > chunk.lowerBound,
                            scalars[chunk.lowerBound..<hyphen].contains(where: { $0 != "-" })
                        {
                            end = hyphen + 1 - chunk.lowerBound
                        }
                    }
                    line.append(chunk.lowerBound..<chunk.lowerBound + end)
                    chunks[next] = chunk.lowerBound + end..<chunk.upperBound
                } else if line.isEmpty {
                    line.append(chunk)
                    next += 1
                }
            }
            if let last = line.last, isBlank(last) { line.removeLast() }
            if !line.isEmpty {
                var text = String.UnicodeScalarView()
                for chunk in line { text.append(contentsOf: scalars[chunk]) }
                lines.append(String(text))
            }
        }
        return lines
    }

    // MARK: chunks

    /// textwrap's `_whitespace`: only these six are whitespace when splitting.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\t", "\n", "\u{0B}", "\u{0C}", "\r", " ": return true
        default: return false
        }
    }

    /// `re`'s `\w` on str: alphanumeric (`str.isalnum()`) or `_`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            return scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                || ("0"..."9").contains(scalar)
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return scalar.properties.numericType != nil
        }
    }

    /// `[^\d\W]`: a word character that is not a decimal digit.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        isWordCharacter(scalar) && scalar.properties.numericType != .decimal
    }

    /// `[\w!"'&.,?]`.
    static func isWordPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        isWordCharacter(scalar) || "!\"'&.,?".unicodeScalars.contains(scalar)
    }

    /// `wordsep_simple_re`: runs of whitespace and runs of anything else.
    static func whitespaceSeparatedChunks(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var chunks: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            let blank = isWhitespace(scalars[start])
            var end = start + 1
            while end < scalars.count, isWhitespace(scalars[end]) == blank { end += 1 }
            chunks.append(start..<end)
            start = end
        }
        return chunks
    }

    /// `TextWrapper.wordsep_re`'s matches: whitespace runs, em-dashes between words (`--`), and words
    /// that end at whitespace, before an em-dash, or after a hyphen between letters
    /// (`-(?:(?<=lt{2}-)|(?<=lt-lt-))(?=lt-?lt)`).
    static func wordSeparatedChunks(_ s: [Unicode.Scalar]) -> [Range<Int>] {
        let n = s.count
        // hyphenRunEnd[i]: the end of the run of hyphens starting at i (i itself when none).
        var hyphenRunEnd = [Int](repeating: 0, count: n + 1)
        hyphenRunEnd[n] = n
        for i in stride(from: n - 1, through: 0, by: -1) { hyphenRunEnd[i] = s[i] == "-" ? hyphenRunEnd[i + 1] : i }
        func at(_ i: Int) -> Unicode.Scalar? { i >= 0 && i < n ? s[i] : nil }
        func letter(_ i: Int) -> Bool { at(i).map(isLetter) ?? false }
        /// `-{2,}\w` at i.
        func emDashAhead(_ i: Int) -> Bool {
            let end = hyphenRunEnd[i]
            return end - i >= 2 && end < n && isWordCharacter(s[end])
        }
        var chunks: [Range<Int>] = []
        var i = 0
        while i < n {
            if isWhitespace(s[i]) {
                var end = i + 1
                while end < n, isWhitespace(s[end]) { end += 1 }
                chunks.append(i..<end)
                i = end
                continue
            }
            if i > 0, isWordPunctuation(s[i - 1]), emDashAhead(i) {
                chunks.append(i..<hyphenRunEnd[i])
                i = hyphenRunEnd[i]
                continue
            }
            var end = i + 1
            while true {
                // A hyphenated word: the hyphen ends this chunk.
                if end < n, s[end] == "-",
                    (letter(end - 2) && letter(end - 1))
                        || (letter(end - 3) && at(end - 2) == "-" && letter(end - 1)),
                    letter(end + 1), letter(end + 2) || (at(end + 2) == "-" && letter(end + 3))
                {
                    end += 1
                    break
                }
                if end == n || isWhitespace(s[end]) { break }
                if isWordPunctuation(s[end - 1]) && emDashAhead(end) { break }
                end += 1
            }
            chunks.append(i..<end)
            i = end
        }
        return chunks
    }
}
