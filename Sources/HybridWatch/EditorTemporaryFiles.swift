/// File names editors and tools write beside the file being saved, which never start a rebuild:
/// backups (`x~`), vim's swap files (`.x.swp`, `.x.swo`, …) and its write test (`4913`, `5036`, …),
/// Emacs lock and auto-save files (`.#x`, `#x#`), `*.tmp`, JetBrains' safe-write files
/// (`x___jb_tmp___`, `x___jb_old___`), `sed -i`'s `sedXXXXXX`, and hybrid's own `.hybrid-*` temporaries.
public enum EditorTemporaryFiles {
    public static func matches(_ name: String) -> Bool {
        if name.isEmpty { return false }
        if name.hasSuffix("~") || name.hasSuffix(".tmp") || name.hasSuffix(".TMP") { return true }
        if name.hasPrefix(".#") || (name.hasPrefix("#") && name.hasSuffix("#")) { return true }
        if name.hasSuffix("___jb_tmp___") || name.hasSuffix("___jb_old___") { return true }
        if name.hasPrefix(".hybrid-") { return true }
        if isVimSwap(name) || isVimWriteTest(name) || isSedTemporary(name) { return true }
        return false
    }

    /// `.name.swp`, then `.swo`, `.swn`, … `.saa` (vim picks the next free name): `.s[a-w][a-z]`.
    private static func isVimSwap(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 6, bytes[0] == UInt8(ascii: "."), bytes[bytes.count - 4] == UInt8(ascii: "."),
            bytes[bytes.count - 3] == UInt8(ascii: "s")
        else { return false }
        let second = bytes[bytes.count - 2]
        let third = bytes[bytes.count - 1]
        return (UInt8(ascii: "a")...UInt8(ascii: "w")).contains(second)
            && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(third)
    }

    /// vim checks that it can create a file in the folder with a numbered name (4913, then 5036, …).
    private static func isVimWriteTest(_ name: String) -> Bool {
        name.count >= 4 && name.count <= 5 && name.allSatisfy(\.isASCII) && name.allSatisfy(\.isNumber)
    }

    /// GNU sed's `-i` writes `sedXXXXXX` (six random letters and digits) and renames it over the file.
    private static func isSedTemporary(_ name: String) -> Bool {
        name.count == 9 && name.hasPrefix("sed")
            && name.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}
