import Foundation
import HybridTemplates
import HybridYAML
import Testing

@Suite("TemplateEnvironment")
struct TemplateEnvironmentTests {
    @Test("a render reports every template it loaded and every top-level variable it read")
    func dependencies() throws {
        let fixture = try TemplateFixture([
            "charts/c.yaml.j2":
                "{% import '_m.j2' as m %}{% include '_p.j2' %}{{ m.f() }}{{ ENV }}{{ MISSING is defined }}",
            "_m.j2": "{% macro f() %}[{{ 1 }}]{% endmacro %}",
            "_p.j2": "{{ DB_HOST | default('h') }}",
        ])
        let result = try fixture.environment().render(
            "charts/c.yaml.j2", variables: try TemplateFixture.variables("ENV: dev\nUNUSED: 1\n"))
        #expect(result.output == "h[1]devFalse")
        #expect(result.templates == ["charts/c.yaml.j2", "_m.j2", "_p.j2"])
        #expect(result.variables == ["DB_HOST", "ENV", "MISSING"])
    }

    @Test("rendering one template under 300 variable sets parses it once")
    func parsesOnce() throws {
        let fixture = try TemplateFixture(["t.j2": "{% include '_i.j2' %}{{ N * 2 }}", "_i.j2": "{{ N }}:"])
        let environment = fixture.environment()
        for n in 0..<300 {
            let result = try environment.render("t.j2", variables: ["N": YAMLNode(.int(n))])
            #expect(result.output == "\(n):\(n * 2)")
        }
        #expect(environment.parseCount == 2)
    }

    @Test("an edited template is re-read on the next load; a build snapshot waits for invalidateFiles()")
    func reloads() throws {
        let fixture = try TemplateFixture(["t.j2": "one"])
        let everyLoad = fixture.environment()
        let snapshot = fixture.environment(TemplateOptions(fileCheck: .untilInvalidated))
        #expect(try everyLoad.render("t.j2").output == "one")
        #expect(try snapshot.render("t.j2").output == "one")
        try fixture.write("t.j2", "two, longer")
        #expect(try everyLoad.render("t.j2").output == "two, longer")
        #expect(try snapshot.render("t.j2").output == "one")
        snapshot.invalidateFiles()
        #expect(try snapshot.render("t.j2").output == "two, longer")
    }

    @Test(
        "template paths may not leave the assets directory",
        arguments: [
            "{% include '../secret.j2' %}", "{% include '/etc/hostname' %}", "{% import 'a/../../x' as m %}",
            "{% include 'link.j2' %}",
        ])
    func pathEscapes(template: String) throws {
        let fixture = try TemplateFixture(["t.j2": template])
        try Data("secret".utf8).write(to: URL(fileURLWithPath: fixture.root + "/secret.j2"))
        try FileManager.default.createSymbolicLink(
            atPath: fixture.assets + "/link.j2", withDestinationPath: fixture.root + "/secret.j2")
        let error = try #require(fixture.error("t.j2"))
        #expect(error.kind == .pathEscape)
        #expect(error.location.file == "t.j2" && error.location.line == 1)
    }

