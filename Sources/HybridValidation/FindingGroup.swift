import HybridDiagnostics

/// The same finding (same template position, key path and message) in several bundles, shown once:
/// at the template line, with the compiled files it was found in as notes.
public struct FindingGroup: Sendable {
    public var first: BundleValidation.Located
    /// Every bundle it was found in, in report order.
    public var bundles: [String]
    /// `file:line:col` of each compiled file it was found in.
    public var files: [String]

    /// Groups findings in report order (a group stands where its first finding stood).
    public static func group(_ findings: [BundleValidation.Located]) -> [FindingGroup] {
        var order: [String] = []
        var groups: [String: FindingGroup] = [:]
        for item in findings {
            let finding = item.finding
            let key = [
                item.template ?? item.file, String(item.templateLine), finding.keyPath, finding.message,
                finding.severity.rawValue,
            ].joined(separator: "\u{1F}")
            if groups[key] == nil {
                order.append(key)
                groups[key] = FindingGroup(first: item, bundles: [], files: [])
            }
            groups[key]!.bundles.append(item.bundle)
            groups[key]!.files.append("\(item.file):\(finding.line):\(finding.column)")
        }
        return order.map { groups[$0]! }
    }

    /// `key.path: message [rule]`.
    public var message: String {
        let finding = first.finding
        return (finding.keyPath.isEmpty ? "" : finding.keyPath + ": ") + finding.message + " [\(finding.rule.rawValue)]"
    }

    /// The template line (or, for `metadata.yaml`, the compiled file's).
    public var location: SourceLocation {
        if let template = first.template {
            return SourceLocation(file: template, line: first.templateLine, column: first.templateColumn)
        }
        return SourceLocation(file: first.file, line: max(1, first.finding.line), column: max(1, first.finding.column))
    }

    /// The finding as a diagnostic: at the template line, with up to three compiled files and the
    /// finding's related lines as notes.
    public var diagnostic: Diagnostic {
        var notes: [Diagnostic] = []
        let shown = files.prefix(3)
        for file in shown { notes.append(.note(at: nil, "in \(file)")) }
        if files.count > shown.count {
            notes.append(.note(at: nil, "and in \(files.count - shown.count) more bundles"))
        }
        for line in first.finding.related { notes.append(.note(at: nil, line)) }
        return Diagnostic(first.finding.severity, at: location, message, notes: notes)
    }
}
