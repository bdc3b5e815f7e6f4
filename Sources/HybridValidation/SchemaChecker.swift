import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// Checks one bundle file against the marshmallow schema Superset's import loads it with
/// (``SupersetImportSchemas``), with marshmallow 3's load rules: required keys, unknown keys, the types each
/// field kind accepts, null, `choices`, length and range, nested schemas, `@pre_load` aliases and JSON strings.
///
/// Every problem is recorded, in document order (a mapping's missing keys first, at the mapping).
/// `@validates_schema` hooks and custom validators (``SupersetField/customValidators``) are not evaluated.
public struct SchemaChecker: Sendable {
    public init() {}

    /// Checks `document` against the schema of its kind; without a kind, against the schema of its directory
    /// (`queries/`), or `MetadataSchema` for `metadata.yaml`. Other files are not imported, so not checked.
    public func check(_ document: BundleDocument) -> [ValidationFinding] {
        var walker = SchemaWalker(path: document.path)
        if let name = Self.schemaName(document), let schema = CompiledSchema.named(name) {
            walker.checkSchema(document.node, schema)
        } else if document.path == "metadata.yaml" {
            walker.checkMetadata(document.node)
        }
        return walker.findings
    }

    /// The import schema of an asset file.
    static func schemaName(_ document: BundleDocument) -> String? {
        if let kind = document.kind { return SupersetImportSchemas.directories[kind.directory + "/"] }
        guard let slash = document.path.firstIndex(of: "/") else { return nil }
        return SupersetImportSchemas.directories[String(document.path[...slash])]
    }
}

// MARK: - Schemas, indexed once

/// A ``SupersetSchema`` with its lookups precomputed.
private struct CompiledSchema: Sendable {
    let name: String
    /// Field names and `@pre_load` aliases -> field.
    let fields: [String: SupersetField]
    let required: [SupersetField]
    /// alias -> field name.
    let aliases: [String: String]
    let jsonStringKeys: Set<String>
    let rejectsUnknownKeys: Bool
    /// Every accepted key, sorted, for messages and suggestions.
    let acceptedKeys: [String]

    init(_ schema: SupersetSchema) {
        name = schema.name
        var fields: [String: SupersetField] = [:]
        for field in schema.fields { fields[field.name] = field }
        for (alias, target) in schema.acceptedAliases {
            if let field = fields[target] { fields[alias] = field }
        }
        self.fields = fields
        required = schema.fields.filter(\.required)
        aliases = schema.acceptedAliases
        jsonStringKeys = Set(schema.jsonStringKeys)
        rejectsUnknownKeys = schema.rejectsUnknownKeys
        acceptedKeys = fields.keys.sorted()
    }

    private static let all: [String: CompiledSchema] = SupersetImportSchemas.all.mapValues(CompiledSchema.init)

    static func named(_ name: String) -> CompiledSchema? { all[name] }
}

// MARK: - The walk

private struct SchemaWalker {
    let path: String
    var findings: [ValidationFinding] = []
    var keyPath: [ValidationFinding.KeyPathComponent] = []

    init(path: String) {
        self.path = path
    }

    mutating func report(
        _ mark: YAMLMark, _ message: String, severity: Diagnostic.Severity = .error,
        extra: ValidationFinding.KeyPathComponent? = nil
    ) {
        var components = keyPath
        if let extra { components.append(extra) }
        findings.append(ValidationFinding(severity, .schema, path: path, keyPath: components, at: mark, message))
    }

    // MARK: metadata.yaml

    mutating func checkMetadata(_ node: YAMLNode) {
        guard let schema = CompiledSchema.named(SupersetImportSchemas.metadata) else { return }
        checkSchema(node, schema)
        guard let type = node.mappingValue?["type"], case .string(let text) = type.value else { return }
        let expected = SupersetImportSchemas.assetsMetadataType
        if text != expected {
            report(
                type.mark, "must be '\(expected)' for the assets import, got \(FindingText.describe(type.value))",
                extra: .key("type"))
        }
    }

    // MARK: schemas

