import Foundation
import HybridCompiler
import HybridTestSupport

extension RepositoryFixture {
    func compile(
        env: String = "prod", mappings: CompileOptions.Mappings = .none, jobs: Int = 2, explain: Bool = true
    ) async throws -> CompileReport {
        let compiler = Compiler(workspace: try Workspace.load(root: root))
        return await compiler.compile(
            CompileOptions(environment: env, mappings: mappings, jobs: jobs, explain: explain))
    }

    /// `bundles/ENV` (compiled first) copied to `ui_exports/ENV`, as `hybrid export` would write it
    /// right after an apply; returns that folder's path.
    @discardableResult
    func exportBundle(env: String = "dev") async throws -> String {
        _ = try await compile(env: env)
        let target = root + "/ui_exports/" + env
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.createDirectory(atPath: root + "/ui_exports", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/bundles/" + env, toPath: target)
        try? FileManager.default.removeItem(atPath: target + "/.hybrid-status")
        return target
    }
}
