import Foundation
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

    @Test("each memory bomb is a file:line:col error naming the budget, exit 1", arguments: bombs.map(\.name))
    func bomb(name: String) throws {
        let template = try #require(Self.bombs.first { $0.name == name }).template
        let root = NSTemporaryDirectory() + "hybrid-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (path, text) in [("env/dev.yaml", "ENV: dev\n"), ("assets/bomb.j2", template)] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let result = try HybridProcess.run(["render", "bomb.j2", "--env", "dev"], in: root)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("assets/bomb.j2:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("exceeds the render's memory budget"), "\(result.stderr)")
    }

    @Test("render.memory_budget in hybrid.yaml sets the budget")
    func configured() throws {
        let root = NSTemporaryDirectory() + "hybrid-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (path, text) in [
            ("hybrid.yaml", "render:\n  memory_budget: 2MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            ("assets/big.j2", "{{ ('x' * 3 * 2**20) | length }}"), ("assets/small.j2", "{{ ('x' * 2**20) | length }}"),
        ] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let big = try HybridProcess.run(["render", "big.j2", "--env", "dev"], in: root)
        #expect(big.status == 1)
        #expect(big.stderr.contains("exceeds the render's memory budget (2097152 bytes"), "\(big.stderr)")
        let small = try HybridProcess.run(["render", "small.j2", "--env", "dev"], in: root)
        #expect(small.stdout == "1048576", "\(small.stderr)")
    }

    @Test("lowering render.memory_budget re-renders: a render cached under a larger budget is not reused")
    func budgetInRenderKey() throws {
        let root = NSTemporaryDirectory() + "hybrid-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (path, text) in [
            ("hybrid.yaml", "render:\n  memory_budget: 8MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            (
                "assets/databases/db.yaml.j2",
                "database_name: db\nsqlalchemy_uri: sqlite://\nextra: '{{ (\"x\" * 3 * 2**20) | length }}'\n"
            ),
        ] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let first = try HybridProcess.run(["compile", "--env", "dev"], in: root)
        #expect(first.status == 0, "\(first.stderr)")
        try Data("render:\n  memory_budget: 2MiB\n".utf8).write(to: URL(fileURLWithPath: root + "/hybrid.yaml"))
        let lowered = try HybridProcess.run(["compile", "--env", "dev", "--explain"], in: root)
        #expect(lowered.status == 1)
        #expect(lowered.stderr.contains("exceeds the render's memory budget (2097152 bytes"), "\(lowered.stderr)")
    }

    @Test("a loop that grows a list or a dict in place stops at the budget", arguments: ["append", "extend", "update"])
    func growthInPlace(method: String) throws {
        let root = NSTemporaryDirectory() + "hybrid-budget-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let grow = [
            "append": "{% set c = [] %}{% for i in range(1000000) %}{% if c.append(i) %}{% endif %}{% endfor %}",
            "extend": "{% set c = [] %}{% for i in range(1000000) %}{% if c.extend([i, i]) %}{% endif %}{% endfor %}",
            "update": "{% set c = {} %}{% for i in range(1000000) %}{% if c.update({i: i}) %}{% endif %}{% endfor %}",
        ][method]!
        for (path, text) in [
            ("hybrid.yaml", "render:\n  memory_budget: 1MiB\n"), ("env/dev.yaml", "ENV: dev\n"),
            ("assets/grow.j2", "\n" + grow + "{{ c | length }}"),
        ] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let result = try HybridProcess.run(["render", "grow.j2", "--env", "dev"], in: root)
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
