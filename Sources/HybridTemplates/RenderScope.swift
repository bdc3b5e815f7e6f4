import HybridYAML

/// The variables a render starts from (an environment file, tenant overrides, `--var`s) and the
/// global functions; remembers every name a template asked for, found or not.
final class RenderVariables {
    private let source: [String: YAMLNode]
    private var converted: [String: Value] = [:]
    private let globals: [String: Value]
    /// Names looked up in `source` (read or tested for), for the build graph.
    private(set) var read: Set<String> = []

    init(source: [String: YAMLNode], globals: [String: Value]) {
        self.source = source
        self.globals = globals
    }

    /// A variable (converted once per render, so mutations and identity persist), then a global.
    func lookup(_ name: String) -> Value? {
        read.insert(name)
        if let value = converted[name] { return value }
        if let node = source[name] {
            let value = Value(yaml: node)
            converted[name] = value
            return value
        }
        return globals[name]
    }

    func global(_ name: String) -> Value? { globals[name] }
}

/// Where a template's context looks names up after its own top-level variables.
enum ContextParent {
    /// The render's variables and globals.
    case variables(RenderVariables)
    /// Globals only (`{% import %}` without context).
    case globals(RenderVariables)
    /// The including template's scope at the include (`{% include %}`, `with context`).
    case frame(Frame)

    func lookup(_ name: String) -> Value? {
        switch self {
        case .variables(let variables): return variables.lookup(name)
        case .globals(let variables): return variables.global(name)
        case .frame(let frame):
            // Jinja passes the includer's locals, but not its `loop` object.
            return name == "loop" ? nil : frame.lookup(name)
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
    var vars: [String: Value] = [:]
    /// Public top-level names in assignment order (a module's attributes).
    var exported: [String] = []
    var blocks: [String: [BlockEntry]] = [:]
    let parent: ContextParent

    init(template: ParsedTemplate, parent: ContextParent) {
        self.template = template
        self.parent = parent
        for (name, block) in template.blocks {
            blocks[name] = [BlockEntry(definition: block, template: template)]
        }
    }

    func export(_ name: String) {
        if !name.hasPrefix("_") && !exported.contains(name) { exported.append(name) }
    }
}

/// A scope: a template's top level, a loop iteration, a macro call, a `with` body or a block.
final class Frame {
    private(set) var locals: [String: Value] = [:]
    let parent: Frame?
    let context: TemplateContext
    /// The template whose code runs in this frame (a parent template's block runs in the child's context).
    let template: ParsedTemplate
    /// The template's top level: assignments go to the context (and are exported).
    let isRoot: Bool

    init(context: TemplateContext, parent: Frame?, template: ParsedTemplate? = nil, isRoot: Bool = false) {
        self.context = context
        self.parent = parent
        self.template = template ?? parent?.template ?? context.template
        self.isRoot = isRoot
    }

    func lookup(_ name: String) -> Value? {
        var frame: Frame? = self
        while let current = frame {
            if !current.isRoot, let value = current.locals[name] { return value }
            frame = current.parent
        }
        if let value = context.vars[name] { return value }
        return context.parent.lookup(name)
    }

    func assign(_ name: String, _ value: Value, export: Bool = true) {
        if isRoot {
            context.vars[name] = value
            if export { context.export(name) }
        } else {
            locals[name] = value
        }
    }

    /// Sets a local without exporting (loop variables, macro arguments).
    func bind(_ name: String, _ value: Value) {
        if isRoot {
            context.vars[name] = value
        } else {
            locals[name] = value
        }
    }
}
