import Foundation
import HybridCompiler
import HybridDiagnostics
import HybridValidation
import SupersetModel

/// `hybrid promote`: for each environment of the chain in order — compile, validate, optionally a
/// drift check that stops the chain, apply — stopping at the first failure.
public struct Promoter: Sendable {
    /// How one environment's step ended.
    public enum StepResult: String, Sendable, Codable {
        case applied
        case upToDate = "up-to-date"
        case compileFailed = "compile-failed"
        case validationFailed = "validation-failed"
        case drift
        case applyFailed = "apply-failed"
    }

    public struct Step: Sendable, Codable {
        public var environment: String
        public var result: StepResult
        public var message: String?
    }
}

extension Promoter {
    /// Runs the chain; `report` receives each environment's outcome as it ends. Stops at the first
    /// step that is not applied or up to date.
    public static func run(
        _ deployment: Deployment, chain: [String], checkDrift: Bool, mappings: CompileOptions.Mappings,
        jobs: Int?, report: (Step, [Diagnostic]) -> Void
    ) async -> [Step] {
        let gitSHA = AuditLog.gitSHA(root: deployment.root)
        var steps: [Step] = []
        for environment in chain {
            let started = ContinuousClock.now
            var findings: [Diagnostic] = []
            func finish(_ result: StepResult, _ message: String?, target: String, assets: [String: Int] = [:]) -> Bool {
                let step = Step(environment: environment, result: result, message: message)
                steps.append(step)
                let status = result == .applied ? "success" : result == .upToDate ? "noop" : "failed"
                if let warning = deployment.record(
                    action: "promote", environment: environment, tenant: nil, target: target, gitSHA: gitSHA,
                    assets: assets, status: status, started: started, error: message)
                {
                    findings.append(warning)
                }
                report(step, findings)
                return result == .applied || result == .upToDate
            }
            let (compiled, bundles) = await deployment.bundles(
                CompileOptions(environment: environment, mappings: mappings, jobs: jobs))
            findings += compiled.diagnostics
            let target = deployment.config.runtimeURL(for: environment) ?? "(no target)"
            if compiled.errorCount > 0 {
                if !finish(.compileFailed, "\(compiled.errorCount) compile error(s)", target: target) { break }
                continue
            }
            let validation = await BundleValidation(compiler: deployment.compiler).validate(compiled)
            if validation.errorCount > 0 {
                for item in validation.findings where item.finding.severity == .error {
                    findings.append(
                        .error(
                            at: SourceLocation(
                                file: item.template ?? item.file, line: item.templateLine, column: item.templateColumn),
                            "\(item.finding.keyPath): \(item.finding.message) [\(item.bundle)]"))
                }
                if !finish(.validationFailed, "\(validation.errorCount) validation error(s)", target: target) { break }
                continue
            }
            let connection: RuntimeConnection
            do {
                connection = try deployment.connect(environment: environment, url: nil)
            } catch {
                findings.append(error)
                if !finish(.applyFailed, error.message, target: target) { break }
                continue
            }
            if checkDrift {
                var drifted: [String] = []
                do {
                    for bundle in bundles {
                        drifted += try await DriftPlanner(connection: connection).drift(bundle).map {
                            "\(bundle.name)/\($0.path)"
                        }
                    }
                } catch {
                    findings.append(error)
                    if !finish(.applyFailed, error.message, target: connection.target) { break }
                    continue
                }
                if !drifted.isEmpty {
                    if !finish(.drift, "drift in \(drifted.joined(separator: ", "))", target: connection.target) {
                        break
                    }
                    continue
                }
            }
            var imported: [String: Int] = [:]
            var calls = 0
            do {
                for bundle in bundles {
                    let outcome = try await Applier(store: deployment.store, connection: connection).apply(
                        bundle, options: Applier.Options())
                    imported.merge(outcome.imported) { $0 + $1 }
                    calls += outcome.importCalls
                }
            } catch {
                findings.append(error)
                if !finish(.applyFailed, error.message, target: connection.target) { break }
                continue
            }
            let applied = imported.values.reduce(0, +)
            if !finish(
                calls == 0 ? .upToDate : .applied, calls == 0 ? "nothing to apply" : "\(applied) assets imported",
                target: connection.target, assets: imported)
            {
                break
            }
        }
        return steps
    }
}