    mutating func checkSchema(_ node: YAMLNode, _ schema: CompiledSchema) {
        guard case .mapping(let mapping) = node.value else {
            report(node.mark, "expected a mapping, got \(FindingText.describe(node.value))")
            return
        }
        for field in schema.required where !contains(mapping, field, schema) {
            report(node.mark, "missing required key '\(field.name)'", extra: .key(field.name))
        }
        for entry in mapping.entries {
            guard case .string(let key) = entry.key.value, let field = schema.fields[key] else {
                if schema.rejectsUnknownKeys { reportUnknownKey(entry.key, schema) }
                continue
            }
            keyPath.append(.key(key))
            defer { keyPath.removeLast() }
            if let target = schema.aliases[key], mapping[target] != nil {
                report(
                    entry.key.mark,
                    "'\(key)' is an old name of '\(target)', which is also set; Superset keeps the value of '\(key)'",
                    severity: .warning)
            }
            if schema.jsonStringKeys.contains(field.name), case .string(let text) = entry.value.value {
                guard let decoded = JSONText.decode(text, mark: entry.value.mark) else {
                    report(
                        entry.value.mark,
                        "a string here is decoded as JSON, and \(FindingText.quoted(text)) is not valid JSON")
                    continue
                }
                checkField(decoded, field)
            } else {
                checkField(entry.value, field)
            }
        }
    }

    private func contains(_ mapping: YAMLMapping, _ field: SupersetField, _ schema: CompiledSchema) -> Bool {
        if mapping[field.name] != nil { return true }
        for (alias, target) in schema.aliases where target == field.name && mapping[alias] != nil { return true }
        return false
    }

    private mutating func reportUnknownKey(_ key: YAMLNode, _ schema: CompiledSchema) {
        let text = key.stringValue ?? FindingText.scalar(key.value)
        var message = "unknown key \(FindingText.quoted(text))"
        if key.stringValue != nil, let suggestion = EditDistance.closest(to: text, in: schema.acceptedKeys) {
            message += " (did you mean '\(suggestion)'?)"
        }
        message += "; allowed keys: " + schema.acceptedKeys.joined(separator: ", ")
        report(key.mark, message, extra: .key(text))
    }

    // MARK: fields

    mutating func checkField(_ node: YAMLNode, _ field: SupersetField) {
        if case .null = node.value {
            if !field.allowNone { report(node.mark, "may not be null") }
            return
        }
        switch field.kind {
        case .list:
            guard case .sequence(let items) = node.value else {
                report(node.mark, FindingText.wrongType(node.value, .list))
                return
            }
            for (index, item) in items.enumerated() {
                keyPath.append(.index(index))
                checkElement(item, field)
                keyPath.removeLast()
            }
            checkLength(items.count, node.mark, field, unit: "elements")
        case .dict:
            guard case .mapping(let mapping) = node.value else {
                report(node.mark, FindingText.wrongType(node.value, .dict))
                return
            }
            if field.key != nil || field.element != nil {
                for entry in mapping.entries {
                    keyPath.append(.key(entry.key.stringValue ?? FindingText.scalar(entry.key.value)))
                    if let keyKind = field.key { checkDictKey(entry.key, keyKind) }
                    checkElement(entry.value, field)
                    keyPath.removeLast()
                }
            }
            checkLength(mapping.count, node.mark, field, unit: "entries")
        case .nested:
            guard let nested = field.nested.flatMap(CompiledSchema.named) else { return }
            if field.customClass == "CurrencyField", case .string(let text) = node.value {
                checkLegacyCurrency(text, node.mark, nested)
            } else {
                checkSchema(node, nested)
            }
        default:
            if let problem = ScalarRules.problem(node.value, field.kind) {
                report(node.mark, problem)
                return
            }
            checkChoices(node, field)
            if case .string(let text) = node.value {
                checkLength(text.unicodeScalars.count, node.mark, field, unit: "characters")
            }
            checkRange(node, field)
        }
    }

