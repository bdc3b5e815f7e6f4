/// Pieces of YAML text for editing a document in place (translate): a scalar in the style its
/// source used, a mapping entry or a sequence item as indented block lines. Each reads back as
/// the value given, as the canonical form does.
extension YAMLEmitter {
    /// `value` written in `style` when that style reads back the same value (else in the canonical
    /// style); a literal block's lines are indented by `blockIndent` spaces.
    public static func scalarText(_ value: YAMLValue, preferring style: YAMLScalarSourceStyle, blockIndent: Int)
        -> String
    {
        guard case .string(let text) = value else {
            var writer = CanonicalWriter()
            writer.inlineValue(value, collectionIndent: max(0, blockIndent - 2))
            return String(decoding: writer.out, as: UTF8.self)
        }
        let canonical = ScalarStyle.choose(for: text, isKey: false)
        let analysis = ScalarAnalysis(text.unicodeScalars.map(\.value))
        var writer = CanonicalWriter()
        switch style {
        case .doubleQuoted:
            writer.doubleQuoted(text)
        case .singleQuoted where analysis.allowSingleQuoted && !analysis.multiline:
            writer.singleQuoted(text)
        case .plain where canonical == .plain:
            writer.write(text)
        case .literal, .folded:
            if case .literal(let indicator, let chomping) = canonical {
                writer.literal(text, indent: blockIndent, indentIndicator: indicator, chomping: chomping)
            } else {
                writer.scalar(value, isKey: false, collectionIndent: max(0, blockIndent - 2))
            }
        default:
            writer.scalar(value, isKey: false, collectionIndent: max(0, blockIndent - 2))
        }
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// `key: value` as block lines at column `indent` (every line indented, ending in a newline).
    public static func entryText(key: YAMLNode, value: YAMLNode, indent: Int) -> String {
        var writer = CanonicalWriter()
        writer.spaces(indent)
        writer.mapping(YAMLMapping([YAMLMapping.Entry(key: key, value: value)]), indent: indent)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// `- value` as block lines with the dash at column `indent` (ending in a newline).
    public static func itemText(_ value: YAMLNode, indent: Int) -> String {
        var writer = CanonicalWriter()
        writer.spaces(indent)
        writer.sequence([value], indent: indent)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// What follows `key:` for `value` in a block mapping at column `indent`: ` scalar\n` or a
    /// newline and the nested block.
    public static func blockValueText(_ value: YAMLNode, indent: Int) -> String {
        var writer = CanonicalWriter()
        writer.blockValue(value, indent: indent)
        return String(decoding: writer.out, as: UTF8.self)
    }
}
