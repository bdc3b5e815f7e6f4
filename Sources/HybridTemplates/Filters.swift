import BigInt
import Foundation
import HybridYAML

typealias FilterFunction = @Sendable (Value, Arguments, Interpreter) throws -> Value

/// Jinja2's built-in filters (jinja2/filters.py), with Python semantics for every argument form.
enum BuiltinFilters {
    static let all: [String: FilterFunction] = {
        var filters: [String: FilterFunction] = [
            "abs": abs, "attr": attr, "batch": batch, "capitalize": capitalize, "center": center, "count": length,
            "d": defaultFilter, "default": defaultFilter, "dictsort": dictsort, "e": escape, "escape": escape,
            "filesizeformat": filesizeformat, "first": first, "float": float, "forceescape": forceescape,
            "format": format,
            "groupby": groupby, "indent": indent, "int": int, "items": items, "join": join, "last": last,
            "length": length, "list": list, "lower": lower, "map": map, "max": max, "min": min, "pprint": pprint,
            "random": random, "reject": reject, "rejectattr": rejectattr, "replace": replace, "reverse": reverse,
            "round": round, "safe": safe, "select": select, "selectattr": selectattr, "slice": slice, "sort": sort,
            "string": string, "striptags": striptags, "sum": sum, "title": title, "tojson": tojson, "trim": trim,
            "truncate": truncate, "unique": unique, "upper": upper, "urlencode": urlencode, "wordcount": wordcount,
            "wordwrap": wordwrap, "xmlattr": xmlattr,
        ]
        filters["urlize"] = { _, _, _ in throw EvalFailure(.runtime, "the 'urlize' filter is not supported by hybrid") }
        return filters
    }()

    // MARK: helpers

    static func softString(_ value: Value) throws -> String { try PythonFormatting.str(value) }

    /// `result` as a Markup when the filter's input was one (markupsafe's `soft_str` keeps Markup,
    /// and its str methods return Markup), else as a str.
    static func keepingMarkup(_ value: Value, _ result: String) -> Value {
        if case .markup = value { return .markup(result) }
        return .string(result)
    }

    static func iterable(_ value: Value) throws -> [Value] { try PythonOperators.iterate(value) }

    static func ignoreCase(_ value: Value) -> Value {
        if case .string(let text) = value { return .string(PythonStrings.lower(text)) }
        return value
    }

