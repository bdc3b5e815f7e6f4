import Foundation

/// Who deploys and what: the actor and the commit an audit record names.
public enum AuditIdentity {
    /// `HYBRID_ACTOR`, else the git author email, else the login name.
    public static func actor(root: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let actor = environment["HYBRID_ACTOR"], !actor.isEmpty { return actor }
        if let email = run(["git", "config", "user.email"], in: root), !email.isEmpty { return email }
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }

    /// `git rev-parse HEAD` (with `-dirty` when the work tree has changes), or `unknown`.
    public static func gitSHA(root: String) -> String {
        guard let sha = run(["git", "rev-parse", "HEAD"], in: root), sha.count == 40 else { return "unknown" }
        let dirty =
            run(["git", "status", "--porcelain", "--untracked-files=no"], in: root).map { !$0.isEmpty } ?? false
        return dirty ? sha + "-dirty" : sha
    }

    private static func run(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