    /// A list element or dict value.
    private mutating func checkElement(_ node: YAMLNode, _ field: SupersetField) {
        guard let kind = field.element else { return }
        if case .null = node.value {
            if !field.elementAllowsNone { report(node.mark, "may not be null") }
            return
        }
        switch kind {
        case .nested:
            if let nested = field.nested.flatMap(CompiledSchema.named) { checkSchema(node, nested) }
        case .list:
            if node.sequenceValue == nil { report(node.mark, FindingText.wrongType(node.value, .list)) }
        case .dict:
            if node.mappingValue == nil { report(node.mark, FindingText.wrongType(node.value, .dict)) }
        default:
            if let problem = ScalarRules.problem(node.value, kind) { report(node.mark, problem) }
        }
    }

    private mutating func checkDictKey(_ key: YAMLNode, _ kind: SupersetFieldKind) {
        if case .null = key.value {
            report(key.mark, "a key may not be null")
        } else if let problem = ScalarRules.problem(key.value, kind) {
            report(key.mark, "key: " + problem)
        }
    }

    /// `CurrencyField`: a string is parsed (JSON, up to twice); a mapping result is validated, anything else
    /// becomes `{}`.
    private mutating func checkLegacyCurrency(_ text: String, _ mark: YAMLMark, _ schema: CompiledSchema) {
        var decoded = JSONText.decode(text, mark: mark)
        if case .string(let inner)? = decoded?.value { decoded = JSONText.decode(inner, mark: mark) }
        if let decoded, decoded.mappingValue != nil { checkSchema(decoded, schema) }
    }

    private mutating func checkChoices(_ node: YAMLNode, _ field: SupersetField) {
        guard let choices = field.choices else { return }
        let text = node.stringValue ?? FindingText.scalar(node.value)
        guard !choices.contains(text) else { return }
        if choices.count == 1 {
            report(node.mark, "must be '\(choices[0])', got \(FindingText.describe(node.value))")
        } else {
            let list = choices.map { "'\($0)'" }.joined(separator: ", ")
            report(node.mark, "must be one of \(list), got \(FindingText.describe(node.value))")
        }
    }

    private mutating func checkLength(_ count: Int, _ mark: YAMLMark, _ field: SupersetField, unit: String) {
        if let minimum = field.minLength, count < minimum {
            report(mark, "must have at least \(minimum) \(unit), has \(count)")
        }
        if let maximum = field.maxLength, count > maximum {
            report(mark, "must have at most \(maximum) \(unit), has \(count)")
        }
    }

    private mutating func checkRange(_ node: YAMLNode, _ field: SupersetField) {
        guard field.minimum != nil || field.maximum != nil,
            let number = ScalarRules.number(node.value, field.kind)
        else { return }
        if let minimum = field.minimum, number < minimum {
            report(
                node.mark, "must be at least \(FindingText.number(minimum)), got \(FindingText.describe(node.value))")
        }
        if let maximum = field.maximum, number > maximum {
            report(node.mark, "must be at most \(FindingText.number(maximum)), got \(FindingText.describe(node.value))")
        }
    }
}

// MARK: - What each field kind accepts (marshmallow 3)

