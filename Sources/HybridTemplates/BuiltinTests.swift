typealias TestFunction = @Sendable (Value, Arguments, Interpreter) throws -> Bool

/// Jinja2's built-in tests (jinja2/tests.py).
enum BuiltinTests {
    static let all: [String: TestFunction] = {
        var tests: [String: TestFunction] = [
            "odd": { value, _, _ in try modulo(value, .int(2), equals: 1) },
            "even": { value, _, _ in try modulo(value, .int(2), equals: 0) },
            "divisibleby": { value, arguments, _ in
                try modulo(value, try arguments.bind("divisibleby", [("num", nil)])[0], equals: 0)
            },
            "defined": { value, _, _ in !value.isUndefined },
            "undefined": { value, _, _ in value.isUndefined },
            "none": { value, _, _ in if case .none = value { return true } else { return false } },
            "boolean": { value, _, _ in if case .bool = value { return true } else { return false } },
            "false": { value, _, _ in if case .bool(false) = value { return true } else { return false } },
            "true": { value, _, _ in if case .bool(true) = value { return true } else { return false } },
            "integer": { value, _, _ in
                switch value {
                case .int, .bigInt: return true
                default: return false
                }
            },
            "float": { value, _, _ in value.isFloatValue },
            "number": { value, _, _ in
                switch value {
                case .int, .bigInt, .float, .bool: return true
                default: return false
                }
            },
            "string": { value, _, _ in value.stringContent != nil },
            "mapping": { value, _, _ in if case .dict = value { return true } else { return false } },
            "sequence": { value, _, _ in
                switch value {
                case .string, .markup, .bytes, .list, .tuple, .namedTuple, .dict, .range: return true
                // Undefined has __len__ and __getitem__; StrictUndefined's __len__ raises.
                case .undefined(let u): return u.lenient
                default: return false
                }
            },
            "iterable": { value, _, _ in
                switch value {
                case .string, .markup, .bytes, .list, .tuple, .namedTuple, .dict, .range, .iterator, .dictView, .loop:
                    return true
                case .undefined(let u):
                    if u.lenient { return true }
                    throw EvalFailure(.undefined, u.message)
                default: return false
                }
            },
            "callable": { value, _, _ in
                switch value {
                case .callable, .loop, .undefined: return true
                default: return false
                }
            },
            "sameas": { value, arguments, _ in
                let other = try arguments.bind("sameas", [("other", nil)])[0]
                return try identical(value, other)
            },
            "lower": { value, _, _ in PythonStrings.islower(try PythonFormatting.str(value)) },
            "upper": { value, _, _ in PythonStrings.isupper(try PythonFormatting.str(value)) },
            "escaped": { value, _, _ in value.isMarkup },
            "in": { value, arguments, _ in
                try PythonOperators.contains(try arguments.bind("in", [("seq", nil)])[0], value)
            },
        ]
        let comparisons: [(String, CompareOperator)] = [
            ("==", .eq), ("eq", .eq), ("equalto", .eq), ("!=", .ne), ("ne", .ne), (">", .gt), ("gt", .gt),
            ("greaterthan", .gt), (">=", .gteq), ("ge", .gteq), ("<", .lt), ("lt", .lt), ("lessthan", .lt),
            ("<=", .lteq), ("le", .lteq),
        ]
        for (name, op) in comparisons {
            tests[name] = { value, arguments, _ in
                guard arguments.positional.count == 1, arguments.keyword.isEmpty else {
                    throw EvalFailure(.type, "\(name)() expected 2 arguments, got \(arguments.positional.count + 1)")
                }
                return try PythonOperators.compare(op, value, arguments.positional[0])
            }
        }
        // `value in environment.filters`: the value is hashed first (a list or dict is a TypeError).
        tests["filter"] = { value, _, interpreter in
            // `value in environment.filters`: a value Python cannot hash raises.
            _ = try HashKey(value)
            if case .string(let name) = value { return interpreter.environment.filters[name] != nil }
            return false
        }
        tests["test"] = { value, _, interpreter in
            _ = try HashKey(value)
            if case .string(let name) = value { return interpreter.environment.tests[name] != nil }
            return false
        }
        return tests
    }()

    static func modulo(_ value: Value, _ divisor: Value, equals expected: Int) throws -> Bool {
        if case .int(let number) = value, case .int(let by) = divisor, by > 0 {
            let remainder = number % by
            return (remainder < 0 ? remainder + by : remainder) == expected
        }
        return try PythonOperators.equal(try PythonOperators.binary(.mod, value, divisor), .int(expected))
    }

    /// Python's `is`: the same object (small ints and interned literals behave as CPython's cache).
    static func identical(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y && (-5...256).contains(x)
        case (.list(let x), .list(let y)): return x === y
        case (.dict(let x), .dict(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.loop(let x), .loop(let y)): return x === y
        case (.iterator(let x), .iterator(let y)): return x === y
        case (.module(let x), .module(let y)): return x === y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8) && x.utf8.count <= 1
        case (.tuple(let x), .tuple(let y)): return x.isEmpty && y.isEmpty
        default: return false
        }
    }
}

