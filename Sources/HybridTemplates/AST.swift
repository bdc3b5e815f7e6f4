import HybridCache

/// Template syntax trees: statements (`Node`) and expressions (`Expr`), each with its line.

/// Where a node starts: line and byte offset in the template's normalized source.
struct Position {
    var line: Int
    var offset: Int
}

/// An expression: what it computes and where it starts. A class, so evaluating one lends its
/// operands to the evaluator (an indirect enum copies them out of its box, a retain each).
final class Expr {
    let kind: Kind
    let position: Position

    init(_ kind: Kind, _ position: Position) {
        self.kind = kind
        self.position = position
    }

    enum Kind {
        case constant(Value)
        case name(Symbol)
        case list([Expr])
        case tuple([Expr])
        case dict([(Expr, Expr)])
        case getattr(Expr, String)
        case getitem(Expr, Expr)
        case slice(Expr?, Expr?, Expr?)
        case call(Expr, CallArguments)
        case filter(Expr?, FilterReference, CallArguments)
        case test(Expr, TestReference, CallArguments)
        case binary(BinaryOperator, Expr, Expr)
        case concat([Expr])
        case and(Expr, Expr)
        case or(Expr, Expr)
        case not(Expr)
        case negative(Expr)
        case positive(Expr)
        case compare(Expr, [(CompareOperator, Expr)])
        case conditional(test: Expr, then: Expr, otherwise: Expr?)
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

/// Arguments of a call, filter or test: positional, keyword, `*args`, `**kwargs`. A class (one
/// word in an `Expr`, which stays small and cache-friendly).
final class CallArguments {
    let positional: [Expr]
    let keyword: [(String, Expr)]
    let starArgs: Expr?
    let starKwargs: Expr?

    init(positional: [Expr] = [], keyword: [(String, Expr)] = [], starArgs: Expr? = nil, starKwargs: Expr? = nil) {
        self.positional = positional
        self.keyword = keyword
        self.starArgs = starArgs
        self.starKwargs = starKwargs
    }

    static var empty: CallArguments { CallArguments() }
}

/// A filter named in a template, resolved to its function at parse time (nil: unknown, which is
/// only allowed inside conditionals and fails when reached).
final class FilterReference {
    let name: String
    let function: FilterFunction?
    /// Where the name is written (nil: named at run time, as `map`'s argument).
    let position: Position?

    init(name: String, function: FilterFunction?, position: Position? = nil) {
        self.name = name
        self.function = function
        self.position = position
    }
}

/// A test named in a template, resolved at parse time like filters.
final class TestReference {
    let name: String
    let function: TestFunction?
    let position: Position?

