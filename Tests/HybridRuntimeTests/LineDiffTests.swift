import HybridCompiler
import HybridTestSupport
import SupersetModel
import Testing

@testable import HybridRuntime

@Suite("Line diff")
struct LineDiffTests {
    @Test("a one-line change is one hunk with three lines of context, as diff -u prints it")
    func oneChange() {
        let old = (1...10).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        #expect(
            LineDiff.unified(old, new, oldName: "a", newName: "b") == """
                --- a
                +++ b
                @@ -2,7 +2,7 @@
                 line 2
                 line 3
                 line 4
                -line 5
                +line five
                 line 6
                 line 7
                 line 8

                """)
    }

    @Test("equal texts give no diff; insertions at the start and deletions at the end")
    func edges() {
        #expect(LineDiff.unified("a\nb\n", "a\nb\n", oldName: "x", newName: "y") == "")
        #expect(
            LineDiff.unified("b\n", "a\nb\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -1 +1,2 @@\n+a\n b\n")
        #expect(
            LineDiff.unified("a\nb\n", "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -1,2 +1 @@\n a\n-b\n")
        #expect(LineDiff.unified("", "a\n", oldName: "x", newName: "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
    }

    @Test("applying the edit script to the old lines gives the new lines, for many random pairs")
    func editScriptIsCorrect() {
        var random = SplitMix(state: 42)
        for _ in 0..<500 {
            let old = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                ["a", "b", "c", "d"].randomElement(using: &random)!
            }
            let new = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                ["a", "b", "c", "d"].randomElement(using: &random)!
            }
            var rebuiltOld: [String] = []
            var rebuiltNew: [String] = []
            for operation in LineDiff.operations(old, new) {
                switch operation {
                case .keep(let line):
                    rebuiltOld.append(line)
                    rebuiltNew.append(line)
                case .delete(let line): rebuiltOld.append(line)
                case .insert(let line): rebuiltNew.append(line)
                }
            }
            #expect(rebuiltOld == old)
            #expect(rebuiltNew == new)
        }
    }
}
