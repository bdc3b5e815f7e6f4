/// Bounds on what a template can make the renderer allocate: a hostile or mistaken template gets
/// an error, never an out-of-memory crash.
enum Limits {
    /// A width, repeat count or padding a template asks for, checked against the output bound.
    @discardableResult
    static func size(_ value: Int, _ what: @autoclosure () -> String) throws -> Int {
        if value > RenderBudget.limit {
            throw EvalFailure(
                .runtime,
                "MemoryError: \(what()) of \(value) exceeds the render's memory budget (\(RenderBudget.limit) bytes)")
        }
        return value
    }
}