private enum ScalarRules {
    /// Why marshmallow would reject `value` for a field of `kind`, or nil if it loads. Null is handled by callers;
    /// `.list`, `.dict` and `.nested` only check the container type here.
    static func problem(_ value: YAMLValue, _ kind: SupersetFieldKind) -> String? {
        switch kind {
        case .raw:
            return nil
        case .string:
            return value.isString ? nil : FindingText.wrongType(value, kind)
        case .integer:
            switch value {
            case .int, .bigInt: return nil
            case .float(let number):
                if number.isNaN { return FindingText.wrongType(value, kind) }
                return number.isInfinite ? "number too large" : nil
            case .string(let text):
                return (PythonNumberParsing.int(text, base: 10) != nil) ? nil : FindingText.wrongType(value, kind)
            default: return FindingText.wrongType(value, kind)
            }
        case .float, .decimal:
            let number: Double
            switch value {
            case .int(let integer): number = Double(integer)
            case .bigInt(let text): number = Double(text) ?? .infinity
            case .float(let float): number = float
            case .string(let text):
                guard let parsed = PythonNumberParsing.float(text) else { return FindingText.wrongType(value, kind) }
                number = parsed
            default: return FindingText.wrongType(value, kind)
            }
            if number.isNaN || number.isInfinite { return "special numeric values (nan or infinity) are not permitted" }
            return nil
        case .boolean:
            return isBoolean(value) ? nil : FindingText.wrongType(value, kind)
        case .uuid:
            guard case .string(let text) = value else { return FindingText.wrongType(value, kind) }
            return PythonUUID.isValid(text) ? nil : "\(FindingText.quoted(text)) is not a valid UUID"
        case .dict, .nested:
            return value.isMapping ? nil : FindingText.wrongType(value, kind)
        case .list:
            if case .sequence = value { return nil }
            return FindingText.wrongType(value, kind)
        case .enumeration:
            // The choices are checked by the caller.
            return value.isString ? nil : FindingText.wrongType(value, kind)
        case .dateTime, .date, .time:
            guard case .string(let text) = value else { return FindingText.wrongType(value, kind) }
            return ISOTime.isValid(text, kind)
                ? nil : "\(FindingText.quoted(text)) is not \(FindingText.expectation(kind))"
        case .url:
            guard case .string(let text) = value else { return FindingText.wrongType(value, kind) }
            return URLRule.isValid(text) ? nil : "\(FindingText.quoted(text)) is not \(FindingText.expectation(kind))"
        case .email:
            guard case .string(let text) = value else { return FindingText.wrongType(value, kind) }
            return EmailRule.isValid(text) ? nil : "\(FindingText.quoted(text)) is not \(FindingText.expectation(kind))"
        }
    }

    /// marshmallow's `Boolean.truthy` / `falsy` (membership by Python equality: `1.0 == 1 == True`).
    static func isBoolean(_ value: YAMLValue) -> Bool {
        switch value {
        case .bool: return true
        case .int(let integer): return integer == 0 || integer == 1
        case .float(let number): return number == 0 || number == 1
        case .string(let text): return booleanWords.contains(text)
        default: return false
        }
    }

    private static let booleanWords: Set<String> = [
        "t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES", "1",
        "f", "F", "false", "False", "FALSE", "off", "Off", "OFF", "n", "N", "no", "No", "NO", "0",
    ]

    /// The number a numeric field loads `value` as, for `Range`.
    static func number(_ value: YAMLValue, _ kind: SupersetFieldKind) -> Double? {
        let number: Double?
        switch value {
        case .int(let integer): number = Double(integer)
        case .bigInt(let text): number = Double(text)
        case .float(let float): number = float
        case .string(let text): number = PythonNumberParsing.float(text)
        default: number = nil
        }
        guard let number else { return nil }
        return kind == .integer ? number.rounded(.towardZero) : number
    }
}

extension YAMLValue {
    fileprivate var isString: Bool {
        if case .string = self { return true }
        return false
    }

    fileprivate var isMapping: Bool {
        if case .mapping = self { return true }
        return false
    }
}

/// Python's `uuid.UUID(text)`.
private enum PythonUUID {
    static func isValid(_ text: String) -> Bool {
        if isCanonical(text) { return true }
        // hex = hex.replace('urn:', '').replace('uuid:', ''); hex = hex.strip('{}').replace('-', '')
        var scalars = Array(text.replacing("urn:", with: "").replacing("uuid:", with: "").unicodeScalars)
        while let first = scalars.first, first == "{" || first == "}" { scalars.removeFirst() }
        while let last = scalars.last, last == "{" || last == "}" { scalars.removeLast() }
        scalars.removeAll { $0 == "-" }
        guard scalars.count == 32 else { return false }
        // int(hex, 16): whitespace, an optional '+', an optional 0x prefix, hex digits with single underscores.
        var body = scalars[...]
        while let first = body.first, first.properties.isWhitespace { body = body.dropFirst() }
        while let last = body.last, last.properties.isWhitespace { body = body.dropLast() }
        if body.first == "+" { body = body.dropFirst() }
        if body.count >= 2, body.first == "0", let x = body.dropFirst().first, x == "x" || x == "X" {
            body = body.dropFirst(2)
            if body.first == "_" { body = body.dropFirst() }
        }
        var previousWasDigit = false
        for scalar in body {
            if scalar.properties.isASCIIHexDigit {
                previousWasDigit = true
            } else if scalar == "_" && previousWasDigit {
                previousWasDigit = false
            } else {
                return false
            }
        }
        return previousWasDigit
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits (either case).
    static func isCanonical(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 {
            switch count {
            case 8, 13, 18, 23:
                guard byte == UInt8(ascii: "-") else { return false }
            default:
                guard isHex(byte) else { return false }
            }
            count += 1
        }
        return count == 36
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            return true
        default:
            return false
        }
    }
}

