import Foundation
import HybridTestSupport
import Testing

/// The memory bombs of issue 12 through `hybrid render`: each is a positioned error and exit 1
/// (before: `Fatal error: failed to allocate` and SIGABRT after growing to several GB).
@Suite("The render's memory budget (the executable)")
struct MemoryBudgetCommandTests {
    static let bombs: [(name: String, template: String)] = [
        ("replace method", "x\n{{ ('x' * 10**6).replace('x', 'x' * 10**6) | length }}"),
        ("replace filter", "x\n{{ ('x' * 10**6) | replace('x', 'x' * 10**6) | length }}"),
        (
            "string doubled with ~",
            "x\n{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}"
        ),
        (
            "list doubled with +",
            "x\n{% set ns = namespace(l=['x']) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | length }}"
        ),
        ("join of a repeated list", "x\n{{ (['x' * 10**5] * 10**5) | join('') | length }}"),
        ("str.join of a repeated list", "x\n{{ ''.join(['x' * 10**5] * 10**5) | length }}"),
        ("indent of many lines", "x\n{{ ('a\\n' * 10**6) | indent(1000) | length }}"),
    ]

    /// A repository holding `files` (path, text), removed when the test ends.
    static func repository(_ files: [(String, String)]) throws -> TemporaryDirectory {
        let repository = TemporaryDirectory()
        for (path, text) in files { try repository.write(path, text) }
        return repository
    }

    @Test("each memory bomb is a file:line:col error naming the budget, exit 1", arguments: bombs.map(\.name))
    func bomb(name: String) throws {
        let template = try #require(Self.bombs.first { $0.name == name }).template
        let repository = try Self.repository([("env/dev.yaml", "ENV: dev\n"), ("assets/bomb.j2", template)])
        let root = repository.path
        let result = try HybridProcess.run(["render", "bomb.j2", "--env", "dev"], in: root)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("assets/bomb.j2:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("exceeds the render's memory budget"), "\(result.stderr)")
    }

    @Test("render.memory_budget in hybrid.yaml sets the budget")
    func configured() throws {
        let repository = try Self.repository([
            ("hybrid.yaml", "render:\n  memory_budget: 2MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            ("assets/big.j2", "{{ ('x' * 3 * 2**20) | length }}"), ("assets/small.j2", "{{ ('x' * 2**20) | length }}"),
        ])
        let root = repository.path
        let big = try HybridProcess.run(["render", "big.j2", "--env", "dev"], in: root)
        #expect(big.status == 1)
        #expect(big.stderr.contains("exceeds the render's memory budget (2097152 bytes"), "\(big.stderr)")
        let small = try HybridProcess.run(["render", "small.j2", "--env", "dev"], in: root)
        #expect(small.stdout == "1048576", "\(small.stderr)")
    }

    @Test("lowering render.memory_budget re-renders: a render cached under a larger budget is not reused")
    func budgetInRenderKey() throws {
        let repository = try Self.repository([
            ("hybrid.yaml", "render:\n  memory_budget: 8MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            (
                "assets/databases/db.yaml.j2",
                "database_name: db\nsqlalchemy_uri: sqlite://\nextra: '{{ (\"x\" * 3 * 2**20) | length }}'\n"
            ),
        ])
        let root = repository.path
        let first = try HybridProcess.run(["compile", "--env", "dev"], in: root)
        #expect(first.status == 0, "\(first.stderr)")
        try repository.write("hybrid.yaml", "render:\n  memory_budget: 2MiB\n")
        let lowered = try HybridProcess.run(["compile", "--env", "dev", "--explain"], in: root)
        #expect(lowered.status == 1)
        #expect(lowered.stderr.contains("exceeds the render's memory budget (2097152 bytes"), "\(lowered.stderr)")
    }

    @Test("a loop that grows a list or a dict in place stops at the budget", arguments: ["append", "extend", "update"])
    func growthInPlace(method: String) throws {
        let grow = [
            "append": "{% set c = [] %}{% for i in range(1000000) %}{% if c.append(i) %}{% endif %}{% endfor %}",
            "extend": "{% set c = [] %}{% for i in range(1000000) %}{% if c.extend([i, i]) %}{% endif %}{% endfor %}",
            "update": "{% set c = {} %}{% for i in range(1000000) %}{% if c.update({i: i}) %}{% endif %}{% endfor %}",
        ][method]!
        let repository = try Self.repository([
            ("hybrid.yaml", "render:\n  memory_budget: 1MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            ("assets/grow.j2", "\n" + grow + "{{ c | length }}"),
        ])
        let result = try HybridProcess.run(["render", "grow.j2", "--env", "dev"], in: repository.path)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasPrefix("assets/grow.j2:2:"), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "error: MemoryError: a \(method == "update" ? "dict" : "list") grown by \(method) of "),
            "\(result.stderr)")
        #expect(result.stderr.contains("exceeds the render's memory budget (1048576 bytes"), "\(result.stderr)")
    }
}
