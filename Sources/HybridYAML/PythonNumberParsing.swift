/// Python's `int(text, base)` and `float(text)` on strings, which PyYAML's constructors call for
/// explicitly tagged scalars (`!!int`, `!!float`): surrounding whitespace, a sign, a base prefix,
/// and Unicode decimal digits are all accepted.
enum PythonNumberParsing {
    /// Unicode whitespace becomes a space and Unicode decimal digits become ASCII digits, as
    /// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`; nil if another non-ASCII character remains.
    static func asciiForm(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                out.append(UInt8(scalar.value))
            } else if scalar.properties.isWhitespace {
                out.append(0x20)
            } else if scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue {
                out.append(UInt8(ascii: "0") + UInt8(value))
            } else {
                return nil
            }
        }
        return out
    }

    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F)
    }

    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let c = slice.first, isSpace(c) { slice = slice.dropFirst() }
        while let c = slice.last, isSpace(c) { slice = slice.dropLast() }
        return slice
    }

    /// `int(text, base)`: (negative, magnitude), or nil where Python raises ValueError.
    static func int(_ text: String, base: UInt32) -> (negative: Bool, magnitude: ArbitraryInteger)? {
        guard let ascii = asciiForm(text) else { return nil }
        var body = trimmed(ascii)
        var negative = false
        if let c = body.first, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            negative = c == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        let prefix: UInt8? =
            base == 16 ? UInt8(ascii: "x") : base == 8 ? UInt8(ascii: "o") : base == 2 ? UInt8(ascii: "b") : nil
        if let prefix, body.count >= 2, body.first == UInt8(ascii: "0"), body[body.startIndex + 1] | 0x20 == prefix {
            body = body.dropFirst(2)
        }
        guard !body.isEmpty else { return nil }
        var magnitude = ArbitraryInteger()
        for c in body {
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt32(c - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt32(c - 0x41 + 10)
            default: return nil
            }
            guard digit < base else { return nil }
            magnitude.multiply(by: base, adding: digit)
        }
        return (negative, magnitude)
    }

    /// `float(text)`: decimal literals, `inf`, `infinity`, `nan` (any case), or nil.
    static func float(_ text: String) -> Double? {
        guard let ascii = asciiForm(text) else { return nil }
        var body = Array(trimmed(ascii))
        for index in body.indices where body[index] >= 0x41 && body[index] <= 0x5A { body[index] |= 0x20 }
        return ScalarConstructor.pythonFloatLiteral(body)
    }
}