/// marshmallow 3's ISO 8601 regular expressions (`utils.from_iso_datetime` & co.) and `datetime`'s range checks.
private enum ISOTime {
    static func isValid(_ text: String, _ kind: SupersetFieldKind) -> Bool {
        var scanner = DigitScanner(text)
        switch kind {
        case .date:
            return scanner.date() && scanner.atEnd()
        case .time:
            return scanner.time() && scanner.atEnd()
        default:
            guard scanner.date(), scanner.take("T") || scanner.take(" "), scanner.time() else { return false }
            _ = scanner.timeZone()
            return scanner.valid && scanner.atEnd()
        }
    }

    private struct DigitScanner {
        let scalars: [Unicode.Scalar]
        var index = 0
        var valid = true

        init(_ text: String) {
            scalars = Array(text.unicodeScalars)
        }

        mutating func take(_ scalar: Unicode.Scalar) -> Bool {
            guard index < scalars.count, scalars[index] == scalar else { return false }
            index += 1
            return true
        }

        /// `\d{min,max}`, greedy.
        mutating func digits(_ minimum: Int, _ maximum: Int) -> Int? {
            var value = 0
            var count = 0
            while count < maximum, index < scalars.count, scalars[index].properties.numericType == .decimal,
                let digit = scalars[index].properties.numericValue
            {
                value = value * 10 + Int(digit)
                count += 1
                index += 1
            }
            return count >= minimum ? value : nil
        }

        /// `(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})`, a real date.
        mutating func date() -> Bool {
            guard let year = digits(4, 4), take("-"), let month = digits(1, 2), take("-"), let day = digits(1, 2)
            else { return false }
            guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            return day <= lengths[month - 1]
        }

        /// `(?P<hour>\d{1,2}):(?P<minute>\d{1,2})(?::(?P<second>\d{1,2})(?:\.(?P<microsecond>\d{1,6})\d{0,6})?)?`
        mutating func time() -> Bool {
            guard let hour = digits(1, 2), take(":"), let minute = digits(1, 2) else { return false }
            guard hour < 24, minute < 60 else { return false }
            let start = index
            if take(":") {
                guard let second = digits(1, 2) else {
                    index = start
                    return true
                }
                guard second < 60 else { return false }
                let fraction = index
                if take("."), digits(1, 12) == nil { index = fraction }
            }
            return true
        }

        /// `(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?`, an offset under 24 hours.
        mutating func timeZone() -> Bool {
            if take("Z") { return true }
            guard take("+") || take("-") else { return false }
            guard let hours = digits(2, 2) else {
                valid = false
                return false
            }
            let start = index
            _ = take(":")
            let minutes = digits(2, 2)
            if minutes == nil { index = start }
            if hours * 60 + (minutes ?? 0) >= 24 * 60 { valid = false }
            return true
        }

        /// `$`: the end, or a final newline.
        func atEnd() -> Bool {
            index == scalars.count || (index == scalars.count - 1 && scalars[index] == "\n")
        }
    }
}

/// marshmallow's `validate.URL(relative=False, require_tld=True)` with the schemes http, https, ftp, ftps.
private enum URLRule {
    private static let schemes: Set<String> = ["http", "https", "ftp", "ftps"]

