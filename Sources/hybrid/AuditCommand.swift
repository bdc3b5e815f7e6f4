import ArgumentParser
import Foundation
import HybridAudit
import HybridDiagnostics

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The deploy audit store: list records, flush spooled ones.",
        discussion: """
            apply, promote and embed mint-token store one record per step in .hybrid/audit.db (SQLite, \
            WAL) or, when HYBRID_AUDIT_URL=postgres://user:password@host:port/db is set, in PostgreSQL \
            (CI fleets). A record the store cannot take is kept in .hybrid/audit-spool/ and the command \
            fails; the next command that reaches the store writes it. An older .hybrid/audit.jsonl is \
            imported once and left as it is.
            """,
        subcommands: [AuditListCommand.self, AuditFlushCommand.self]
    )
}

struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Deploy records, newest first (the filters of /api/audit/deploys).")

    @Option(help: "Only this environment.") var env: String?
    @Option(help: "Only this status: success, noop, failed, refused.") var status: String?
    @Option(help: "Only this actor.") var actor: String?
    @Option(help: "Only this tenant.") var tenant: String?
    @Option(help: "From this ISO 8601 date or time (inclusive).") var since: String?
    @Option(help: "Before this ISO 8601 date or time.") var until: String?
    @Option(help: "At most this many records (1–500).") var limit = 50
    @Option(help: "The next_cursor of a previous page.") var cursor: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let context = try CommandContext()
        var parameters: [(String, String)] = [("limit", String(limit))]
        for (name, value) in [
            ("env", env), ("status", status), ("actor", actor), ("tenant", tenant), ("since", since),
            ("until", until), ("cursor", cursor),
        ] {
            if let value { parameters.append((name, value)) }
        }
        let query: DeployQuery
        do throws(AuditQueryError) {
            query = try DeployQuery.parse(parameters)
        } catch {
            context.printer.print(
                .error(at: nil, "--\(error.parameter) \(error.message)"))
            throw ExitCode(1)
        }
        let root = context.workspace.root
        let page = try await context.orExitAsync { () async throws(Diagnostic) in
            do throws(AuditStoreError) {
                return try await AuditStores.using(root: root) { store throws(AuditStoreError) in
                    try await store.deploys(query)
                }
            } catch {
                throw .error(at: nil, error.description)
            }
        }
        if output.format == .json {
            try output.printJSON(page)
            return
        }
        for item in page.items {
            let record = item.record
            let assets = record.assets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: ", ")
            var line = "\(record.timestamp)  \(record.action.rawValue) \(record.environment)"
            if let tenant = record.tenant { line += "/" + tenant }
            line += "  \(record.status.rawValue)  \(record.actor)  \(record.gitSHA.prefix(10))"
            line += "  " + String(format: "%.1f s", record.durationSeconds)
            if !assets.isEmpty { line += "  [\(assets)]" }
            if let error = record.error { line += "  error: " + error }
            StandardStreams.writeOutput(line + "\n")
        }
        if let next = page.nextCursor { StandardStreams.writeOutput("more: --cursor \(next)\n") }
    }
}

struct AuditFlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush", abstract: "Write the records kept in .hybrid/audit-spool/ to the store.")

    func run() async throws {
        let context = try CommandContext()
        let root = context.workspace.root
        let spool = AuditSpool(root: root)
        let (_, unreadable) = spool.pending()
        let flushed = try await context.orExitAsync { () async throws(Diagnostic) in
            do throws(AuditStoreError) {
                return try await AuditStores.using(root: root) { store throws(AuditStoreError) in
                    try await spool.flush(into: store)
                }
            } catch {
                throw .error(at: nil, error.description)
            }
        }
        StandardStreams.writeOutput("flushed \(flushed) audit record\(flushed == 1 ? "" : "s")\n")
        for path in unreadable {
            context.printer.print(.error(at: nil, "\(path): not an audit record; left in the spool"))
        }
        if !unreadable.isEmpty { throw ExitCode(1) }
    }
}
