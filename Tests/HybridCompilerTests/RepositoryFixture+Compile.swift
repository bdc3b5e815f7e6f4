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
}
