import HybridCache
import HybridDiagnostics

/// Diagnostics in cache records (warnings repeated when an output or a mapping is reused).
extension BinaryWriter {
    mutating func write(_ diagnostic: Diagnostic) {
        write(diagnostic.severity.rawValue)
        write(diagnostic.message)
        write(diagnostic.location != nil)
        if let location = diagnostic.location {
            write(location.file)
            write(location.line)
            write(location.column)
        }
        write(UInt64(diagnostic.notes.count))
        for note in diagnostic.notes { write(note) }
    }
}

extension BinaryReader {
    mutating func readDiagnostic(depth: Int = 0) throws(BinaryReader.Malformed) -> Diagnostic {
        guard depth < 8, let severity = Diagnostic.Severity(rawValue: try readString()) else {
            throw BinaryReader.Malformed()
        }
        let message = try readString()
        var location: SourceLocation?
        if try readBool() {
            location = SourceLocation(file: try readString(), line: try readInt(), column: try readInt())
        }
        var notes: [Diagnostic] = []
        for _ in 0..<(try readCount()) { notes.append(try readDiagnostic(depth: depth + 1)) }
        return Diagnostic(severity, at: location, message, notes: notes)
    }
}
