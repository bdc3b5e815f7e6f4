import BigInt

/// One lexical token of a template.
struct Token {
    enum Kind: Equatable {
        case data
        case variableBegin
        case variableEnd
        case blockBegin
        case blockEnd
        case name
        case string
        case integer
        case float
        case op(Operator)
        case eof
    }

    enum Operator: String, CaseIterable {
        case pow = "**"
        case floordiv = "//"
        case eq = "=="
        case ne = "!="
        case gteq = ">="
        case lteq = "<="
        case add = "+"
        case sub = "-"
        case div = "/"
        case mul = "*"
        case mod = "%"
        case tilde = "~"
        case lbracket = "["
        case rbracket = "]"
        case lparen = "("
        case rparen = ")"
        case lbrace = "{"
        case rbrace = "}"
        case gt = ">"
        case lt = "<"
        case assign = "="
        case dot = "."
        case colon = ":"
        case pipe = "|"
        case comma = ","
        case semicolon = ";"
    }

    var kind: Kind
    /// Data text, name, or unescaped string literal.
    var text: String = ""
    /// Integer literal value (small or big).
    var integer: Value = .none
    var float: Double = 0
    var line: Int
    /// Byte offset in the normalized source (for the column of errors).
    var offset: Int

    func isName(_ name: String) -> Bool { kind == .name && text == name }

    /// Jinja's `describe_token`, for "expected ..., got ..." messages.
    var description: String {
        switch kind {
        case .data: return "template data / text"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name: return text
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .op(let op): return op.rawValue
        case .eof: return "end of template"
        }
    }
}
