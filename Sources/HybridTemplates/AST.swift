import HybridCache

/// Template syntax trees: statements (`Node`) and expressions (`Expr`), each with its line.

/// Where a node starts: line and byte offset in the template's normalized source.
struct Position {
    var line: Int
    var offset: Int
}

indirect enum Expr {
    case constant(Value, Position)
    case name(Symbol, Position)
    case list([Expr], Position)
    case tuple([Expr], Position)
    case dict([(Expr, Expr)], Position)
    case getattr(Expr, String, Position)
    case getitem(Expr, Expr, Position)
    case slice(Expr?, Expr?, Expr?, Position)
    case call(Expr, CallArguments, Position)
    case filter(Expr?, FilterReference, CallArguments, Position)
    case test(Expr, TestReference, CallArguments, Position)
    case binary(BinaryOperator, Expr, Expr, Position)
    case concat([Expr], Position)
    case and(Expr, Expr, Position)
    case or(Expr, Expr, Position)
    case not(Expr, Position)
    case negative(Expr, Position)
    case positive(Expr, Position)
    case compare(Expr, [(CompareOperator, Expr)], Position)
    case conditional(test: Expr, then: Expr, otherwise: Expr?, Position)

    var position: Position {
        switch self {
        case .constant(_, let p), .name(_, let p), .list(_, let p), .tuple(_, let p), .dict(_, let p),
            .getattr(_, _, let p), .getitem(_, _, let p), .slice(_, _, _, let p), .call(_, _, let p),
            .filter(_, _, _, let p), .test(_, _, _, let p), .binary(_, _, _, let p), .concat(_, let p),
            .and(_, _, let p), .or(_, _, let p), .not(_, let p), .negative(_, let p), .positive(_, let p),
            .compare(_, _, let p), .conditional(_, _, _, let p):
            return p
        }
    }
}

enum BinaryOperator: String {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case floordiv = "//"
    case mod = "%"
    case pow = "**"
}

enum CompareOperator: String {
    case eq = "=="
    case ne = "!="
    case lt = "<"
    case lteq = "<="
    case gt = ">"
    case gteq = ">="
    case isIn = "in"
    case notIn = "not in"
}

/// Arguments of a call, filter or test: positional, keyword, `*args`, `**kwargs`.
struct CallArguments {
    var positional: [Expr] = []
    var keyword: [(String, Expr)] = []
    var starArgs: Expr?
    var starKwargs: Expr?

    static var empty: CallArguments { CallArguments() }
}

/// A filter named in a template, resolved to its function at parse time (nil: unknown, which is
/// only allowed inside conditionals and fails when reached).
struct FilterReference {
    let name: String
    let function: FilterFunction?
}

/// A test named in a template, resolved at parse time like filters.
struct TestReference {
    let name: String
    let function: TestFunction?
}

/// Where `set`, `for` and `with` store values.
indirect enum AssignTarget {
    case name(Symbol)
    case tuple([AssignTarget])
    /// `ns.attribute` where `ns` is a namespace.
    case namespaceAttribute(Symbol, String)

    /// Every plain name the target binds.
    var names: [Symbol] {
        switch self {
        case .name(let name): return [name]
        case .tuple(let items): return items.flatMap(\.names)
        case .namespaceAttribute: return []
        }
    }
}

/// A filter applied by `{% filter %}` or `{% set x | f %}`: a chain, innermost first.
struct FilterApplication {
    var filter: FilterReference
    var arguments: CallArguments
    var position: Position
}

struct MacroSignature {
    var arguments: [Symbol]
    var defaults: [Expr]
}

