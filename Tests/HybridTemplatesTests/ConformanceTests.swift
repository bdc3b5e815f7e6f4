import Testing

@Suite("Conformance with Python Jinja2 3.1")
struct ConformanceTests {
    @Test("the corpus holds at least 200 cases")
    func corpusSize() throws {
        let total = try ConformanceSuite.groups().reduce(0) { $0 + (try ConformanceSuite.cases(in: $1).count) }
        #expect(total >= 200)
    }

    @Test(
        "every case renders byte-identically to Jinja2 (or fails with the same kind and line)",
        arguments: ConformanceSuite.groups())
    func group(_ group: String) throws {
        for testCase in try ConformanceSuite.cases(in: group) {
            let problem = try ConformanceSuite.mismatch(testCase)
            #expect(problem == nil, "\(testCase): \(problem ?? "")")
        }
    }
}
