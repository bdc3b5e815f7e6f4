import Foundation
import HybridCache
import HybridDiagnostics
import HybridYAML
import SupersetModel

/// `hybrid normalize`: rewrites YAML files into the canonical form, or checks that they are in it.
public struct Normalizer: Sendable {
    public enum Mode: Sendable {
        /// Rewrite files that are not canonical.
        case write
        /// Change nothing; report files that are not canonical.
        case check
        /// Return the canonical text instead of writing it.
        case print
    }

    /// What happened to one file.
    public struct FileResult: Sendable {
        public enum Status: String, Sendable, Codable {
            case canonical
            case normalized
            case notCanonical = "not-canonical"
            case failed = "error"
        }

        public var path: String
        public var status: Status
        public var diagnostics: [Diagnostic]
        /// The canonical text (in `.print` mode).
        public var canonical: [UInt8]?
    }

    public var mode: Mode
    /// Allow rewriting files whose comments the canonical form would drop.
    public var dropComments: Bool
    public var options: YAMLParseOptions
    /// Where writes may land (resolved through symlinks): a file that resolves outside is not
    /// written. Nil writes anywhere (tests of the canonical form).
    public var root: String?

    public init(
        mode: Mode, dropComments: Bool = false, options: YAMLParseOptions = YAMLParseOptions(), root: String? = nil
    ) {
        self.mode = mode
        self.dropComments = dropComments
        self.options = options
        self.root = root
    }

    /// The file a write to `path` lands in (symlinks followed), or an error when it leaves `root`.
    func writeTarget(_ path: String) -> Result<String, Diagnostic> {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        guard let root else { return .success(target) }
        let inside = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
        guard target == inside || target.hasPrefix(inside == "/" ? "/" : inside + "/") else {
            return .failure(
                .error(
                    at: SourceLocation(file: path, line: 1, column: 1),
                    "resolves to \(target), outside the repository (\(inside)); not written"))
        }
        return .success(target)
    }

    /// The canonical form of a YAML file, or the error that prevents reading it. A file holds one
    /// document, as PyYAML's `safe_load` reads it: a second one is the "expected a single document" error.
    public static func canonicalForm(
        of bytes: [UInt8], file: String, options: YAMLParseOptions = YAMLParseOptions()
    ) throws(YAMLError) -> [UInt8] {
        let document = try YAMLParser.parseDocument(bytes, file: file, options: options)
        return YAMLEmitter.emitStream(document.map { [$0] } ?? [])
    }

    /// Normalizes (or checks) one file. A file that does not parse is left untouched.
    public func run(path: String) -> FileResult {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            return FileResult(path: path, status: .failed, diagnostics: [.error(at: nil, error.description)])
        }
        let canonical: [UInt8]
        do {
            canonical = try Normalizer.canonicalForm(of: bytes, file: path, options: options)
        } catch {
            return FileResult(path: path, status: .failed, diagnostics: [error.diagnostic])
        }
        switch mode {
        case .print:
            return FileResult(
                path: path, status: canonical == bytes ? .canonical : .notCanonical, diagnostics: [],
                canonical: canonical)
        case .check:
            return FileResult(path: path, status: canonical == bytes ? .canonical : .notCanonical, diagnostics: [])
        case .write:
            if canonical == bytes { return FileResult(path: path, status: .canonical, diagnostics: []) }
            if !dropComments, let comments = YAMLCommentScanner.comments(in: bytes), let first = comments.first {
                let count = comments.count
                let message =
                    "normalizing would drop \(count == 1 ? "this comment" : "\(count) comments, the first here"); "
                    + "pass --drop-comments to allow it"
                return FileResult(
                    path: path, status: .failed,
                    diagnostics: [
                        .error(
                            at: SourceLocation(file: path, line: Int(first.line), column: Int(first.column)), message)
                    ])
            }
            let target: String
            switch writeTarget(path) {
            case .success(let resolved): target = resolved
            case .failure(let refusal): return FileResult(path: path, status: .failed, diagnostics: [refusal])
            }
            do {
                // Through a link inside the repository: the file it points to, so the link stays a link.
                try AtomicFile.write(canonical, to: target)
            } catch {
                return FileResult(path: path, status: .failed, diagnostics: [.error(at: nil, error.description)])
            }
            return FileResult(path: path, status: .normalized, diagnostics: [])
        }
    }
}