    // One compiled expression for the process; `Regex` is not `Sendable`, but matching never mutates it
    // (its lazily lowered program is initialised atomically).
    nonisolated(unsafe) private static let expression: Regex<AnyRegexOutput> = {
        let hostname = [
            #"(?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z]{2,6}\.?|[A-Z0-9-]{2,}\.?)"#,
            "localhost",
            #"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}"#,
            #"\[[A-F0-9]*:[A-F0-9:]+\]"#,
        ].joined(separator: "|")
        let pattern =
            #"(?:[a-z0-9\.\-\+]*)://(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:"# + hostname
            + #")(?::\d+)?(?:/?|[/?]\S+)"#
        return try! Regex(pattern).ignoresCase()
    }()

    static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        if let separator = text.range(of: "://") {
            guard schemes.contains(text[..<separator.lowerBound].lowercased()) else { return false }
        }
        return (try? expression.wholeMatch(in: text)) != nil
    }
}

/// An approximation of marshmallow's `validate.Email`: a dot-atom user part and a host name with a TLD,
/// `localhost` or a bracketed IPv4 address.
private enum EmailRule {
    private static let userCharacters = Set("!#$%&'*+/=?^`{}|~-_")

    static func isValid(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let user = text[..<at]
        let domain = text[text.index(after: at)...]
        let atoms = user.split(separator: ".", omittingEmptySubsequences: false)
        guard !user.isEmpty,
            atoms.allSatisfy({ atom in
                !atom.isEmpty && atom.allSatisfy { $0.isLetter || $0.isNumber || userCharacters.contains($0) }
            })
        else { return false }
        if domain == "localhost" { return true }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, tld.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

// MARK: - Message text

enum FindingText {
    static func expectation(_ kind: SupersetFieldKind) -> String {
        switch kind {
        case .string: "a string"
        case .integer: "an integer"
        case .float, .decimal: "a number"
        case .boolean: "a boolean"
        case .uuid: "a UUID string"
        case .dict, .nested: "a mapping"
        case .list: "a list"
        case .raw: "a value"
        case .enumeration: "a string"
        case .dateTime: "an ISO 8601 date-time string (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM])"
        case .date: "an ISO 8601 date string (YYYY-MM-DD)"
        case .time: "an ISO 8601 time string (HH:MM[:SS[.ffffff]])"
        case .url: "an absolute http, https, ftp or ftps URL with a host"
        case .email: "an email address"
        }
    }

    static func wrongType(_ value: YAMLValue, _ kind: SupersetFieldKind) -> String {
        var message = "expected \(expectation(kind)), got \(describe(value))"
        switch (kind, value) {
        case (.string, .bool), (.string, .int), (.string, .bigInt), (.string, .float), (.string, .date),
            (.string, .timestamp), (.dateTime, .timestamp), (.dateTime, .date), (.date, .date):
            message += " (quote it to keep it a string)"
        default:
            break
        }
        return message
    }

    /// `the integer 3`, `the string 'x'`, `a list`, `null`.
    static func describe(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "the boolean \(scalar(value))"
        case .int, .bigInt: "the integer \(scalar(value))"
        case .float: "the float \(scalar(value))"
        case .string(let text): "the string \(quoted(text))"
        case .date: "the date \(scalar(value))"
        case .timestamp: "the timestamp \(scalar(value))"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// A scalar's text as YAML writes it (`true`, `1.0`, `2024-01-01`); `…` for collections.
    static func scalar(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let integer): String(integer)
        case .bigInt(let text): text
        case .float(let number): PythonFloatFormat.yaml(number)
        case .string(let text): text
        case .date(let date): date.description
        case .timestamp(let timestamp): timestamp.description
        case .sequence: "[…]"
        case .mapping: "{…}"
        }
    }

    /// `'text'`, shortened to 60 characters.
    static func quoted(_ text: String) -> String {
        let limit = 60
        guard text.count > limit else { return "'\(text)'" }
        return "'\(text.prefix(limit - 1))…'"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
