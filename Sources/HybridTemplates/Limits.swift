/// Bounds on what a template can make the renderer allocate: a hostile or mistaken template gets
/// an error, never an out-of-memory crash.
enum Limits {
    /// A width, repeat count or padding a template asks for, checked against the output bound.
    @discardableResult
    static func size(_ value: Int, _ what: @autoclosure () -> String) throws -> Int {
        if value > Interpreter.maximumOutputBytes {
            throw EvalFailure(.runtime, "MemoryError: \(what()) of \(value) is too large")
        }
        return value
    }
}
