import Foundation
import Testing

@Suite("hybrid render (the executable)")
struct RenderCommandTests {
    let root = NSTemporaryDirectory() + "hybrid-render-" + UUID().uuidString

    init() throws {
        for (path, text) in [
            ("env/dev.yaml", "ENV: dev\nLIMIT: 10\nNAME: from-env\n"),
            ("extra.yaml", "NAME: from-file\n"),
            ("assets/charts/c.yaml.j2", "name: {{ NAME }}\nlimit: {{ LIMIT }}\nenv: {{ ENV }}\n"),
            ("assets/bad.j2", "ok\n{{ MISSING.attr }}"),
        ] {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    @Test("prints the rendered text exactly (the template's final newline dropped, as Jinja2 does)")
    func exactOutput() throws {
        let result = try HybridProcess.run(["render", "assets/charts/c.yaml.j2", "--env", "dev"], in: root)
        #expect(result.status == 0)
        #expect(result.stdout == "name: from-env\nlimit: 10\nenv: dev")
    }

    @Test("variables: env file, then --vars-file, then --var read as a YAML scalar")
    func variablePrecedence() throws {
        let result = try HybridProcess.run(
            [
                "render", "charts/c.yaml.j2", "--env", "dev", "--vars-file", "extra.yaml", "--var", "LIMIT=0755",
                "--var", "ENV=yes",
            ],
            in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "name: from-file\nlimit: 493\nenv: True")
    }

    @Test("a template error is one file:line:col line with the path a user can open, and exit 1")
    func templateError() throws {
        let result = try HybridProcess.run(["render", "bad.j2", "--env", "dev"], in: root)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "assets/bad.j2:2:4: error: 'MISSING' is undefined\n")
    }

    @Test("a template path outside the assets directory is refused and shown as written")
    func pathOutsideAssets() throws {
        let absolute = try HybridProcess.run(["render", "/etc/passwd", "--env", "dev"], in: root)
        #expect(absolute.status == 1 && absolute.stdout.isEmpty)
        #expect(absolute.stderr.hasPrefix("/etc/passwd:1:1: error: template path '/etc/passwd' is absolute"))
        let parent = try HybridProcess.run(["render", "../x.j2", "--env", "dev"], in: root)
        #expect(parent.status == 1)
        #expect(parent.stderr.hasPrefix("../x.j2:1:1: error: template path '../x.j2' leaves the assets directory"))
    }

    @Test("an unknown environment is an error naming the missing file")
    func unknownEnvironment() throws {
        let result = try HybridProcess.run(["render", "bad.j2", "--env", "nope"], in: root)
        #expect(result.status == 1)
        #expect(result.stderr.contains("env/nope.yaml does not exist"))
    }

    @Test("--format json reports the output and what it depended on")
    func json() throws {
        let result = try HybridProcess.run(
            ["render", "charts/c.yaml.j2", "--env", "dev", "--format", "json"], in: root)
        #expect(result.status == 0)
        let record = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(record["templates"] as? [String] == ["charts/c.yaml.j2"])
        #expect(record["variables"] as? [String] == ["ENV", "LIMIT", "NAME"])
    }

    @Test("the bundled example renders every asset for every environment")
    func exampleRepository() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        for env in ["dev", "staging", "prod"] {
            for template in [
                "databases/analytics_db.yaml.j2", "datasets/fact_sales.yaml.j2", "charts/revenue_over_time.yaml.j2",
                "dashboards/overview.yaml.j2",
            ] {
                let result = try HybridProcess.run(["render", template, "--env", env], in: repository)
                #expect(result.status == 0, "\(template) (\(env)): \(result.stderr)")
                #expect(result.stdout.contains(env), "\(template) (\(env))")
            }
        }
    }
}
