/// markupsafe's `Markup` (3.0): a str marked safe for HTML. Jinja2 without autoescaping prints it as
/// its text, but `escape` leaves it alone, and its operators and methods escape the plain strings
/// they combine with it and return `Markup` again.
enum MarkupOperations {
    /// `markupsafe.escape(value)`: a Markup unchanged, anything else `str()`-ed and escaped.
    static func escape(_ value: Value) throws -> Value {
        if case .markup = value { return value }
        return .markup(BuiltinFilters.escapeHTML(try PythonFormatting.str(value)))
    }

    /// The text of `escape(value)`.
    static func escapedText(_ value: Value) throws -> String {
        if case .markup(let text) = value { return text }
        return BuiltinFilters.escapeHTML(try PythonFormatting.str(value))
    }

    /// `Markup(value)` (the `safe` filter).
    static func markSafe(_ value: Value) throws -> Value {
        if case .markup = value { return value }
        return .markup(try PythonFormatting.str(value))
    }

    /// `repr(Markup)`: `Markup('...')`.
    static func repr(_ text: String) -> String { "Markup(" + PythonFormatting.stringRepr(text) + ")" }

    /// `+`, `*` and `%` with a Markup on either side; nil for the operators a Markup has no say in.
    static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value? {
        switch (op, a, b) {
        case (.add, .markup(let x), .string), (.add, .markup(let x), .markup):
            return .markup(x + (try escapedText(b)))
        case (.add, .string, .markup(let y)):
            return .markup((try escapedText(a)) + y)
        case (.add, .markup, _), (.add, _, .markup):
            throw PythonOperators.unsupported("+", a, b)
        case (.mul, .markup(let text), _), (.mul, _, .markup(let text)):
            let other = { if case .markup = a { return b } else { return a } }()
            let product = try PythonOperators.binary(.mul, .string(text), other)
            guard case .string(let repeated) = product else { return product }
            return .markup(repeated)
        case (.mod, .markup(let format), _):
            return .markup(try PercentFormat.format(format, b, escaping: true))
        default:
            return nil
        }
    }

    /// The Markup methods: str's, returning Markup where markupsafe does, escaping their str
    /// arguments (`join`, `replace`, the fill character, `format`), plus `unescape` and `striptags`.
    static func method(_ text: String, _ name: String) -> Value? {
        let body: BuiltinMethods.StringMethodBody
        // Methods markupsafe defines in Python print as bound methods; str's own as built-ins.
        var pythonMethod = true
        switch name {
        case "escape":
            body = { arguments, _ in try escape(try arguments.bind(name, [("s", nil)])[0]) }
        case "unescape":
            body = { arguments, _ in
                _ = try arguments.bind(name, [])
                return .string(HTMLEntities.unescape(text))
            }
        case "striptags":
            body = { arguments, _ in
                _ = try arguments.bind(name, [])
                return .string(striptags(text))
            }
        case "join":
            body = { arguments, interpreter in
                let items = try PythonOperators.iterate(try arguments.bind(name, [("iterable", nil)])[0])
                let escaped = try items.map { item -> Value in
                    if case .undefined(let u) = item { throw EvalFailure(.undefined, u.message) }
                    return .string(try escapedText(item))
                }
                return try markup(
                    try base(text, name)!(Arguments([.list(ListObject(escaped))]), interpreter))
            }
        case "replace":
            body = { arguments, interpreter in
                var escaped = arguments
                try escapeArgument(&escaped, position: 1, keyword: "new")
                return try markup(try base(text, name)!(escaped, interpreter))
            }
        case "center", "ljust", "rjust":
            body = { arguments, interpreter in
                var escaped = arguments
                try escapeArgument(&escaped, position: 1, keyword: "fillchar")
                return try markup(try base(text, name)!(escaped, interpreter))
            }
        case "format", "format_map":
            body = { arguments, interpreter in
                var positional = arguments.positional
                var keyword = arguments.keyword
                if name == "format_map" {
                    let mapping = try arguments.bind(name, [("mapping", nil)])[0]
                    guard case .dict(let dict) = mapping else {
                        throw EvalFailure(.type, "'\(mapping.typeName)' object is not a mapping")
                    }
                    positional = []
                    keyword = try zip(dict.keys, dict.values).map { (try PythonFormatting.str($0), $1) }
                }
                return .markup(
                    try BraceFormat.format(
                        text, positional, keyword, interpreter: interpreter
                    ) { value, conversion, spec in try formatField(value, conversion, spec) })
            }
        case "split", "rsplit", "splitlines", "partition", "rpartition", "upper", "lower", "title", "capitalize",
            "swapcase", "casefold", "strip", "lstrip", "rstrip", "zfill", "expandtabs", "removeprefix",
            "removesuffix", "translate":
            guard let plain = base(text, name) else { return nil }
            body = { arguments, interpreter in try markup(try plain(arguments, interpreter)) }
        default:
            guard let plain = base(text, name) else { return nil }
            body = plain
            pythonMethod = false
        }
        let repr =
            name == "escape"
            ? "<bound method Markup.escape of <class 'markupsafe.Markup'>>"
            : pythonMethod
                ? "<bound method Markup.\(name) of \(Self.repr(text))>" : "<built-in method \(name) of Markup object>"
        return .callable(Callable(name: name, repr: repr, body))
    }