    @Test("an error inside an included template names its own line and the include chain")
    func includeChain() throws {
        let fixture = try TemplateFixture([
            "t.j2": "a\n{% include 'mid.j2' %}", "mid.j2": "{% for i in [1] %}\n{% include 'leaf.j2' %}{% endfor %}",
            "leaf.j2": "ok\n{{ nope.attr }}",
        ])
        let error = try #require(fixture.error("t.j2"))
        #expect(error.kind == .undefined)
        #expect(error.message == "'nope' is undefined")
        #expect("\(error.location)" == "leaf.j2:2:4")
        #expect(error.chain.map { "\($0)" } == ["mid.j2:2:4", "t.j2:2:4"])
        #expect(
            error.description.hasPrefix(
                "leaf.j2:2:4: error: 'nope' is undefined\nmid.j2:2:4: note: included from here\n"))
    }

    @Test("include and extends cycles are reported with the cycle, never a hang")
    func cycles() throws {
        let fixture = try TemplateFixture([
            "a.j2": "{% include 'b.j2' %}", "b.j2": "x\n{% include 'a.j2' %}", "c.j2": "{% extends 'd.j2' %}",
            "d.j2": "{% extends 'c.j2' %}",
        ])
        let include = try #require(fixture.error("a.j2"))
        #expect(include.kind == .includeCycle && include.message.contains("a.j2 -> b.j2 -> a.j2"))
        #expect(include.location.file == "b.j2" && include.location.line == 2)
        let extends = try #require(fixture.error("c.j2"))
        #expect(extends.kind == .includeCycle && extends.message.contains("c.j2 -> d.j2 -> c.j2"))
    }

    @Test("macro recursion stops at the nesting limit with an error at the recursive call")
    func recursionLimit() throws {
        let fixture = try TemplateFixture([
            "r.j2": "{% macro m(n) %}{% if n > 0 %}{{ m(n - 1) }}{% else %}x{% endif %}{% endmacro %}{{ m(N) }}"
        ])
        #expect(try fixture.environment().render("r.j2", variables: ["N": YAMLNode(.int(240))]).output == "x")
        let error = try #require(fixture.error("r.j2", ["N": YAMLNode(.int(100_000))]))
        #expect(error.kind == .recursion && error.location.line == 1)
    }

    @Test("deep recursion on a small thread stack ends with a recursion error, not a crash")
    func recursionOnSmallStack() throws {
        // Each call evaluates 95 nested unary operators, so frames are large; the nesting limit is
        // lifted so that only the stack guard can stop it (found by the fuzzer as a stack overflow).
        let plus = String(repeating: "+", count: 95)
        let fixture = try TemplateFixture([
            "s.j2": "{% macro f(n) %}{{ \(plus)f(n + 1) }}{% endmacro %}{{ f(0) }}"
        ])
        let environment = fixture.environment(TemplateOptions(maximumNesting: 1_000_000))
        nonisolated(unsafe) var outcome: Result<String, TemplateError>?
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            outcome = Result { () throws(TemplateError) in try environment.render("s.j2").output }
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
        guard case .failure(let error) = try #require(outcome) else {
            Issue.record("expected a recursion error")
            return
        }
        #expect(error.kind == .recursion && error.message.contains("stack"))
    }

    @Test("a tracked render maps every rendered line back to the template, partial or expression behind it")
    func sourceMap() throws {
        let fixture = try TemplateFixture([
            "charts/c.yaml.j2":
                "name: x\n{% include '_p.j2' %}\n{%- for i in [1, 2] %}\nitem{{ i }}: {{ i * 10 }}\n{%- endfor %}\n"
                + "tail: {{ 'a\\nb' }} end\n{% set block %}ignored{% endset %}last: ok",
            "_p.j2": "p1: a\n  p2: b",
        ])
        let environment = TemplateEnvironment(assetsDirectory: fixture.assets, displayPrefix: "assets/")
        let result = try environment.render("charts/c.yaml.j2", tracksSources: true)
        #expect(result.output == "name: x\np1: a\n  p2: b\nitem1: 10\nitem2: 20\ntail: a\nb end\nlast: ok")
        let map = try #require(result.sourceMap)
        let bytes = Array(result.output.utf8)
        func at(_ line: Int, _ column: Int) -> String? {
            map.location(ofLine: line, column: column, in: bytes)?.description
        }
        #expect(at(1, 3) == "assets/charts/c.yaml.j2:1:3")
        #expect(at(2, 1) == "assets/_p.j2:1:1")
        #expect(at(3, 5) == "assets/_p.j2:2:5")
        #expect(at(4, 1) == "assets/charts/c.yaml.j2:4:1")  // the loop body's text, first iteration
        #expect(at(4, 5) == "assets/charts/c.yaml.j2:4:8")  // `{{ i }}`: its expression
        #expect(at(4, 8) == "assets/charts/c.yaml.j2:4:17")  // `{{ i * 10 }}`
        #expect(at(5, 1) == "assets/charts/c.yaml.j2:4:1")  // second iteration: the same source line
        #expect(at(7, 1) == "assets/charts/c.yaml.j2:6:10")  // inside a printed value: its expression
        #expect(at(7, 3) == "assets/charts/c.yaml.j2:6:20")  // text after it
        #expect(at(8, 2) == "assets/charts/c.yaml.j2:7:36")  // after a block whose output was captured
        #expect(try environment.render("charts/c.yaml.j2").sourceMap == nil)
    }

    @Test("loops and ranges that would run away are stopped")
    func runawayLoops() throws {
        let fixture = try TemplateFixture(["t.j2": "{% for i in range(100000000000) %}x{% endfor %}"])
        let error = try #require(fixture.error("t.j2"))
        #expect(error.kind == .runtime)
    }

    @Test("a render past its deadline stops with an error, also when the work is in nested macro calls")
    func deadline() throws {
        // Each call does a little work (no loop long enough to reach a tick check) and fans out.
        let fixture = try TemplateFixture([
            "d.j2":
                "{% macro m(n) %}{% if n > 0 %}{{ (7 ** 3000) % 10 }}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}"
        ])
        let environment = fixture.environment(TemplateOptions(maximumDuration: .milliseconds(50)))
        do {
            _ = try environment.render("d.j2")
            Issue.record("expected the deadline to stop the render")
        } catch {
            #expect(error.kind == .runtime)
            #expect(error.message.hasPrefix("render stopped after"))
        }
    }

    @Test("unknown filters are parse errors pointing at the filter; display paths get the prefix")
    func unknownFilter() throws {
        let fixture = try TemplateFixture(["t.j2": "line\n{{ x | nosuch }}"])
        let environment = TemplateEnvironment(assetsDirectory: fixture.assets, displayPrefix: "assets/")
        do {
            _ = try environment.render("t.j2")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unknownFilter)
            #expect("\(error.location)" == "assets/t.j2:2:8")
        }
    }

    @Test("a missing template is not-found; `ignore missing` renders nothing")
    func missing() throws {
        let fixture = try TemplateFixture([
            "t.j2": "{% include 'gone.j2' ignore missing %}ok", "u.j2": "{% include 'gone.j2' %}",
        ])
        #expect(try fixture.environment().render("t.j2").output == "ok")
        #expect(fixture.error("u.j2")?.kind == .notFound)
        #expect(fixture.error("nothere.j2")?.kind == .notFound)
    }
}