    /// `int(x) if x.isdigit() else x` for each dotted part of an attribute path.
    static func attributeParts(_ attribute: Value) throws -> [Value] {
        switch attribute {
        case .none: return []
        case .string(let text):
            return text.split(separator: ".", omittingEmptySubsequences: false).map { part in
                let string = String(part)
                if !string.isEmpty, string.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal }),
                    let number = Int(string)
                {
                    return .int(number)
                }
                return .string(string)
            }
        default: return [attribute]
        }
    }

    /// Jinja's `make_attrgetter` (item lookup first, as `environment.getitem`).
    static func attributeGetter(
        _ attribute: Value, _ interpreter: Interpreter, lowercase: Bool = false, defaultValue: Value? = nil
    ) throws -> (Value) throws -> Value {
        let parts = try attributeParts(attribute)
        return { item in
            var current = item
            for part in parts {
                current = try interpreter.getitem(current, part)
                if let defaultValue, case .undefined = current { current = defaultValue }
            }
            return lowercase ? ignoreCase(current) : current
        }
    }

    /// Jinja's `make_multi_attrgetter`: `"a,b"` gives a list key of both attributes.
    static func multiAttributeGetter(_ attribute: Value, _ interpreter: Interpreter, lowercase: Bool) throws -> (Value)
        throws -> Value
    {
        let split: [Value]
        if case .string(let text) = attribute {
            split = text.split(separator: ",", omittingEmptySubsequences: false).map { .string(String($0)) }
        } else {
            split = [attribute]
        }
        let getters = try split.map { try attributeGetter($0, interpreter, lowercase: lowercase) }
        return { item in .list(ListObject(try getters.map { try $0(item) })) }
    }

    static func sorted(_ items: [Value], key: (Value) throws -> Value, reverse: Bool) throws -> [Value] {
        let keyed = try items.map { (try key($0), $0) }
        var failure: Error?
        // Python's sort is stable and uses only `<`; reverse keeps equal elements in order.
        let result = keyed.enumerated().sorted { a, b in
            if failure != nil { return false }
            do {
                let (x, y) = reverse ? (b.element.0, a.element.0) : (a.element.0, b.element.0)
                if let order = try PythonOperators.ordering(x, y), order != 0 { return order < 0 }
                return a.offset < b.offset
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return result.map { $0.element.1 }
    }

    // MARK: filters

    static func abs(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("abs", [])
        switch value {
        case .int(let number):
            return number == .min ? .bigInt(BigInt(number).magnitude.asSigned) : .int(Swift.abs(number))
        case .bigInt(let number): return .bigInt(BigInt(number.magnitude))
        case .float(let number): return .float(Swift.abs(number))
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .clock(let clock):
            if let result = try ClockArithmetic.unary(clock, negate: false, absolute: true) { return result }
            throw EvalFailure(.type, "bad operand type for abs(): '\(value.typeName)'")
        // Neither Undefined class defines __abs__: Python's TypeError, not an UndefinedError.
        default: throw EvalFailure(.type, "bad operand type for abs(): '\(value.typeName)'")
        }
    }

    static func attr(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let name = try BuiltinMethods.stringArgument(try arguments.bind("attr", [("name", nil)])[0], "attr")
        switch value {
        case .dict, .list, .tuple:
            if let attribute = try BuiltinMethods.attribute(of: value, named: name, interpreter) { return attribute }
            return .undefined(UndefinedValue(name: name, owner: value.objectTypeRepr))
        default:
            return try interpreter.getattr(value, name)
        }
    }

    static func batch(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("batch", [("linecount", nil), ("fill_with", Value.none)])
        // A generator in Jinja2: nothing is checked or computed until it is iterated.
        return .iterator(
            IteratorObject(generator: "do_batch") {
                let count = try Limits.size(try BuiltinMethods.intArgument(bound[0], "batch"), "batch size")
                var result: [Value] = []
                var current: [Value] = []
                for item in try iterable(value) {
                    if current.count == count {
                        result.append(.list(ListObject(current)))
                        current = []
                    }
                    current.append(item)
                }
                if !current.isEmpty {
                    if case .none = bound[1] {
                    } else if current.count < count {
                        guard count - current.count <= Interpreter.maximumIterations else {
                            throw EvalFailure(.runtime, "MemoryError: batch of \(count) items is too large to fill")
                        }
                        current += Array(repeating: bound[1], count: count - current.count)
                    }
                    result.append(.list(ListObject(current)))
                }
                return result
            })
    }

    static func capitalize(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("capitalize", [])
        return keepingMarkup(value, PythonStrings.capitalize(try softString(value)))
    }

    static func center(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let width = try Limits.size(
            try BuiltinMethods.intArgument(try arguments.bind("center", [("width", .int(80))])[0], "center"), "width")
        return keepingMarkup(value, PythonStrings.center(try softString(value), width))
    }

    static func length(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("length", [])
        return .int(try PythonOperators.length(value))
    }

    static func defaultFilter(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let positional = arguments.positional
        let defaultValue: Value
        let boolean: Value
        if arguments.keyword.isEmpty && positional.count <= 2 {
            // `x | default(y)` and `x | default(y, true)`: the binding without building arrays.
            defaultValue = positional.first ?? .string("")
            boolean = positional.count == 2 ? positional[1] : .bool(false)
        } else {
            let bound = try arguments.bind("default", [("default_value", .string("")), ("boolean", .bool(false))])
            (defaultValue, boolean) = (bound[0], bound[1])
        }
        if case .undefined = value { return defaultValue }
        if try PythonOperators.truth(boolean), try !PythonOperators.truth(value) { return defaultValue }
        return value
    }

    static func dictsort(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "dictsort", [("case_sensitive", .bool(false)), ("by", .string("key")), ("reverse", .bool(false))])
        let position: Int
        switch bound[1] {
        case .string("key"): position = 0
        case .string("value"): position = 1
        default: throw EvalFailure(.runtime, "You can only sort by either \"key\" or \"value\"")
        }
        guard case .dict(let dict) = value else {
            if case .undefined(let u) = value { throw EvalFailure(.undefined, u.message) }
            throw PythonOperators.attributeError(value, "items")
        }
        let caseSensitive = try PythonOperators.truth(bound[0])
        let pairs = zip(dict.keys, dict.values).map { Value.tuple([$0, $1]) }
        return .list(
            ListObject(
                try sorted(
                    pairs,
                    key: { pair in
                        guard case .tuple(let items) = pair else { return pair }
                        return caseSensitive ? items[position] : ignoreCase(items[position])
                    }, reverse: try PythonOperators.truth(bound[2]))))
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func escape(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("escape", [])
        return try MarkupOperations.escape(value)
    }

    /// `forceescape`: escapes even a Markup's text.
    static func forceescape(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("forceescape", [])
        return .markup(escapeHTML(try softString(value)))
    }

    /// Jinja's `do_filesizeformat`: `float(value)` compared exactly with the integer `base ** k`.
    static func filesizeformat(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let binary = try PythonOperators.truth(try arguments.bind("filesizeformat", [("binary", .bool(false))])[0])
        let bytes = try pythonFloat(value)
        let base = binary ? 1024 : 1000
        let prefixes =
            binary
            ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
            : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
        if bytes == 1 { return .string("1 Byte") }
        if bytes < Double(base) {
            guard bytes.isFinite else {
                throw EvalFailure(
                    bytes.isNaN ? .value : .runtime,
                    bytes.isNaN ? "cannot convert float NaN to integer" : "cannot convert float infinity to integer")
            }
            return .string(
                try PythonFormatting.str(PythonOperators.intValue(BigInt(bytes.rounded(.towardZero)))) + " Bytes")
        }
        var unit = BigInt(base)
        var chosen = prefixes[prefixes.count - 1]
        for prefix in prefixes {
            unit *= BigInt(base)
            chosen = prefix
            if let order = try PythonOperators.ordering(.float(bytes), .bigInt(unit)), order < 0 { break }
        }
        let scaled = Double(base) * bytes / PythonOperators.correctlyRoundedDouble(unit)
        return .string(try PercentFormat.format("%.1f", .float(scaled)) + " " + chosen)
    }

    static func first(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("first", [])
        let items = try iterable(value)
        return items.first ?? .undefined(UndefinedValue(hint: "No first item, sequence was empty."))
    }

    static func last(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("last", [])
        if case .iterator = value { throw EvalFailure(.type, "'generator' object is not reversible") }
        let items = try iterable(value)
        return items.last ?? .undefined(UndefinedValue(hint: "No last item, sequence was empty."))
    }

    /// Python's `float(value)`; nil where it raises TypeError/ValueError.
    static func pythonFloatOrNil(_ value: Value) throws -> Double? {
        switch value {
        case .float(let number): return number
        case .int(let number): return Double(number)
        case .bigInt(let number):
            let converted = PythonOperators.correctlyRoundedDouble(number)
            if converted.isInfinite { throw EvalFailure(.runtime, "OverflowError: int too large to convert to float") }
            return converted
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text), .markup(let text): return PythonNumberParsing.float(text)
        case .bytes(let bytes):
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return PythonNumberParsing.float(String(decoding: bytes, as: UTF8.self))
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        default: return nil
        }
    }

    static func pythonFloat(_ value: Value) throws -> Double {
        guard let number = try pythonFloatOrNil(value) else {
            switch value {
            case .string, .markup, .bytes:
                throw EvalFailure(.value, "could not convert string to float: \(try PythonFormatting.repr(value))")
            default:
                throw EvalFailure(
                    .type, "float() argument must be a string or a real number, not '\(value.typeName)'")
            }
        }
        return number
    }

    static func float(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let defaultValue = try arguments.bind("float", [("default", .float(0))])[0]
        if let number = try pythonFloatOrNil(value) { return .float(number) }
        return defaultValue
    }

    static func format(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        if !arguments.positional.isEmpty && !arguments.keyword.isEmpty {
            throw EvalFailure(.runtime, "can't handle positional and keyword arguments at the same time")
        }
        let argument: Value =
            arguments.keyword.isEmpty ? .tuple(arguments.positional) : .dict(DictObject(stringKeys: arguments.keyword))
        if case .markup(let text) = value { return .markup(try PercentFormat.format(text, argument, escaping: true)) }
        return .string(try PercentFormat.format(try softString(value), argument))
    }

    static func groupby(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "groupby", [("attribute", nil), ("default", Value.none), ("case_sensitive", .bool(false))])
        let caseSensitive = try PythonOperators.truth(bound[2])
        let defaultValue: Value? = { if case .none = bound[1] { return nil } else { return bound[1] } }()
        let key = try attributeGetter(bound[0], interpreter, lowercase: !caseSensitive, defaultValue: defaultValue)
        let output = try attributeGetter(bound[0], interpreter, defaultValue: defaultValue)
        let items = try sorted(try iterable(value), key: key, reverse: false)
        var groups: [Value] = []
        var currentKey: Value?
        var current: [Value] = []
        func flush() throws {
            guard let currentKey, !current.isEmpty else { return }
            let grouper = caseSensitive ? currentKey : try output(current[0])
            groups.append(
                .namedTuple(
                    NamedTupleValue(fields: ["grouper", "list"], values: [grouper, .list(ListObject(current))])))
        }
        for item in items {
            let itemKey = try key(item)
            if let existing = currentKey, try PythonOperators.equal(existing, itemKey) {
                current.append(item)
            } else {
                try flush()
                currentKey = itemKey
                current = [item]
            }
        }
        try flush()
        return .list(ListObject(groups))
    }

    static func indent(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "indent", [("width", .int(4)), ("first", .bool(false)), ("blank", .bool(false))])
        let indention: String
        if case .string(let text) = bound[0] {
            indention = text
        } else {
            indention = String(
                repeating: " ",
                count: Swift.max(0, try Limits.size(try BuiltinMethods.intArgument(bound[0], "indent"), "indent")))
        }
        // `s += "\n"` in Jinja2: only a string (or an undefined, which fails) gets past it.
        switch value {
        case .string, .markup: break
        // Undefined's `+=` fails, the lenient one of an if-expression without else too.
        case .undefined(let u): throw EvalFailure(.undefined, u.message)
        case .list: throw EvalFailure(.runtime, "AttributeError: 'list' object has no attribute 'splitlines'")
        case .tuple: throw EvalFailure(.type, "can only concatenate tuple (not \"str\") to tuple")
        default: throw EvalFailure(.type, "unsupported operand type(s) for +=: '\(value.typeName)' and 'str'")
        }
        let text = try softString(value) + "\n"
        // Every line may get the indention: charged before the lines are built.
        let lineCount = text.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 } + 1
        try RenderBudget.check(
            RenderBudget.times(lineCount, indention.utf8.count) &+ text.utf8.count, for: "an indented string")
        var result: String
        if try PythonOperators.truth(bound[2]) {
            result = PythonStrings.splitlines(text).joined(separator: "\n" + indention)
        } else {
            var lines = PythonStrings.splitlines(text)
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        if try PythonOperators.truth(bound[1]) { result = indention + result }
        return keepingMarkup(value, result)
    }

    static func int(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("int", [("default", .int(0)), ("base", .int(10))])
        if case .undefined(let u) = value { throw EvalFailure(.undefined, u.message) }
        let base = try BuiltinMethods.intArgument(bound[1], "int")
        switch value {
        case .int, .bigInt: return value
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .float(let number):
            guard number.isFinite else { return bound[0] }
            return PythonOperators.intValue(BigInt(number.rounded(.towardZero)))
        case .string, .markup, .bytes:
            // int() reads a bytes value's ASCII text as it reads a str.
            let text = value.stringContent ?? String(decoding: value.bytesContent ?? [], as: UTF8.self)
            if let parsed = PythonNumberParsing.int(text, base: base) { return PythonOperators.intValue(parsed) }
            if let number = PythonNumberParsing.float(text), number.isFinite {
                return PythonOperators.intValue(BigInt(number.rounded(.towardZero)))
            }
            return bound[0]
        default:
            return bound[0]
        }
    }

    static func items(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("items", [])
        // A generator in Jinja2: a value that is not a mapping fails when iterated.
        return .iterator(
            IteratorObject(generator: "do_items") {
                switch value {
                case .undefined: return []
                case .dict(let dict): return zip(dict.keys, dict.values).map { .tuple([$0, $1]) }
                default: throw EvalFailure(.type, "Can only get item pairs from a mapping.")
                }
            })
    }

    static func join(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("join", [("d", .string("")), ("attribute", Value.none)])
        var items = try iterable(value)
        if case .none = bound[1] {
        } else {
            let getter = try attributeGetter(bound[1], interpreter)
            items = try items.map(getter)
        }
        let separator = try softString(bound[0])
        let parts = try items.map(softString)
        try RenderBudget.check(PythonStrings.joinedSize(parts, separator: separator), for: "a joined string")
        return .string(parts.joined(separator: separator))
    }

    static func list(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("list", [])
        return .list(ListObject(try iterable(value)))
    }

    static func lower(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("lower", [])
        return keepingMarkup(value, PythonStrings.lower(try softString(value)))
    }

    static func upper(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("upper", [])
        return keepingMarkup(value, PythonStrings.upper(try softString(value)))
    }

    static func map(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        // A generator in Jinja2: nothing is checked or computed until it is iterated.
        .iterator(IteratorObject(generator: "sync_do_map") { try mapped(value, arguments, interpreter) })
    }

    private static func mapped(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> [Value] {
        guard try PythonOperators.truth(value) else { return [] }
        var arguments = arguments
        let function: (Value) throws -> Value
        if arguments.positional.isEmpty, let attribute = arguments.take("attribute") {
            let defaultValue = arguments.take("default")
            if let unexpected = arguments.keyword.first {
                throw EvalFailure(.runtime, "Unexpected keyword argument '\(unexpected.0)'")
            }
            // `default=None` is no default at all (Jinja tests `default is not None`).
            var usable: Value? = defaultValue
            if case .some(.none) = defaultValue { usable = nil }
            function = try attributeGetter(attribute, interpreter, defaultValue: usable)
        } else {
            guard !arguments.positional.isEmpty else { throw EvalFailure(.runtime, "map requires a filter argument") }
            let filter = interpreter.filter(
                named: try BuiltinMethods.stringArgument(arguments.positional.removeFirst(), "map"))
            let rest = arguments
            function = { item in try interpreter.applyFilter(filter, item, rest) }
        }
        return try iterable(value).map(function)
    }

    static func minMax(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter, max: Bool) throws -> Value {
        let bound = try arguments.bind(
            max ? "max" : "min", [("case_sensitive", .bool(false)), ("attribute", Value.none)])
        let items = try iterable(value)
        guard var best = items.first else {
            return .undefined(UndefinedValue(hint: "No aggregated item, sequence was empty."))
        }
        let key = try attributeGetter(bound[1], interpreter, lowercase: !(try PythonOperators.truth(bound[0])))
        var bestKey = try key(best)
        for item in items.dropFirst() {
            let itemKey = try key(item)
            let order = try PythonOperators.ordering(itemKey, bestKey, op: max ? .gt : .lt) ?? 0
            if max ? order > 0 : order < 0 {
                best = item
                bestKey = itemKey
            }
        }
        return best
    }

    static func max(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try minMax(value, arguments, interpreter, max: true)
    }

    static func min(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try minMax(value, arguments, interpreter, max: false)
    }

    static func pprint(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("pprint", [])
        return .string(try PrettyPrinter.format(value))
    }

    static func random(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("random", [])
        let items = try iterable(value)
        return items.randomElement() ?? .undefined(UndefinedValue(hint: "No random item, sequence was empty."))
    }

    /// Jinja's `select_or_reject`.
    static func selectOrReject(
        _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter, keep: Bool, byAttribute: Bool
    ) throws -> Value {
        // A generator in Jinja2: nothing is checked or computed until it is iterated.
        .iterator(
            IteratorObject(generator: "select_or_reject") {
                try selectedOrRejected(value, arguments, interpreter, keep: keep, byAttribute: byAttribute)
            })
    }

    private static func selectedOrRejected(
        _ value: Value, _ arguments: Arguments, _ interpreter: Interpreter, keep: Bool, byAttribute: Bool
    ) throws -> [Value] {
        guard try PythonOperators.truth(value) else { return [] }
        var positional = arguments.positional
        var transform: (Value) throws -> Value = { $0 }
        if byAttribute {
            guard !positional.isEmpty else { throw EvalFailure(.runtime, "Missing parameter for attribute name") }
            transform = try attributeGetter(positional.removeFirst(), interpreter)
        }
        let predicate: (Value) throws -> Bool
        if positional.isEmpty {
            predicate = { try PythonOperators.truth($0) }
        } else {
            let test = interpreter.test(named: try BuiltinMethods.stringArgument(positional.removeFirst(), "select"))
            let rest = Arguments(positional, keyword: arguments.keyword)
            predicate = { try interpreter.applyTest(test, $0, rest) }
        }
        return try iterable(value).filter { try predicate(try transform($0)) == keep }
    }

    static func select(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try selectOrReject(value, arguments, interpreter, keep: true, byAttribute: false)
    }

    static func reject(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try selectOrReject(value, arguments, interpreter, keep: false, byAttribute: false)
    }

    static func selectattr(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try selectOrReject(value, arguments, interpreter, keep: true, byAttribute: true)
    }

    static func rejectattr(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        try selectOrReject(value, arguments, interpreter, keep: false, byAttribute: true)
    }

    static func replace(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("replace", [("old", nil), ("new", nil), ("count", Value.none)])
        let count: Int
        if case .none = bound[2] { count = -1 } else { count = try BuiltinMethods.intArgument(bound[2], "replace") }
        let (text, old, new) = (try softString(value), try softString(bound[0]), try softString(bound[1]))
        try RenderBudget.check(PythonStrings.replacedSize(text, old, new, count: count), for: "a replaced string")
        return .string(PythonStrings.replace(text, old, new, count: count))
    }

    /// The type of Python's `reversed(value)`.
    private static func reverseIteratorType(_ value: Value) -> String {
        switch value {
        case .list: return "list_reverseiterator"
        case .range: return "range_iterator"
        case .dict: return "dict_reversekeyiterator"
        case .dictView(let view):
            switch view.kind {
            case .keys: return "dict_reversekeyiterator"
            case .values: return "dict_reversevalueiterator"
            case .items: return "dict_reverseitemiterator"
            }
        default: return "reversed"
        }
    }

    static func reverse(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        switch value {
        case .string(let text), .markup(let text):
            return keepingMarkup(value, String(String.UnicodeScalarView(text.unicodeScalars.reversed())))
        // reversed(Undefined) is a lazy `reversed` over nothing; StrictUndefined's len() raises.
        case .undefined(let u):
            if u.lenient { return .iterator(IteratorObject([], type: "reversed")) }
            throw EvalFailure(.undefined, u.message)
        case .list, .tuple, .namedTuple, .bytes, .range, .dict, .dictView:
            return .iterator(IteratorObject(try iterable(value).reversed(), type: reverseIteratorType(value)))
        default:
            do {
                return .list(ListObject(try iterable(value).reversed()))
            } catch let failure as EvalFailure where failure.kind == .type {
                throw EvalFailure(.runtime, "argument must be iterable")
            }
        }
    }

    static func round(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("round", [("precision", .int(0)), ("method", .string("common"))])
        let precision = try BuiltinMethods.intArgument(bound[0], "round")
        guard case .string(let method) = bound[1], ["common", "ceil", "floor"].contains(method) else {
            throw EvalFailure(.runtime, "method must be common, ceil or floor")
        }
        if method == "common" { return try PythonRound.round(value, precision) }
        // math.ceil / math.floor of value * 10**precision, divided by 10**precision (a float).
        let scale = try PythonOperators.binary(.pow, .int(10), .int(precision))
        let product = try PythonOperators.binary(.mul, value, scale)
        let integral: Value
        switch product {
        case .float(let number):
            guard number.isFinite else {
                throw EvalFailure(.runtime, "OverflowError: cannot convert float infinity to integer")
            }
            integral = PythonOperators.intValue(BigInt(method == "ceil" ? number.rounded(.up) : number.rounded(.down)))
        case .int, .bigInt, .bool: integral = product
        default: throw EvalFailure(.type, "must be real number, not \(value.typeName)")
        }
        return try PythonOperators.binary(.div, integral, scale)
    }

    static func safe(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("safe", [])
        return try MarkupOperations.markSafe(value)
    }

    static func slice(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("slice", [("slices", nil), ("fill_with", Value.none)])
        // A generator in Jinja2: nothing is checked or computed until it is iterated.
        return .iterator(
            IteratorObject(generator: "sync_do_slice") {
                let slices = try Limits.size(try BuiltinMethods.intArgument(bound[0], "slice"), "slice count")
                let items = try iterable(value)
                if slices == 0 { throw EvalFailure(.zeroDivision, "integer division or modulo by zero") }
                let perSlice = items.count / slices
                let withExtra = items.count % slices
                var offset = 0
                var result: [Value] = []
                for number in 0..<Swift.max(slices, 0) {
                    let start = offset + number * perSlice
                    if number < withExtra { offset += 1 }
                    let end = offset + (number + 1) * perSlice
                    var part = Array(items[Swift.min(start, items.count)..<Swift.min(end, items.count)])
                    if case .none = bound[1] {} else if number >= withExtra { part.append(bound[1]) }
                    result.append(.list(ListObject(part)))
                }
                return result
            })
    }

    static func sort(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "sort", [("reverse", .bool(false)), ("case_sensitive", .bool(false)), ("attribute", Value.none)])
        let caseSensitive = try PythonOperators.truth(bound[1])
        let key: (Value) throws -> Value
        if case .none = bound[2] {
            key = { caseSensitive ? $0 : ignoreCase($0) }
        } else {
            let getter = try multiAttributeGetter(bound[2], interpreter, lowercase: !caseSensitive)
            key = getter
        }
        return .list(
            ListObject(try sorted(try iterable(value), key: key, reverse: try PythonOperators.truth(bound[0]))))
    }

    static func string(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("string", [])
        return keepingMarkup(value, try softString(value))
    }

    /// `Markup(str(value)).striptags()`.
    static func striptags(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("striptags", [])
        return .string(MarkupOperations.striptags(try softString(value)))
    }

    static func sum(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("sum", [("attribute", Value.none), ("start", .int(0))])
        var items = try iterable(value)
        if case .none = bound[0] {
        } else {
            let getter = try attributeGetter(bound[0], interpreter)
            items = try items.map(getter)
        }
        var total = bound[1]
        if case .string = total { throw EvalFailure(.type, "sum() can't sum strings [use ''.join(seq) instead]") }
        for item in items { total = try PythonOperators.binary(.add, total, item) }
        return total
    }

    /// Jinja's own `title`: split on `[-\s({\[<]+`, capitalize every piece's first character.
    static func title(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("title", [])
        let text = try softString(value)
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: upper-case the first letter of each piece, lower-case the rest.
            var bytes = Array(text.utf8)
            var startOfPiece = true
            var previousDelimiter: Bool?
            for index in bytes.indices {
                let byte = bytes[index]
                let delimiter =
                    byte == UInt8(ascii: "-") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: "{")
                    || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "<") || (byte >= 0x09 && byte <= 0x0D)
                    || (byte >= 0x1C && byte <= 0x20)
                if previousDelimiter != delimiter { startOfPiece = true }
                previousDelimiter = delimiter
                if startOfPiece {
                    if byte >= 0x61 && byte <= 0x7A { bytes[index] = byte - 0x20 }
                    startOfPiece = false
                } else if byte >= 0x41 && byte <= 0x5A {
                    bytes[index] = byte + 0x20
                }
            }
            return .string(String(decoding: bytes, as: UTF8.self))
        }
        var out = ""
        var piece = String.UnicodeScalarView()
        var pieceIsDelimiter: Bool?
        func isDelimiter(_ scalar: Unicode.Scalar) -> Bool {
            "-({[<".unicodeScalars.contains(scalar) || Lexer.isSpace(scalar.value)
        }
        func flush() {
            guard let first = piece.first else { return }
            out += UnicodeCasing.upper(String(first))
            out += UnicodeCasing.lower(String(String.UnicodeScalarView(piece.dropFirst())))
            piece = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            let delimiter = isDelimiter(scalar)
            if pieceIsDelimiter != delimiter { flush() }
            pieceIsDelimiter = delimiter
            piece.append(scalar)
        }
        flush()
        return .string(out)
    }

    static func tojson(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let indentValue = try arguments.bind("tojson", [("indent", Value.none)])[0]
        var indent: String?
        switch indentValue {
        case .none: indent = nil
        case .int(let width): indent = String(repeating: " ", count: Swift.max(0, try Limits.size(width, "indent")))
        case .string(let text): indent = text
        default: indent = nil
        }
        let json = try PythonJSON.dumps(value, indent: indent, sortKeys: true)
        // htmlsafe_json_dumps: <, >, & and ' become \u escapes.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.utf8.count + 16)
        for byte in json.utf8 {
            switch byte {
            case UInt8(ascii: "<"): bytes.append(contentsOf: Array("\\u003c".utf8))
            case UInt8(ascii: ">"): bytes.append(contentsOf: Array("\\u003e".utf8))
            case UInt8(ascii: "&"): bytes.append(contentsOf: Array("\\u0026".utf8))
            case UInt8(ascii: "'"): bytes.append(contentsOf: Array("\\u0027".utf8))
            default: bytes.append(byte)
            }
        }
        // `htmlsafe_json_dumps` returns Markup.
        return .markup(String(decoding: bytes, as: UTF8.self))
    }

    static func trim(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let chars = try arguments.bind("trim", [("chars", Value.none)])[0]
        return keepingMarkup(
            value, PythonStrings.strip(try softString(value), try BuiltinMethods.optionalString(chars, "trim")))
    }

    static func truncate(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "truncate",
            [("length", .int(255)), ("killwords", .bool(false)), ("end", .string("...")), ("leeway", Value.none)])
        let length = try BuiltinMethods.intArgument(bound[0], "truncate")
        let end = try softString(bound[2])
        // A Markup's `+` escapes the str appended to it (after the length was cut by the raw `end`).
        let appended = value.isMarkup ? try MarkupOperations.escapedText(bound[2]) : end
        var leeway = 5
        if case .none = bound[3] {} else { leeway = try BuiltinMethods.intArgument(bound[3], "truncate") }
        let endLength = end.unicodeScalars.count
        if length < endLength {
            throw EvalFailure(.runtime, "AssertionError: expected length >= \(endLength), got \(length)")
        }
        if leeway < 0 { throw EvalFailure(.runtime, "AssertionError: expected leeway >= 0, got \(leeway)") }
        let text: String
        switch value {
        case .string(let string): text = string
        case .markup: text = try softString(value)
        default:
            // Jinja2 does not convert: a short value comes back as it is, a long one fails where
            // Python fails (slicing a dict, list + str, list.rsplit).
            if try PythonOperators.length(value) <= length + leeway { return value }
            switch value {
            case .dict: throw EvalFailure(.type, "unhashable type: 'slice'")
            case .list, .tuple:
                if try PythonOperators.truth(bound[1]) {
                    throw EvalFailure(
                        .type, "can only concatenate \(value.typeName) (not \"str\") to \(value.typeName)")
                }
                throw PythonOperators.attributeError(value, "rsplit")
            case .range:
                if try PythonOperators.truth(bound[1]) {
                    throw EvalFailure(.type, "unsupported operand type(s) for +: 'range' and 'str'")
                }
                throw EvalFailure(.runtime, "AttributeError: 'range' object has no attribute 'rsplit'")
            default:
                return try truncate(.string(try softString(value)), arguments, interpreter)
            }
        }
        let scalars = Array(text.unicodeScalars)
        if scalars.count <= length + leeway { return keepingMarkup(value, text) }
        let head = PythonStrings.make(scalars[..<Swift.max(0, length - endLength)])
        if try PythonOperators.truth(bound[1]) { return keepingMarkup(value, head + appended) }
        let parts = try PythonStrings.rsplit(head, " ", maxSplit: 1)
        return keepingMarkup(value, (parts.first ?? "") + appended)
    }

    static func unique(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind("unique", [("case_sensitive", .bool(false)), ("attribute", Value.none)])
        // A generator in Jinja2: nothing is checked or computed until it is iterated.
        return .iterator(
            IteratorObject(generator: "sync_do_unique") {
                let getter = try attributeGetter(
                    bound[1], interpreter, lowercase: !(try PythonOperators.truth(bound[0])))
                var seen: Set<HashKey> = []
                var result: [Value] = []
                for item in try iterable(value) where seen.insert(try HashKey(try getter(item))).inserted {
                    result.append(item)
                }
                return result
            })
    }

    static func urlencode(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        func quote(_ value: Value, forQuery: Bool) throws -> String {
            let text = try softString(value)
            let safe = forQuery ? "" : "/"
            var out = ""
            for byte in text.utf8 {
                let c = Character(Unicode.Scalar(byte))
                if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "_.-~".contains(c) || safe.contains(c)
                {
                    out.append(c)
                } else if forQuery && byte == 0x20 {
                    out += "+"
                } else {
                    out += String(format: "%%%02X", byte)
                }
            }
            return out
        }
        switch value {
        case .string: return .string(try quote(value, forQuery: false))
        case .dict(let dict):
            return .string(
                try zip(dict.keys, dict.values).map { try quote($0, forQuery: true) + "=" + quote($1, forQuery: true) }
                    .joined(separator: "&"))
        case .list, .tuple, .namedTuple, .range, .iterator, .dictView, .loop:
            // Any other iterable is a sequence of pairs, each unpacked as `for k, v in items`.
            return .string(
                try iterable(value).map { pair in
                    let items = try PythonOperators.unpack(pair, count: 2)
                    return try quote(items[0], forQuery: true) + "=" + quote(items[1], forQuery: true)
                }.joined(separator: "&"))
        default: return .string(try quote(value, forQuery: false))
        }
    }

    static func wordcount(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        _ = try arguments.bind("wordcount", [])
        var count = 0
        var inWord = false
        for scalar in try softString(value).unicodeScalars {
            let properties = scalar.properties
            let isWord =
                scalar == "_" || properties.isAlphabetic || properties.numericType != nil
                || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
            if isWord && !inWord { count += 1 }
            inWord = isWord
        }
        return .int(count)
    }

    static func wordwrap(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let bound = try arguments.bind(
            "wordwrap",
            [
                ("width", .int(79)), ("break_long_words", .bool(true)), ("wrapstring", Value.none),
                ("break_on_hyphens", .bool(true)),
            ])
        let width: Double
        var widthIsFloat = false
        if case .float(let number) = bound[0] {
            width = number
            widthIsFloat = true
        } else {
            width = Double(try BuiltinMethods.intArgument(bound[0], "wordwrap"))
        }
        let wrap = try BuiltinMethods.optionalString(bound[2], "wordwrap") ?? "\n"
        let wrapper = TextWrap(
            width: width, widthIsFloat: widthIsFloat, breakLongWords: try PythonOperators.truth(bound[1]),
            breakOnHyphens: try PythonOperators.truth(bound[3]))
        guard let text = value.stringContent else {
            throw PythonOperators.attributeError(value, "splitlines")
        }
        // Each paragraph (line of the text) is wrapped on its own; Jinja joins all lines with `wrapstring`.
        var lines: [String] = []
        var size = 0
        for paragraph in PythonStrings.splitlines(text) {
            let wrapped = try wrapper.wrap(paragraph)
            size += wrapped.reduce(0) { $0 + $1.utf8.count } + (wrapped.count + 1) * wrap.utf8.count
            try RenderBudget.check(size, for: "a wrapped string")
            lines.append(wrapped.joined(separator: wrap))
        }
        return .string(lines.joined(separator: wrap))
    }

    static func xmlattr(_ value: Value, _ arguments: Arguments, _ interpreter: Interpreter) throws -> Value {
        let autospace = try PythonOperators.truth(try arguments.bind("xmlattr", [("autospace", .bool(true))])[0])
        guard case .dict(let dict) = value else {
            throw PythonOperators.attributeError(value, "items")
        }
        var items: [String] = []
        for (key, item) in zip(dict.keys, dict.values) {
            if case .none = item { continue }
            if case .undefined = item { continue }
            let name = try softString(key)
            if name.unicodeScalars.contains(where: { Lexer.isSpace($0.value) || "/>=".unicodeScalars.contains($0) }) {
                throw EvalFailure(.value, "Invalid character in attribute name: \(PythonFormatting.stringRepr(name))")
            }
            // markupsafe's escape: a Markup key or value is not escaped again.
            let shownName = key.isMarkup ? name : escapeHTML(name)
            items.append("\(shownName)=\"\(try MarkupOperations.escapedText(item))\"")
        }
        let joined = items.joined(separator: " ")
        return .string(autospace && !joined.isEmpty ? " " + joined : joined)
    }
}

extension BigUInt {
    var asSigned: BigInt { BigInt(self) }
}