    /// markupsafe's `EscapeFormatter.format_field`: a Markup takes no format spec; anything else is
    /// converted, formatted and escaped.
    static func formatField(_ value: Value, _ conversion: Character?, _ spec: String) throws -> String {
        if conversion == nil, case .markup(let text) = value {
            if !spec.isEmpty { throw EvalFailure(.value, "Unsupported format specification for Markup.") }
            return text
        }
        let converted = try BraceFormat.convert(value, conversion)
        return BuiltinFilters.escapeHTML(try BraceFormat.formatValue(converted, spec: spec))
    }

    /// `Markup.striptags()`: comments, then tags removed, whitespace collapsed, entities unescaped.
    static func striptags(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        func find(_ needle: String, from start: Int) -> Int? {
            let pattern = Array(needle.unicodeScalars)
            guard scalars.count >= pattern.count else { return nil }
            var index = start
            while index + pattern.count <= scalars.count {
                if scalars[index..<index + pattern.count].elementsEqual(pattern) { return index }
                index += 1
            }
            return nil
        }
        var searchFrom = 0
        while let start = find("<!--", from: searchFrom), let end = find("-->", from: start) {
            scalars.removeSubrange(start..<end + 3)
            searchFrom = start
        }
        var stripped: [Unicode.Scalar] = []
        stripped.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if scalars[index] == "<", let close = scalars[index...].firstIndex(of: ">") {
                index = close + 1
            } else {
                stripped.append(scalars[index])
                index += 1
            }
        }
        let words = stripped.split(whereSeparator: PythonStrings.isSpace).map {
            String(String.UnicodeScalarView($0))
        }
        return HTMLEntities.unescape(words.joined(separator: " "))
    }

    // MARK: helpers

    private static func base(_ text: String, _ name: String) -> BuiltinMethods.StringMethodBody? {
        BuiltinMethods.stringMethodBody(text, name)
    }

    /// A str method's result as markupsafe returns it: strings (and the strings in a list or tuple)
    /// become Markup.
    private static func markup(_ value: Value) throws -> Value {
        switch value {
        case .string(let text): return .markup(text)
        case .list(let list): return .list(ListObject(try list.items.map(markup)))
        case .tuple(let items): return .tuple(try items.map(markup))
        default: return value
        }
    }

    private static func escapeArgument(_ arguments: inout Arguments, position: Int, keyword: String) throws {
        if position < arguments.positional.count {
            arguments.positional[position] = .string(try escapedText(arguments.positional[position]))
        } else if let index = arguments.keyword.firstIndex(where: { $0.0 == keyword }) {
            arguments.keyword[index].1 = .string(try escapedText(arguments.keyword[index].1))
        }
    }
}
