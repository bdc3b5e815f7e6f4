import HybridYAML

/// The variables a render starts from (an environment file, tenant overrides, `--var`s) and the
/// global functions; remembers every name a template asked for, found or not.
final class RenderVariables {
    private let source: [String: YAMLNode]
    private let globals: GlobalValues
    /// Every name asked for, with what it resolved to (converted once per render, so mutations
    /// and identity persist through the render). A short list: renders read a handful of names.
    private let memo = SymbolSlots<Value?>(capacity: 16)
    private var memoNames: [String] = []

    init(source: [String: YAMLNode], globals: GlobalValues) {
        self.source = source
        self.globals = globals
    }

    /// A variable, then a global; nil if neither exists. Recorded as read either way.
    func lookup(_ symbol: Symbol) -> Value? {
        if let index = memo.index(of: symbol.id) { return memo.value(at: index) }
        var value: Value?
        if let node = source[symbol.name] {
            value = Value(yaml: node)
        } else {
            value = globals.value(of: symbol)
        }
        memo.set(symbol.id, value)
        memoNames.append(symbol.name)
        return value
    }

    func global(_ symbol: Symbol) -> Value? { globals.value(of: symbol) }

    /// Names looked up in the render variables (found or not), sorted.
    var read: [String] { memoNames.sorted() }
}

/// Where a template's context looks names up after its own top-level variables.
enum ContextParent {
    /// The render's variables and globals.
    case variables(RenderVariables)
    /// Globals only (`{% import %}` without context).
    case globals(RenderVariables)
    /// The including template's scope at the include (`{% include %}`, `with context`).
    case frame(Frame)

    func lookup(_ symbol: Symbol) -> Value? {
        switch self {
        case .variables(let variables): return variables.lookup(symbol)
        case .globals(let variables): return variables.global(symbol)
        case .frame(let frame):
            // Jinja passes the includer's locals, but not its `loop` object.
            return symbol == .loop ? nil : frame.lookup(symbol)
        }
    }
}

/// A block as registered in a context: its definition and the template it belongs to.
struct BlockEntry {
    let definition: BlockDefinition
    let template: ParsedTemplate
}

/// One rendering of one template (Jinja's `Context`): top-level variables, exports, blocks.
final class TemplateContext {
    let template: ParsedTemplate
    private let vars = SymbolSlots<Value>()
    /// Public top-level names in assignment order (a module's attributes).
    private(set) var exported: [Symbol] = []
    var blocks: [String: [BlockEntry]]
    let parent: ContextParent
    /// The render variables when `parent` is `.variables` (looked up without unpacking the enum or counting references).
    private let renderVariables: Unmanaged<RenderVariables>?

    init(template: ParsedTemplate, parent: ContextParent) {
        self.template = template
        self.parent = parent
        if case .variables(let variables) = parent {
            renderVariables = Unmanaged.passUnretained(variables)
        } else {
            renderVariables = nil
        }
        var blocks: [String: [BlockEntry]] = [:]
        for (name, block) in template.blocks {
            blocks[name] = [BlockEntry(definition: block, template: template)]
        }
        self.blocks = blocks
    }

    /// A name not defined in this context: from the render variables, the includer, or the globals.
    @inline(__always)
    func parentLookup(_ symbol: Symbol) -> Value? {
        if let renderVariables { return renderVariables._withUnsafeGuaranteedRef { $0.lookup(symbol) } }
        return parent.lookup(symbol)
    }

    @inline(__always)
    func variable(_ symbol: Symbol) -> Value? {
        guard let index = vars.index(of: symbol.id) else { return nil }
        return vars.value(at: index)
    }

    func setVariable(_ symbol: Symbol, _ value: Value) {
        vars.set(symbol.id, value)
    }

    func export(_ symbol: Symbol) {
        if !symbol.name.hasPrefix("_") && !exported.contains(symbol) { exported.append(symbol) }
    }

