/// Python's `str` case conversions (Objects/unicodeobject.c): full Unicode case mappings per code
/// point, the Final_Sigma rule in `lower()`, and Python's Unicode version where it differs from
/// Swift's (`UnicodeCasingTables`).
enum UnicodeCasing {
    /// `str.lower()`.
    static func lower(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiMap(text, from: 0x41, to: 0x5A) }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for index in scalars.indices { appendLower(scalars, index, to: &out) }
        return String(out)
    }

    /// `str.upper()`.
    static func upper(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiMap(text, from: 0x61, to: 0x7A) }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { append(upperMapping(scalar), to: &out) }
        return String(out)
    }

    /// `str.casefold()`: full case folding, no Final_Sigma rule.
    static func casefold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let folded = UnicodeCasingTables.fold[scalar.value] {
                append(folded, to: &out)
            } else if scalar.value == 0x3A3 {
                out.append("\u{3C3}")
            } else {
                append(lowerMapping(scalar), to: &out)
            }
        }
        return String(out)
    }

    /// `str.title()`: title-case after an uncased character, lowercase after a cased one.
    static func title(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var previousCased = false
        for index in scalars.indices {
            if previousCased {
                appendLower(scalars, index, to: &out)
            } else {
                append(titleMapping(scalars[index]), to: &out)
            }
            previousCased = isCased(scalars[index])
        }
        return String(out)
    }

    /// `str.capitalize()`: the first character title-cased, the rest lowercased.
    static func capitalize(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for index in scalars.indices {
            if index == 0 {
                append(titleMapping(scalars[index]), to: &out)
            } else {
                appendLower(scalars, index, to: &out)
            }
        }
        return String(out)
    }

    /// `str.swapcase()`.
    static func swapcase(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for index in scalars.indices {
            let properties = scalars[index].properties
            if properties.isUppercase {
                appendLower(scalars, index, to: &out)
            } else if properties.isLowercase {
                append(upperMapping(scalars[index]), to: &out)
            } else {
                out.append(scalars[index])
            }
        }
        return String(out)
    }

    /// Python's Cased property (Unicode's, in Python's Unicode version).
    static func isCased(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isCased != UnicodeCasingTables.casedFlipped.contains(scalar.value)
    }

    /// Python's Case_Ignorable property.
    static func isCaseIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isCaseIgnorable != UnicodeCasingTables.caseIgnorableFlipped.contains(scalar.value)
    }

    // MARK: mappings

    private static func asciiMap(_ text: String, from low: UInt8, to high: UInt8) -> String {
        var bytes = Array(text.utf8)
        for index in bytes.indices where bytes[index] >= low && bytes[index] <= high { bytes[index] ^= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    private enum Mapping {
        case table([UInt32])
        case swift(String)
    }

    private static func append(_ mapping: Mapping, to out: inout String.UnicodeScalarView) {
        switch mapping {
        case .table(let values):
            for value in values { if let scalar = Unicode.Scalar(value) { out.append(scalar) } }
        case .swift(let text): out.append(contentsOf: text.unicodeScalars)
        }
    }

    private static func append(_ values: [UInt32], to out: inout String.UnicodeScalarView) {
        append(.table(values), to: &out)
    }

    private static func lowerMapping(_ scalar: Unicode.Scalar) -> Mapping {
        if let mapped = UnicodeCasingTables.lower[scalar.value] { return .table(mapped) }
        return .swift(scalar.properties.lowercaseMapping)
    }

    private static func upperMapping(_ scalar: Unicode.Scalar) -> Mapping {
        if let mapped = UnicodeCasingTables.upper[scalar.value] { return .table(mapped) }
        return .swift(scalar.properties.uppercaseMapping)
    }

    private static func titleMapping(_ scalar: Unicode.Scalar) -> Mapping {
        if let mapped = UnicodeCasingTables.title[scalar.value] { return .table(mapped) }
        return .swift(scalar.properties.titlecaseMapping)
    }

    /// `lower_ucs4`: the lowercase of `scalars[index]`, with capital sigma in Final_Sigma context
    /// (`\p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})`) becoming `ς`.
    private static func appendLower(
        _ scalars: [Unicode.Scalar], _ index: Int, to out: inout String.UnicodeScalarView
    ) {
        guard scalars[index].value == 0x3A3 else {
            append(lowerMapping(scalars[index]), to: &out)
            return
        }
        var before = index - 1
        while before >= 0, isCaseIgnorable(scalars[before]) { before -= 1 }
        var finalSigma = before >= 0 && isCased(scalars[before])
        if finalSigma && index < scalars.count - 1 {
            var after = index + 1
            while after < scalars.count, isCaseIgnorable(scalars[after]) { after += 1 }
            finalSigma = after == scalars.count || !isCased(scalars[after])
        }
        out.append(finalSigma ? "\u{3C2}" : "\u{3C3}")
    }
}