indirect enum Node {
    case output([OutputPart], Position)
    case forLoop(ForLoop)
    case ifStatement(conditions: [(Expr, [Node])], otherwise: [Node], Position)
    case assign(AssignTarget, Expr, Position)
    case assignBlock(AssignTarget, [FilterApplication], [Node], Position)
    case macro(MacroDefinition)
    case callBlock(MacroDefinition, call: Expr, Position)
    case filterBlock([FilterApplication], [Node], Position)
    case include(Expr, ignoreMissing: Bool, withContext: Bool, Position)
    case importModule(Expr, target: Symbol, withContext: Bool, Position)
    case fromImport(Expr, names: [(String, Symbol)], withContext: Bool, Position)
    case extends(Expr, Position)
    case block(BlockDefinition)
    case with(targets: [AssignTarget], values: [Expr], body: [Node], Position)
    /// `{% autoescape %}` (no effect without autoescaping) and other pure scopes.
    case scope([Node], Position)
}

enum OutputPart {
    /// Template data, verbatim from the source starting at the position.
    case text(String, Position)
    case expression(Expr)
}

final class ForLoop {
    let target: AssignTarget
    let iterable: Expr
    let body: [Node]
    let otherwise: [Node]
    let test: Expr?
    let recursive: Bool
    let position: Position

    init(
        target: AssignTarget, iterable: Expr, body: [Node], otherwise: [Node], test: Expr?, recursive: Bool,
        position: Position
    ) {
        self.target = target
        self.iterable = iterable
        self.body = body
        self.otherwise = otherwise
        self.test = test
        self.recursive = recursive
        self.position = position
    }
}

/// A `{% macro %}` (or the anonymous macro of a `{% call %}` block).
final class MacroDefinition {
    let name: Symbol
    let signature: MacroSignature
    let body: [Node]
    let position: Position
    /// Whether the body refers to `varargs`, `kwargs` or `caller` (Jinja decides this statically).
    let usesVarargs: Bool
    let usesKwargs: Bool
    let usesCaller: Bool

    init(name: Symbol, signature: MacroSignature, body: [Node], position: Position) {
        self.name = name
        self.signature = signature
        self.body = body
        self.position = position
        var names = Set<String>()
        NameCollector.collectLoads(in: body, into: &names)
        for value in signature.defaults { NameCollector.collectLoads(in: value, into: &names) }
        usesVarargs = names.contains("varargs")
        usesKwargs = names.contains("kwargs")
        usesCaller = names.contains("caller")
    }
}

final class BlockDefinition {
    let name: String
    let scoped: Bool
    let required: Bool
    let body: [Node]
    let position: Position

    init(name: String, scoped: Bool, required: Bool, body: [Node], position: Position) {
        self.name = name
        self.scoped = scoped
        self.required = required
        self.body = body
        self.position = position
    }
}

/// A parsed template: its statements and the blocks it defines.
final class ParsedTemplate: @unchecked Sendable {
    let name: String
    let body: [Node]
    let blocks: [String: BlockDefinition]
    /// The normalized source, for error columns.
    let source: [UInt8]
    /// Whether an `{% extends %}` appears anywhere at the top level (directly or inside `if`s).
    let containsExtends: Bool
    /// XXH3-128 of the source file's bytes (set once, before the template is shared).
    var contentHash = ContentHash(high: 0, low: 0)

    init(name: String, body: [Node], blocks: [String: BlockDefinition], source: [UInt8]) {
        self.name = name
        self.body = body
        self.blocks = blocks
        self.source = source
        func scan(_ nodes: [Node]) -> Bool {
            nodes.contains { node in
                switch node {
                case .extends: return true
                case .ifStatement(let conditions, let otherwise, _):
                    return conditions.contains { scan($0.1) } || scan(otherwise)
                default: return false
                }
            }
        }
        containsExtends = scan(body)
    }

    func column(of position: Position) -> Int {
        Lexer.column(of: position.offset, in: source)
    }
}

/// Finds the names an expression or body loads (Jinja's `find_undeclared`, which decides whether a
/// macro takes `varargs`, `kwargs` and `caller`).
enum NameCollector {
    static func collectLoads(in nodes: [Node], into names: inout Set<String>) {
        for node in nodes { collectLoads(in: node, into: &names) }
    }

