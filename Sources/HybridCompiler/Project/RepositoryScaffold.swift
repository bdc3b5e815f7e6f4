import Foundation
import HybridCache
import SupersetModel

/// `hybrid init`: writes the example control-plane repository into a directory.
public struct RepositoryScaffold: Sendable {
    /// What happened to one scaffold file.
    public struct Outcome: Sendable, Equatable {
        public enum Action: String, Sendable, Codable {
            case created
            /// It existed and `--force` was not given: left as it was.
            case kept
            /// It existed with other content and `--force` replaced it.
            case overwritten
            /// It existed with exactly the scaffold's content.
            case unchanged
        }

        public var path: String
        public var action: Action
    }

    public var force: Bool

    public init(force: Bool) {
        self.force = force
    }

    /// Creates the directory if needed, then each file; never replaces a file without `force`.
    public func create(in directory: String) throws(AtomicFile.IOError) -> [Outcome] {
        let manager = FileManager.default
        for folder in [""] + ExampleRepository.directories {
            let path = folder.isEmpty ? directory : directory + "/" + folder
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw AtomicFile.IOError(path: path, message: "cannot create directory (\(error.localizedDescription))")
            }
        }
        var outcomes: [Outcome] = []
        for file in ExampleRepository.files {
            let path = directory + "/" + file.path
            let bytes = Array(file.contents.utf8)
            var action = Outcome.Action.created
            if manager.fileExists(atPath: path) {
                if (try? AtomicFile.read(path)) == bytes {
                    outcomes.append(Outcome(path: file.path, action: .unchanged))
                    continue
                }
                guard force else {
                    outcomes.append(Outcome(path: file.path, action: .kept))
                    continue
                }
                action = .overwritten
            }
            try AtomicFile.write(bytes, to: path, permissions: file.isExecutable ? 0o755 : 0o644)
            if file.isExecutable, chmod(path, 0o755) != 0 {
                throw AtomicFile.IOError(path: path, message: AtomicFile.lastError())
            }
            outcomes.append(Outcome(path: file.path, action: action))
        }
        return outcomes
    }
}
