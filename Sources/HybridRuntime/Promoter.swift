import Foundation
import HybridAudit
import HybridCompiler
import HybridDiagnostics
import HybridValidation
import SupersetClient
import SupersetModel

/// `hybrid promote`: for each environment of the chain in order — compile, validate, optionally a
/// drift check that stops the chain, apply — stopping at the first failure. Every step is audited
/// with the same git sha.
public struct Promoter: Sendable {
    /// How one environment's step ended.
    public enum StepResult: String, Sendable, Codable {
        case applied
        case upToDate = "up-to-date"
        case compileFailed = "compile-failed"
        case validationFailed = "validation-failed"
        case drift
        case applyFailed = "apply-failed"

        /// Whether the chain goes on after this step.
        public var succeeded: Bool { self == .applied || self == .upToDate }

        /// The audit status of a step that ended so.
        public var auditStatus: AuditRecord.Status {
            switch self {
            case .applied: .success
            case .upToDate: .noop
            default: .failed
            }
        }
    }

    public struct Step: Sendable, Codable {
        public var environment: String
        public var result: StepResult
        public var message: String?
        /// The step's audit record could not be stored (it was spooled).
        public var auditFailed = false

        enum CodingKeys: String, CodingKey { case environment, result, message }
    }

    let deployment: Deployment
    let checkDrift: Bool
    let mappings: CompileOptions.Mappings
    let jobs: Int?

    public init(deployment: Deployment, checkDrift: Bool, mappings: CompileOptions.Mappings, jobs: Int?) {
        self.deployment = deployment
        self.checkDrift = checkDrift
        self.mappings = mappings
        self.jobs = jobs
    }

    /// Runs the chain; `report` receives each environment's outcome, with its findings, as it
    /// ends. Stops at the first step that is not applied or up to date.
    public func run(chain: [String], report: (Step, [Diagnostic]) -> Void) async -> [Step] {
        let gitSHA = AuditIdentity.gitSHA(root: deployment.workspace.root)
        var steps: [Step] = []
        for environment in chain {
            let started = ContinuousClock.now
            var ended = await promote(environment)
            var step = Step(environment: environment, result: ended.result, message: ended.message)
            if let auditError = await deployment.record(
                .promote, environment: environment, tenant: nil, target: ended.target, gitSHA: gitSHA,
                assets: ended.assets, status: ended.result.auditStatus, started: started,
                error: ended.result.succeeded ? nil : ended.message)
            {
                ended.findings.append(auditError)
                step.auditFailed = true
            }
            steps.append(step)
            report(step, ended.findings)
            if !ended.result.succeeded { break }
        }
        return steps
    }

    /// How one environment's promotion ended.
    struct Ended {
        var result: StepResult
        var message: String?
        var target: String
        var assets: [String: Int] = [:]
        var findings: [Diagnostic] = []
    }

    /// Compile, validate, check drift (when asked), apply: one environment.
    func promote(_ environment: String) async -> Ended {
        let (compiled, bundles) = await deployment.bundles(
            CompileOptions(environment: environment, mappings: mappings, jobs: jobs))
        var findings = compiled.diagnostics
        // Until connected, the configured URL as audited (never with the credentials it may hold).
        var target = deployment.config.runtimeURL(for: environment).map(SupersetTarget.displayURL(of:)) ?? "(no target)"
        func end(_ result: StepResult, _ message: String?, assets: [String: Int] = [:]) -> Ended {
            Ended(result: result, message: message, target: target, assets: assets, findings: findings)
        }
        if compiled.errorCount > 0 { return end(.compileFailed, "\(compiled.errorCount) compile error(s)") }
        let validation = await BundleValidation(workspace: deployment.workspace).validate(compiled)
        if validation.errorCount > 0 {
            let errors = validation.findings.filter { $0.finding.severity == .error }
            findings += FindingGroup.group(errors).map(\.diagnostic)
            return end(.validationFailed, "\(validation.errorCount) validation error(s)")
        }
        let connection: RuntimeConnection
        do {
            connection = try deployment.connect(environment: environment, url: nil)
        } catch {
            findings.append(error)
            return end(.applyFailed, error.message)
        }
        target = connection.target
        let clashes = Deployment.crossBundleClashes(bundles)
        if let first = clashes.first {
            findings += clashes
            return end(.applyFailed, first.message)
        }
        if checkDrift {
            do {
                let drifted = try await drift(bundles, connection: connection)
                if !drifted.isEmpty {
                    findings += drifted.map { name, drift in
                        let fields = drift.fields.isEmpty ? "" : " (\(drift.fields.joined(separator: ", ")) differ)"
                        return Diagnostic(
                            .error, at: nil, "\(name)/\(drift.path): \(drift.state.reason)\(fields)",
                            notes: drift.diff.isEmpty
                                ? [] : [.note(at: nil, "the bundle against the server:\n" + drift.diff)])
                    }
                    return end(
                        .drift, "drift in \(drifted.map { "\($0.bundle)/\($0.drift.path)" }.joined(separator: ", "))")
                }
            } catch {
                findings.append(error)
                return end(.applyFailed, error.message)
            }
        }
        var imported: [String: Int] = [:]
        var calls = 0
        do {
            let listing = try await Deployment.sharedListing(bundles, connection: connection)
            for bundle in bundles {
                let outcome = try await Applier(store: deployment.store, connection: connection, listing: listing)
                    .apply(
                        bundle, options: Applier.Options(tableNameScope: deployment.tableNameScope))
                findings += outcome.warnings
                imported.merge(outcome.imported) { $0 + $1 }
                calls += outcome.importCalls
            }
        } catch {
            findings.append(error)
            return end(.applyFailed, error.message)
        }
        if calls == 0 { return end(.upToDate, "nothing to apply", assets: imported) }
        return end(.applied, "\(imported.values.reduce(0, +)) assets imported", assets: imported)
    }

    /// Every drifted asset, with its bundle's name.
    private func drift(_ bundles: [BundleSnapshot], connection: RuntimeConnection) async throws(Diagnostic)
        -> [(bundle: String, drift: DriftPlanner.Drift)]
    {
        var drifted: [(bundle: String, drift: DriftPlanner.Drift)] = []
        let listing = try await Deployment.sharedListing(bundles, connection: connection)
        for bundle in bundles {
            drifted += try await DriftPlanner(connection: connection, store: deployment.store, listing: listing).drift(
                bundle
            )
            .filter(\.state.isDrift).map { (bundle.name, $0) }
        }
        return drifted
    }
}