    static func collectLoads(in node: Node, into names: inout Set<String>) {
        switch node {
        case .output(let parts, _):
            for case .expression(let expr) in parts { collectLoads(in: expr, into: &names) }
        case .forLoop(let loop):
            collectLoads(in: loop.iterable, into: &names)
            if let test = loop.test { collectLoads(in: test, into: &names) }
            collectLoads(in: loop.body, into: &names)
            collectLoads(in: loop.otherwise, into: &names)
        case .ifStatement(let conditions, let otherwise, _):
            for (test, body) in conditions {
                collectLoads(in: test, into: &names)
                collectLoads(in: body, into: &names)
            }
            collectLoads(in: otherwise, into: &names)
        case .assign(_, let value, _):
            collectLoads(in: value, into: &names)
        case .assignBlock(_, let filters, let body, _):
            for filter in filters { collectLoads(in: filter.arguments, into: &names) }
            collectLoads(in: body, into: &names)
        case .macro(let definition):
            collectLoads(in: definition.body, into: &names)
            for value in definition.signature.defaults { collectLoads(in: value, into: &names) }
        case .callBlock(let definition, let call, _):
            collectLoads(in: call, into: &names)
            collectLoads(in: definition.body, into: &names)
            for value in definition.signature.defaults { collectLoads(in: value, into: &names) }
        case .filterBlock(let filters, let body, _):
            for filter in filters { collectLoads(in: filter.arguments, into: &names) }
            collectLoads(in: body, into: &names)
        case .include(let template, _, _, _), .importModule(let template, _, _, _), .fromImport(let template, _, _, _),
            .extends(let template, _):
            collectLoads(in: template, into: &names)
        case .block:
            break  // Jinja's UndeclaredNameVisitor does not look into blocks
        case .with(_, let values, let body, _):
            for value in values { collectLoads(in: value, into: &names) }
            collectLoads(in: body, into: &names)
        case .scope(let body, _):
            collectLoads(in: body, into: &names)
        }
    }

    static func collectLoads(in arguments: CallArguments, into names: inout Set<String>) {
        for expr in arguments.positional { collectLoads(in: expr, into: &names) }
        for (_, expr) in arguments.keyword { collectLoads(in: expr, into: &names) }
        if let expr = arguments.starArgs { collectLoads(in: expr, into: &names) }
        if let expr = arguments.starKwargs { collectLoads(in: expr, into: &names) }
    }

    static func collectLoads(in expr: Expr, into names: inout Set<String>) {
        switch expr {
        case .constant: break
        case .name(let name, _): names.insert(name.name)
        case .list(let items, _), .tuple(let items, _), .concat(let items, _):
            for item in items { collectLoads(in: item, into: &names) }
        case .dict(let pairs, _):
            for (key, value) in pairs {
                collectLoads(in: key, into: &names)
                collectLoads(in: value, into: &names)
            }
        case .getattr(let base, _, _): collectLoads(in: base, into: &names)
        case .getitem(let base, let index, _):
            collectLoads(in: base, into: &names)
            collectLoads(in: index, into: &names)
        case .slice(let a, let b, let c, _):
            for part in [a, b, c] { if let part { collectLoads(in: part, into: &names) } }
        case .call(let callee, let arguments, _):
            collectLoads(in: callee, into: &names)
            collectLoads(in: arguments, into: &names)
        case .filter(let base, _, let arguments, _):
            if let base { collectLoads(in: base, into: &names) }
            collectLoads(in: arguments, into: &names)
        case .test(let base, _, let arguments, _):
            collectLoads(in: base, into: &names)
            collectLoads(in: arguments, into: &names)
        case .binary(_, let a, let b, _), .and(let a, let b, _), .or(let a, let b, _):
            collectLoads(in: a, into: &names)
            collectLoads(in: b, into: &names)
        case .not(let a, _), .negative(let a, _), .positive(let a, _):
            collectLoads(in: a, into: &names)
        case .compare(let first, let rest, _):
            collectLoads(in: first, into: &names)
            for (_, expr) in rest { collectLoads(in: expr, into: &names) }
        case .conditional(let test, let then, let otherwise, _):
            collectLoads(in: test, into: &names)
            collectLoads(in: then, into: &names)
            if let otherwise { collectLoads(in: otherwise, into: &names) }
        }
    }
}
