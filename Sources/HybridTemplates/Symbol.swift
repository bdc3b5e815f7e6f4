import Foundation

/// An interned variable name: the parser gives every name an integer id once, so scopes compare
/// and hash names as integers while rendering.
struct Symbol: Hashable, Sendable, CustomStringConvertible {
    let id: Int32
    let name: String

    static func == (lhs: Symbol, rhs: Symbol) -> Bool { lhs.id == rhs.id }

    func hash(into hasher: inout Hasher) { hasher.combine(id) }

    var description: String { name }

    /// The symbol for a name (the same id for the same name, process-wide).
    static func named(_ name: String) -> Symbol { SymbolTable.shared.intern(name) }

    static let loop = named("loop")
    static let caller = named("caller")
    static let varargs = named("varargs")
    static let kwargs = named("kwargs")
    static let superName = named("super")
    static let selfName = named("self")
}

/// The process-wide name → id table (parsing interns; rendering only reads symbols already made).
final class SymbolTable: @unchecked Sendable {
    static let shared = SymbolTable()
    private let lock = NSLock()
    private var ids: [String: Int32] = [:]

    func intern(_ name: String) -> Symbol {
        lock.lock()
        defer { lock.unlock() }
        if let id = ids[name] { return Symbol(id: id, name: name) }
        let id = Int32(ids.count)
        ids[name] = id
        return Symbol(id: id, name: name)
    }
}
