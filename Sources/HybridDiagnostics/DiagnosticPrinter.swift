#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Renders diagnostics as `file:line:col: severity: message`, coloured only on a terminal.
public struct DiagnosticPrinter: Sendable {
    public var style: TerminalStyle

    public init(style: TerminalStyle = .standardError) {
        self.style = style
    }

    /// The text for one diagnostic and its notes, one line each, ending in a newline.
    public func render(_ diagnostic: Diagnostic) -> String {
        var out = line(for: diagnostic)
        for note in diagnostic.notes {
            out += line(for: note)
        }
        return out
    }

    /// Writes the rendering to standard error.
    public func print(_ diagnostic: Diagnostic) {
        StandardStreams.writeError(render(diagnostic))
    }

    private func line(for diagnostic: Diagnostic) -> String {
        var out = ""
        if let location = diagnostic.location {
            out += style.bold("\(location): ")
        }
        let label = "\(diagnostic.severity.rawValue):"
        switch diagnostic.severity {
        case .error: out += style.red(label)
        case .warning: out += style.yellow(label)
        case .note: out += style.cyan(label)
        }
        out += " " + diagnostic.message + "\n"
        return out
    }
}

/// Unbuffered writes to the process's standard streams.
public enum StandardStreams {
    public static func writeOutput(_ text: String) {
        write(text, to: 1)
    }

    public static func writeOutput(_ bytes: [UInt8]) {
        write(bytes, to: 1)
    }

    public static func writeError(_ text: String) {
        write(text, to: 2)
    }

    private static func write(_ text: String, to descriptor: Int32) {
        write(Array(text.utf8), to: descriptor)
    }

    /// Every write passes through the ``SecretRegistry``: no registered secret reaches a terminal or a log.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        SecretRegistry.shared.redact(bytes).withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                    let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                    let written = Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
