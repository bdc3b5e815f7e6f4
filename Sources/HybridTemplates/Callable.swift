/// Arguments as a call receives them: positional values, then keyword values in call order.
struct Arguments {
    var positional: [Value]
    var keyword: [(String, Value)]

    init(_ positional: [Value] = [], keyword: [(String, Value)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// Removes and returns the keyword argument `name`, if given.
    mutating func take(_ name: String) -> Value? {
        guard let position = keyword.firstIndex(where: { $0.0 == name }) else { return nil }
        return keyword.remove(at: position).1
    }

    /// Python-style binding of a fixed signature: each parameter from its position or keyword,
    /// else its default; extra or unknown arguments are a TypeError naming `function`.
    func bind(_ function: String, _ parameters: [(String, Value?)]) throws -> [Value] {
        if keyword.isEmpty && positional.count <= parameters.count {
            // Positional arguments only (the common case): no keyword bookkeeping.
            if positional.count == parameters.count { return positional }
            var result = positional
            result.reserveCapacity(parameters.count)
            for (name, defaultValue) in parameters[positional.count...] {
                guard let defaultValue else {
                    throw EvalFailure(.type, "\(function)() missing required argument '\(name)'")
                }
                result.append(defaultValue)
            }
            return result
        }
        if positional.count > parameters.count {
            throw EvalFailure(
                .type,
                "\(function)() takes at most \(parameters.count) argument\(parameters.count == 1 ? "" : "s") (\(positional.count) given)"
            )
        }
        var result: [Value] = []
        result.reserveCapacity(parameters.count)
        var remaining = keyword
        for (offset, (name, defaultValue)) in parameters.enumerated() {
            if offset < positional.count {
                if remaining.contains(where: { $0.0 == name }) {
                    throw EvalFailure(.type, "\(function)() got multiple values for argument '\(name)'")
                }
                result.append(positional[offset])
            } else if let position = remaining.firstIndex(where: { $0.0 == name }) {
                result.append(remaining.remove(at: position).1)
            } else if let defaultValue {
                result.append(defaultValue)
            } else {
                throw EvalFailure(.type, "\(function)() missing required argument '\(name)'")
            }
        }
        if let unknown = remaining.first {
            throw EvalFailure(.type, "\(function)() got an unexpected keyword argument '\(unknown.0)'")
        }
        return result
    }
}

/// Something a template can call: a macro, a built-in function, a bound method.
public final class Callable {
    enum Body {
        case builtin((Arguments, Interpreter) throws -> Value)
        case macro(MacroDefinition, closure: Frame)
    }

    let name: String
    let body: Body
    /// Attributes of the callable itself (`super.super`), looked up on demand.
    var attribute: ((String) -> Value?)?
    /// `repr()`: `<Macro 'name'>`, `<built-in method upper>`...
    let reprText: String
    let typeName: String

    init(
        name: String, typeName: String = "builtin_function_or_method", repr: String? = nil,
        _ function: @escaping (Arguments, Interpreter) throws -> Value
    ) {
        self.name = name
        self.body = .builtin(function)
        self.typeName = typeName
        self.reprText = repr ?? "<built-in function \(name)>"
    }

    init(macro: MacroDefinition, closure: Frame) {
        self.name = macro.name.name
        self.body = .macro(macro, closure: closure)
        self.typeName = "Macro"
        self.reprText = macro.isAnonymous ? "<Macro anonymous>" : "<Macro '\(macro.name)'>"
    }

    var macroDefinition: MacroDefinition? {
        if case .macro(let definition, _) = body { return definition }
        return nil
    }
}

/// The `loop` variable of a `{% for %}`.
public final class LoopObject {
    /// The items produced so far (all of them unless the loop has an `if` filter still running).
    private(set) var items: [Value]
    /// The next item that passes the loop's `if` filter, nil once there is none: Jinja2's filter is
    /// a generator, run as the loop advances (or as `loop.last`, `nextitem` and `length` look ahead).
    private var produceNext: (() throws -> Value?)?
    var index0 = -1
    let depth0: Int
    var lastChanged: [Value]?
    /// Renders the loop body again for `loop(children)` in a recursive loop.
    let recurse: ((Value, Int) throws -> Value)?

    init(
        items: [Value], depth0: Int, recurse: ((Value, Int) throws -> Value)?,
        produceNext: (() throws -> Value?)? = nil
    ) {
        self.items = items
        self.depth0 = depth0
        self.recurse = recurse
        self.produceNext = produceNext
    }

    /// Runs the filter until `count` items are there or it is exhausted; whether they are.
    @discardableResult
    func produce(upTo count: Int) throws -> Bool {
        while items.count < count, let next = produceNext {
            guard let item = try next() else {
                produceNext = nil
                break
            }
            items.append(item)
        }
        return items.count >= count
    }

    /// How many items the loop has (running its filter to the end, as `loop.length` does).
    func length() throws -> Int {
        try produce(upTo: .max)
        return items.count
    }
}

/// An imported template: its exported macros and top-level variables, by name.
public final class TemplateModule {
    let name: String
    let exports: [String: Value]
    /// The module's rendered body (what `str(module)` gives).
    let body: String

    init(name: String, exports: [String: Value], body: String) {
        self.name = name
        self.exports = exports
        self.body = body
    }
}