/// The globals of a default Jinja2 environment: `range`, `dict`, `namespace`, `cycler`, `joiner`, `lipsum`.
enum BuiltinGlobals {
    static func make() -> [String: Value] {
        [
            "range": .callable(
                Callable(name: "range", typeName: "type", repr: "<class 'range'>") { arguments, _ in
                    guard arguments.keyword.isEmpty else {
                        throw EvalFailure(.type, "range() takes no keyword arguments")
                    }
                    let numbers = try arguments.positional.map { try BuiltinMethods.intArgument($0, "range") }
                    switch numbers.count {
                    case 1: return .range(RangeValue(start: 0, stop: numbers[0], step: 1))
                    case 2: return .range(RangeValue(start: numbers[0], stop: numbers[1], step: 1))
                    case 3:
                        if numbers[2] == 0 { throw EvalFailure(.value, "range() arg 3 must not be zero") }
                        return .range(RangeValue(start: numbers[0], stop: numbers[1], step: numbers[2]))
                    default:
                        throw EvalFailure(.type, "range expected at most 3 arguments, got \(numbers.count)")
                    }
                }),
            "dict": .callable(
                Callable(name: "dict", typeName: "type", repr: "<class 'dict'>") { arguments, _ in
                    let dict = DictObject()
                    if arguments.positional.count > 1 {
                        throw EvalFailure(.type, "dict expected at most 1 argument, got \(arguments.positional.count)")
                    }
                    if let source = arguments.positional.first {
                        switch source {
                        case .dict(let other):
                            for (key, value) in zip(other.keys, other.values) { try dict.set(key, value) }
                        default:
                            for pair in try PythonOperators.iterate(source) {
                                let items = try PythonOperators.iterate(pair)
                                guard items.count == 2 else {
                                    throw EvalFailure(
                                        .value,
                                        "dictionary update sequence element has length \(items.count); 2 is required")
                                }
                                try dict.set(items[0], items[1])
                            }
                        }
                    }
                    for (key, value) in arguments.keyword { try dict.set(.string(key), value) }
                    return .dict(dict)
                }),
            "namespace": .callable(
                Callable(name: "namespace", typeName: "type", repr: "<class 'jinja2.utils.Namespace'>") {
                    arguments, _ in
                    let attributes = DictObject()
                    if let source = arguments.positional.first {
                        guard case .dict(let other) = source else {
                            throw EvalFailure(.type, "namespace() argument must be a mapping")
                        }
                        for (key, value) in zip(other.keys, other.values) { try attributes.set(key, value) }
                    }
                    for (key, value) in arguments.keyword { try attributes.set(.string(key), value) }
                    return .namespace(NamespaceObject(attributes))
                }),
            "cycler": .callable(
                Callable(name: "cycler", typeName: "type", repr: "<class 'jinja2.utils.Cycler'>") { arguments, _ in
                    guard !arguments.positional.isEmpty else {
                        throw EvalFailure(.runtime, "at least one item has to be provided")
                    }
                    let items = arguments.positional
                    let attributes = DictObject(stringKeys: [
                        ("items", .tuple(items)), ("pos", .int(0)), ("current", items[0]),
                    ])
                    func move(to position: Int) throws {
                        try attributes.set(.string("pos"), .int(position))
                        try attributes.set(.string("current"), items[position])
                    }
                    try attributes.set(
                        .string("next"),
                        .callable(
                            Callable(name: "next") { _, _ in
                                guard case .int(let position) = attributes.get(string: "pos") ?? .int(0) else {
                                    return .none
                                }
                                let value = items[position % items.count]
                                try move(to: (position + 1) % items.count)
                                return value
                            }))
                    try attributes.set(
                        .string("reset"),
                        .callable(
                            Callable(name: "reset") { _, _ in
                                try move(to: 0)
                                return .none
                            }))
                    return .namespace(NamespaceObject(attributes))
                }),
            "joiner": .callable(
                Callable(name: "joiner", typeName: "type", repr: "<class 'jinja2.utils.Joiner'>") { arguments, _ in
                    let separator = try arguments.bind("joiner", [("sep", .string(", "))])[0]
                    var used = false
                    return .callable(
                        Callable(name: "joiner") { _, _ in
                            if !used {
                                used = true
                                return .string("")
                            }
                            return separator
                        })
                }),
            "lipsum": .callable(
                Callable(name: "lipsum", repr: "<function generate_lorem_ipsum>") { _, _ in
                    throw EvalFailure(.runtime, "lipsum() is not supported by hybrid (its output is random)")
                }),
        ]
    }
}
