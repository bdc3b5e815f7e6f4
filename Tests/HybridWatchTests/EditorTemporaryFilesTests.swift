import Testing

@testable import HybridWatch

@Suite("EditorTemporaryFiles")
struct EditorTemporaryFilesTests {
    @Test(
        "editors' temporary and backup names are ignored",
        arguments: [
            "a.yaml.j2~", ".a.yaml.j2.swp", ".a.yaml.j2.swo", ".a.yaml.j2.swn", ".a.saa", "4913", "5036", ".#a.yaml.j2",
            "#a.yaml.j2#", "a.yaml.j2.tmp", "a.yaml.j2___jb_tmp___", "a.yaml.j2___jb_old___", "sedK3x9Qa",
            ".hybrid-12345",
        ])
    func ignored(name: String) {
        #expect(EditorTemporaryFiles.matches(name))
    }

    @Test(
        "real inputs are not",
        arguments: [
            "a.yaml.j2", "client_a.yaml", "dev.yaml", "hybrid.yaml", "_macros.j2", "swap.yaml.j2", "sed.yaml",
            "12345678", "a.swp.yaml.j2", ".gitkeep", "chart_0001_0.yaml.j2",
        ])
    func reported(name: String) {
        #expect(!EditorTemporaryFiles.matches(name))
    }

    @Test("the debounce ends a batch after the quiet period, and never later than the maximum after its first event")
    func debounce() {
        let debounce = Debounce(quiet: .milliseconds(15), maximum: .milliseconds(50))
        let start = ContinuousClock.now
        #expect(debounce.remaining(first: start, last: start, now: start) == 15)
        #expect(debounce.remaining(first: start, last: start, now: start + .milliseconds(15)) == 0)
        #expect(
            debounce.remaining(first: start, last: start + .milliseconds(45), now: start + .milliseconds(45)) == 5)
        #expect(debounce.remaining(first: start, last: start + .milliseconds(49), now: start + .milliseconds(50)) == 0)
    }
}