    init(name: String, function: TestFunction?, position: Position? = nil) {
        self.name = name
        self.function = function
        self.position = position
    }
}

/// Where `set`, `for` and `with` store values.
indirect enum AssignTarget {
    case name(Symbol)
    case tuple([AssignTarget])
    /// `ns.attribute` where `ns` is a namespace.
    /// `ns.attribute`; `checkedAt` is where Jinja2 reports a target that is not a namespace (the line
    /// of what precedes the `{% set %}` tag: its generated check carries no line of its own).
    case namespaceAttribute(Symbol, String, checkedAt: Position)

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

/// A statement: what it does and where it starts (a class, like `Expr`, so executing one lends
/// its parts instead of copying them).
final class Node {
    let kind: Kind
    let position: Position

    init(_ kind: Kind, _ position: Position) {
        self.kind = kind
        self.position = position
    }

    enum Kind {
        case output([OutputPart])
        case forLoop(ForLoop)
        case ifStatement(conditions: [(Expr, [Node])], otherwise: [Node])
        case assign(AssignTarget, Expr)
        case assignBlock(AssignTarget, [FilterApplication], [Node])
        case macro(MacroDefinition)
        case callBlock(MacroDefinition, call: Expr)
        case filterBlock([FilterApplication], [Node])
        case include(Expr, ignoreMissing: Bool, withContext: Bool)
        case importModule(Expr, target: Symbol, withContext: Bool)
        case fromImport(Expr, names: [(String, Symbol)], withContext: Bool)
        /// `repeatAt`: where Jinja2 reports "extended multiple times" for this tag (the line of what
        /// precedes it, as for a namespace check).
        case extends(Expr, repeatAt: Position)
        case block(BlockDefinition)
        case with(targets: [AssignTarget], values: [Expr], body: [Node])
        /// `{% autoescape %}` (no effect without autoescaping) and other pure scopes.
        case scope([Node])
    }
}

enum OutputPart {
    /// Template data, verbatim from the source starting at the position.
    case text(TemplateText, Position)
    case expression(Expr)
}

/// Template data as UTF-8 bytes stored in the object itself (header: the byte count): writing it
/// reads one block in place, with no reference counting (appending a String's UTF-8 view retains
/// it, and its bytes live in a second allocation).
final class TemplateText: ManagedBuffer<Int, UInt8> {
    static func make(_ text: String) -> TemplateText {
        let count = text.utf8.count
        let buffer = TemplateText.create(minimumCapacity: count) { _ in count }
        buffer.withUnsafeMutablePointerToElements { start in
            _ = UnsafeMutableBufferPointer(start: start, count: count).initialize(from: text.utf8)
        }
        return unsafeDowncast(buffer, to: TemplateText.self)
    }

    /// The bytes, valid while the object lives (the tree holds it for the whole render).
    var bytes: UnsafeBufferPointer<UInt8> {
        withUnsafeMutablePointerToElements { UnsafeBufferPointer(start: $0, count: header) }
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }
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
    /// The macro of a `{% call %}` block: Jinja2 gives it no name (`<Macro anonymous>`, `.name` None).
    let isAnonymous: Bool

    /// `specialNames`: `caller`, `kwargs`, `varargs` as the parser saw them in the body, before
    /// constant folding removed any.
    init(
        name: Symbol, signature: MacroSignature, body: [Node], position: Position, isAnonymous: Bool = false,
        specialNames: Set<String> = []
    ) {
        self.name = name
        self.isAnonymous = isAnonymous
        self.signature = signature
        self.body = body
        self.position = position
        var names = specialNames
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
                switch node.kind {
                case .extends: return true
                case .ifStatement(let conditions, let otherwise):
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
        switch node.kind {
        case .output(let parts):
            for case .expression(let expr) in parts { collectLoads(in: expr, into: &names) }
        case .forLoop(let loop):
            collectLoads(in: loop.iterable, into: &names)
            if let test = loop.test { collectLoads(in: test, into: &names) }
            collectLoads(in: loop.body, into: &names)
            collectLoads(in: loop.otherwise, into: &names)
        case .ifStatement(let conditions, let otherwise):
            for (test, body) in conditions {
                collectLoads(in: test, into: &names)
                collectLoads(in: body, into: &names)
            }
            collectLoads(in: otherwise, into: &names)
        case .assign(_, let value):
            collectLoads(in: value, into: &names)
        case .assignBlock(_, let filters, let body):
            for filter in filters { collectLoads(in: filter.arguments, into: &names) }
            collectLoads(in: body, into: &names)
        case .macro(let definition):
            collectLoads(in: definition.body, into: &names)
            for value in definition.signature.defaults { collectLoads(in: value, into: &names) }
        case .callBlock(let definition, let call):
            collectLoads(in: call, into: &names)
            collectLoads(in: definition.body, into: &names)
            for value in definition.signature.defaults { collectLoads(in: value, into: &names) }
        case .filterBlock(let filters, let body):
            for filter in filters { collectLoads(in: filter.arguments, into: &names) }
            collectLoads(in: body, into: &names)
        case .include(let template, _, _), .importModule(let template, _, _), .fromImport(let template, _, _),
            .extends(let template, _):
            collectLoads(in: template, into: &names)
        case .block:
            break  // Jinja's UndeclaredNameVisitor does not look into blocks
        case .with(_, let values, let body):
            for value in values { collectLoads(in: value, into: &names) }
            collectLoads(in: body, into: &names)
        case .scope(let body):
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
        switch expr.kind {
        case .constant: break
        case .name(let name): names.insert(name.name)
        case .list(let items), .tuple(let items), .concat(let items):
            for item in items { collectLoads(in: item, into: &names) }
        case .dict(let pairs):
            for (key, value) in pairs {
                collectLoads(in: key, into: &names)
                collectLoads(in: value, into: &names)
            }
        case .getattr(let base, _): collectLoads(in: base, into: &names)
        case .getitem(let base, let index):
            collectLoads(in: base, into: &names)
            collectLoads(in: index, into: &names)
        case .slice(let a, let b, let c):
            for part in [a, b, c] { if let part { collectLoads(in: part, into: &names) } }
        case .call(let callee, let arguments):
            collectLoads(in: callee, into: &names)
            collectLoads(in: arguments, into: &names)
        case .filter(let base, _, let arguments):
            if let base { collectLoads(in: base, into: &names) }
            collectLoads(in: arguments, into: &names)
        case .test(let base, _, let arguments):
            collectLoads(in: base, into: &names)
            collectLoads(in: arguments, into: &names)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b):
            collectLoads(in: a, into: &names)
            collectLoads(in: b, into: &names)
        case .not(let a), .negative(let a), .positive(let a):
            collectLoads(in: a, into: &names)
        case .compare(let first, let rest):
            collectLoads(in: first, into: &names)
            for (_, expr) in rest { collectLoads(in: expr, into: &names) }
        case .conditional(let test, let then, let otherwise):
            collectLoads(in: test, into: &names)
            collectLoads(in: then, into: &names)
            if let otherwise { collectLoads(in: otherwise, into: &names) }
        }
    }
}