    func unexport(_ symbol: Symbol) {
        exported.removeAll { $0 == symbol }
    }
}

/// A scope: a template's top level, a loop iteration, a macro call, a `with` body or a block.
final class Frame {
    // Most scopes hold one to three names (a loop target and `loop`, a macro's arguments):
    // the first three live inline, the rest in arrays.
    private var key0: Int32 = -1
    private var key1: Int32 = -1
    private var key2: Int32 = -1
    private var value0: Value = .none
    private var value1: Value = .none
    private var value2: Value = .none
    private var moreKeys: [Int32] = []
    private var moreValues: [Value] = []
    let parent: Frame?
    /// `parent` and `context` without reference counting, for walking the chain.
    private let unmanagedParent: Unmanaged<Frame>?
    private let unmanagedContext: Unmanaged<TemplateContext>
    let context: TemplateContext
    /// The template whose code runs in this frame (a parent template's block runs in the child's context).
    let template: ParsedTemplate
    /// The template's top level: assignments go to the context (and are exported).
    let isRoot: Bool

    init(context: TemplateContext, parent: Frame?, template: ParsedTemplate? = nil, isRoot: Bool = false) {
        self.context = context
        self.parent = parent
        self.unmanagedParent = parent.map { Unmanaged.passUnretained($0) }
        self.unmanagedContext = Unmanaged.passUnretained(context)
        self.template = template ?? parent?.template ?? context.template
        self.isRoot = isRoot
    }

    func lookup(_ symbol: Symbol) -> Value? {
        // Walk the chain without reference counting: `self` keeps every frame on it (and their
        // context) alive for the duration of the call.
        var current = Unmanaged.passUnretained(self)
        while true {
            let found: Value?? = current._withUnsafeGuaranteedRef { frame in
                if frame.isRoot { return nil }
                return frame.local(symbol.id).map { .some($0) }
            }
            if let found { return found }
            guard let next = current._withUnsafeGuaranteedRef({ $0.unmanagedParent }) else { break }
            current = next
        }
        return unmanagedContext._withUnsafeGuaranteedRef { context in
            if let value = context.variable(symbol) { return value }
            return context.parentLookup(symbol)
        }
    }

    @inline(__always)
    private func local(_ id: Int32) -> Value? {
        if key0 == id { return value0 }
        if key1 == id { return value1 }
        if key2 == id { return value2 }
        if moreKeys.isEmpty { return nil }
        if let index = moreKeys.firstIndex(of: id) { return moreValues[index] }
        return nil
    }

    /// Assigns in this scope (`set`, macro definitions); at the top level, exports public names.
    func assign(_ symbol: Symbol, _ value: Value, export: Bool = true) {
        if isRoot {
            context.setVariable(symbol, value)
            if export { context.export(symbol) } else { context.unexport(symbol) }
        } else {
            bind(symbol, value)
        }
    }

    /// Forgets every local (a loop's scope between iterations).
    func removeAllLocals() {
        key0 = -1
        key1 = -1
        key2 = -1
        value0 = .none
        value1 = .none
        value2 = .none
        if !moreKeys.isEmpty {
            moreKeys.removeAll(keepingCapacity: true)
            moreValues.removeAll(keepingCapacity: true)
        }
    }

    /// Sets a local without exporting (loop variables, macro arguments).
    func bind(_ symbol: Symbol, _ value: Value) {
        if isRoot {
            context.setVariable(symbol, value)
            return
        }
        let id = symbol.id
        if key0 == id || key0 == -1 {
            key0 = id
            value0 = value
        } else if key1 == id || key1 == -1 {
            key1 = id
            value1 = value
        } else if key2 == id || key2 == -1 {
            key2 = id
            value2 = value
        } else if let index = moreKeys.firstIndex(of: id) {
            moreValues[index] = value
        } else {
            moreKeys.append(id)
            moreValues.append(value)
        }
    }
}
