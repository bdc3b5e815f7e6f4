import HybridCompiler
import HybridTestSupport

extension RepositoryFixture {
    func compile(
        env: String = "prod", mappings: CompileOptions.Mappings = .none, jobs: Int = 2, explain: Bool = true
    ) async throws -> CompileReport {
        let config = try ProjectConfig.load(root: root)
        let compiler = Compiler(root: root, config: config)
        return await compiler.compile(
            CompileOptions(environment: env, mappings: mappings, jobs: jobs, explain: explain))
    }
}
