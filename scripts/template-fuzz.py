#!/usr/bin/env python3
"""Differential fuzzing of hybrid's template engine against Python Jinja2.

  python3 scripts/template-fuzz.py [--seconds 600] [--seed 1] [--bench .build/release/hybrid-bench]
                                   [--keep bench-out/template-fuzz] [--show 20]

Each round builds a random template from a grammar of Jinja2 constructs (output and text, if/elif/else,
for with loop variables and else, set and block set, macros with defaults and call blocks, filter
blocks, with, whitespace control, comments, raw) over random expressions (literals of every type:
ints up to 2**70 and negative, floats incl. -0.0 and exponents, strings with quotes, escapes, Unicode
and line breaks, none/true/false, lists, tuples, dicts; variables; attribute and item access; slices;
arithmetic, comparison, membership, logic, concatenation, conditional expressions; filters and tests
of the Jinja2 documentation with generated arguments; str/list/dict methods), spread over several
lines. It renders it with Jinja2 3.1.6 (FileSystemLoader, StrictUndefined, as scripts/jinja-oracle.py)
and with hybrid (`hybrid-bench conform`, one long-lived process), with the same YAML variables, and
compares the output byte for byte, or the error's kind, line and template (a crash of hybrid counts
as a difference; the driver is restarted). Jinja2 renders that take
over 2 s are skipped. The digits of an object's address in a printed repr (`<generator object f at
0x…>`) are not compared, and a round where hybrid refuses a power with a complex result (documented in the
README) is counted apart from the differences. Every difference is kept as a JSON file under --keep (the template, its
variables, both results), ready to become a conformance case; the run ends with the counts.
Deterministic for a seed (up to the time limit).
"""
import argparse, importlib.util, json, os, random, re, signal, subprocess, sys, time, warnings

warnings.filterwarnings("ignore")  # Python compiles templates: "'int' object is not subscriptable" SyntaxWarnings

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
spec = importlib.util.spec_from_file_location("jinja_oracle", os.path.join(ROOT, "scripts", "jinja-oracle.py"))
oracle = importlib.util.module_from_spec(spec)
spec.loader.exec_module(oracle)

VARIABLE_SETS = [
    "n: 7\nm: -3\nbig: 123456789012345678901234567890\nx: 2.5\nz: 0\ns: 'Hello, World'\nu: 'ÉtÉ ßtraße ΣΑΣ 😀'\n"
    "empty: ''\nt: true\nf: false\nnone_value: null\nitems: [3, 1, 2]\nwords: [b, a, c, a]\n"
    "d: {b: 2, a: 1, c: 3}\nusers: [{name: ann, age: 31}, {name: bob, age: 25}, {name: cy, age: 31}]\n"
    "nested: {list: [1, [2, 3]], map: {k: v}}\nday: 2024-02-29\nwhen: 2024-02-29 13:45:07\n"
    "aware: 2001-12-14t21:59:43.10-05:00\n",
    "n: 0\nm: 100\nbig: -18446744073709551617\nx: -0.0\nz: 1e3\ns: \"a\\tb\\nc\"\nu: 'İstanbul ǅ ﬁ'\n"
    "empty: []\nt: false\nf: true\nnone_value: ~\nitems: []\nwords: [x]\nd: {}\n"
    "users: [{name: z, age: 1}]\nnested: {list: [], map: {}}\nday: 1999-12-31\nwhen: 1999-12-31 23:59:59.5\n"
    "aware: 2024-02-29 13:45:07+05:30\n",
]

STRINGS = ["", "a", "abc", "Hello World", "a,b,,c", "  padded  ", "x'y", 'q"q', "tab\there", "line\nbreak",
           "é", "ß", "ΣΑΣ", "😀", "İ", "<b>&amp;</b>", "%s", "{0}", "{}", "a b c d e f g h i j k l m n o p",
           "some-hyphenated-words-in-a-row", "CamelCase", "123", "1.5", "-7", "  ", "\\", "a.b.c"]
NUMBERS = ["0", "1", "-1", "2", "3", "7", "10", "255", "1024", "1000000", "2**53", "2**64", "10**20",
           "-(2**70)", "0.0", "-0.0", "0.5", "1.5", "2.5", "-2.5", "1e3", "1.5e-7", "3.14159", "1e16", "1e300"]
VARIABLES = ["n", "m", "big", "x", "z", "s", "u", "empty", "t", "f", "none_value", "items", "words", "d",
             "users", "nested", "nested.list", "nested.map", "users[0]", "users[0].name", "d.a", "d['b']",
             "items[0]", "items[-1]", "day", "when", "aware", "aware.tzinfo", "when.tzinfo", "n", "s", "items", "d", "x", "missing"]
FILTERS = {
    "abs": [[]], "batch": [["2"], ["2", "'-'"]], "capitalize": [[]], "center": [["9"], ["3"]], "count": [[]],
    "default": [["'dflt'"], ["0", "true"]], "dictsort": [[], ["true"], ["false", "'value'"]], "e": [[]],
    "escape": [[]], "first": [[]], "float": [[], ["1.5"]], "forceescape": [[]], "format": [["1"], ["'a'", "2"]],
    "filesizeformat": [[], ["true"]], "indent": [[], ["2"], ["2", "true"], ["'>> '", "true", "true"]],
    "int": [[], ["-1"], ["0", "16"]], "items": [[]], "join": [[], ["','"], ["', '", "'name'"]],
    "last": [[]], "length": [[]], "list": [[]], "lower": [[]], "map": [["'upper'"], ["attribute='name'"], ["'string'"]],
    "max": [[], ["attribute='age'"]], "min": [[], ["case_sensitive=true"]], "pprint": [[]],
    "reject": [["'odd'"], ["'none'"]], "rejectattr": [["'age'", "'eq'", "31"]], "replace": [["'a'", "'b'"], ["'l'", "'L'", "1"]],
    "reverse": [[]], "round": [[], ["1"], ["0", "'floor'"], ["1", "'ceil'"]], "safe": [[]],
    "select": [["'odd'"], ["'string'"]], "selectattr": [["'age'", "'gt'", "26"]], "slice": [["2"], ["3", "0"]],
    "sort": [[], ["reverse=true"], ["attribute='age'"], ["case_sensitive=true"]], "string": [[]],
    "striptags": [[]], "sum": [[], ["start=10"], ["attribute='age'"]], "title": [[]], "tojson": [[], ["2"]],
    "trim": [[], ["'H'"]], "truncate": [["5"], ["9", "true"], ["5", "false", "'..'", "0"]], "unique": [[]],
    "upper": [[]], "urlencode": [[]], "wordcount": [[]], "wordwrap": [["5"], ["3", "false"], ["4", "true", "'|'"]],
    "xmlattr": [[]], "groupby": [["'age'"]], "attr": [["'name'"]],
}
TESTS = {
    "defined": [[]], "undefined": [[]], "none": [[]], "boolean": [[]], "false": [[]], "true": [[]],
    "integer": [[]], "float": [[]], "number": [[]], "string": [[]], "sequence": [[]], "mapping": [[]],
    "iterable": [[]], "callable": [[]], "odd": [[]], "even": [[]], "divisibleby": [["3"], ["0"]],
    "eq": [["1"]], "ne": [["'a'"]], "lt": [["3"]], "le": [["0"]], "gt": [["2.5"]], "ge": [["-1"]],
    "in": [["[1, 2, 3]"], ["'abc'"]], "lower": [[]], "upper": [[]], "sameas": [["none"]], "escaped": [[]],
    "filter": [[]], "test": [[]],
}
METHODS = {
    "upper": [[]], "lower": [[]], "title": [[]], "capitalize": [[]], "swapcase": [[]], "casefold": [[]],
    "strip": [[], ["'H'"]], "lstrip": [[]], "rstrip": [["'d'"]], "split": [[], ["','"], ["','", "1"]],
    "rsplit": [["' '", "1"]], "splitlines": [[]], "startswith": [["'He'"]], "endswith": [["'d'"]],
    "replace": [["'l'", "'L'"]], "find": [["'o'"]], "rfind": [["'o'"]], "index": [["'l'"]], "count": [["'l'"]],
    "center": [["11", "'*'"]], "ljust": [["8"]], "rjust": [["8", "'0'"]], "zfill": [["6"]],
    "format": [["1", "'x'"], ["a=1"]], "join": [["['a', 'b']"]], "isdigit": [[]], "isalpha": [[]],
    "isspace": [[]], "isupper": [[]], "partition": [["','"]], "expandtabs": [["4"]], "encode": [[]],
    "keys": [[]], "values": [[]], "items": [[]], "get": [["'a'"], ["'zz'", "0"]],
    "append": [["9"]], "pop": [[]], "sort": [[]], "reverse": [[]], "copy": [[]], "extend": [["[0]"]],
    "isoformat": [[]], "strftime": [["'%Y-%m-%d %H:%M %a %b %j %U %e'"]], "weekday": [[]],
    "utcoffset": [[]], "time": [[]], "timetz": [[]], "tzname": [[]], "total_seconds": [[]],
}
BINARY = ["+", "-", "*", "/", "//", "%", "**", "~", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "and", "or"]


class Grammar:
    def __init__(self, rng):
        self.rng = rng
        self.locals = []

    def string_literal(self):
        text = self.rng.choice(STRINGS)
        quote = self.rng.choice(["'", '"'])
        body = text.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\t", "\\t")
        return quote + body + quote

    def literal(self, depth):
        kind = self.rng.randrange(10)
        if kind < 3:
            number = self.rng.choice(NUMBERS)
            return "(" + number + ")" if "*" in number or number.startswith("-") else number
        if kind < 6:
            return self.string_literal()
        if kind == 6:
            return self.rng.choice(["none", "true", "false", "True", "None"])
        if kind == 7 and depth > 0:
            return "[" + ", ".join(self.expr(depth - 1) for _ in range(self.rng.randrange(4))) + "]"
        if kind == 8 and depth > 0:
            items = [self.string_literal() + ": " + self.expr(depth - 1) for _ in range(self.rng.randrange(3))]
            return "{" + ", ".join(items) + "}"
        if kind == 9 and depth > 0:
            count = self.rng.randrange(3)
            return "(" + ", ".join(self.expr(depth - 1) for _ in range(count)) + ("," if count == 1 else "") + ")"
        return self.rng.choice(NUMBERS)

    def name(self):
        if self.locals and self.rng.random() < 0.4:
            return self.rng.choice(self.locals)
        return self.rng.choice(VARIABLES)

    def arguments(self, table, name):
        return ", ".join(self.rng.choice(table[name]))

    def expr(self, depth):
        kind = self.rng.randrange(12) if depth > 0 else self.rng.randrange(2)
        if kind == 0:
            return self.literal(depth)
        if kind == 1:
            return self.name()
        if kind == 2:
            op = self.rng.choice(BINARY)
            left, right = self.expr(depth - 1), self.expr(depth - 1)
            if op == "**":
                right = self.rng.choice(["0", "1", "2", "3", "-1", "0.5", "-2", "10"])
            if op == "*" and self.rng.random() < 0.7:
                right = self.rng.choice(["0", "1", "2", "3", "-1"])
            return "(" + left + " " + op + " " + right + ")"
        if kind == 3:
            name = self.rng.choice(sorted(FILTERS))
            args = self.arguments(FILTERS, name)
            return self.expr(depth - 1) + " | " + name + ("(" + args + ")" if args or self.rng.random() < 0.2 else "")
        if kind == 4:
            name = self.rng.choice(sorted(TESTS))
            args = self.arguments(TESTS, name)
            negate = "not " if self.rng.random() < 0.3 else ""
            return "(" + self.expr(depth - 1) + " is " + negate + name + (" " + args if args and self.rng.random() < 0.3 else ("(" + args + ")" if args else "")) + ")"
        if kind == 5:
            name = self.rng.choice(sorted(METHODS))
            return self.expr(depth - 1) + "." + name + "(" + self.arguments(METHODS, name) + ")"
        if kind == 6:
            return "(" + self.expr(depth - 1) + " if " + self.expr(depth - 1) + (" else " + self.expr(depth - 1) if self.rng.random() < 0.7 else "") + ")"
        if kind == 7:
            start, stop = self.rng.choice(["", "1", "-1", "0"]), self.rng.choice(["", "2", "-1", "10"])
            step = self.rng.choice(["", ":2", ":-1", ""])
            return self.expr(depth - 1) + "[" + start + ":" + stop + step + "]"
        if kind == 8:
            return self.expr(depth - 1) + "[" + self.rng.choice(["0", "-1", "1", "'a'", "'name'", "5"]) + "]"
        if kind == 9:
            return self.rng.choice(["not ", "-", "+"]) + self.expr(depth - 1)
        if kind == 10:
            return self.rng.choice(["range(3)", "range(1, 7, 2)", "range(5, 0, -2)",
                                    "dict(a=1, b='x')", "namespace(v=1).v", "cycler(1, 2).next()",
                                    "joiner(', ')()"])
        return "'%s-%d' % (" + self.expr(depth - 1) + ", 3)" if self.rng.random() < 0.5 else \
            "'{}|{!r}'.format(" + self.expr(depth - 1) + ", " + self.expr(depth - 1) + ")"

    def text(self):
        return self.rng.choice(["", " ", "x", "\n", "  \n", "key: ", "- ", "é", "\t", "{ raw }"])

    def block(self, depth, lines):
        parts = []
        for _ in range(self.rng.randrange(1, 4)):
            parts.append(self.statement(depth, lines))
        return "".join(parts)

    def tag(self, body):
        left = self.rng.choice(["{%", "{%", "{%-", "{%+"])
        right = self.rng.choice(["%}", "%}", "-%}"])
        return left + " " + body + " " + right

    def statement(self, depth, lines):
        kind = self.rng.randrange(10) if depth > 0 else 0
        newline = "\n" if self.rng.random() < 0.5 else ""
        if kind <= 3:
            left = self.rng.choice(["{{", "{{", "{{-"])
            right = self.rng.choice(["}}", "}}", "-}}"])
            return self.text() + left + " " + self.expr(2) + " " + right + newline
        if kind == 4:
            text = self.tag("if " + self.expr(2)) + newline + self.block(depth - 1, lines)
            if self.rng.random() < 0.4:
                text += self.tag("elif " + self.expr(1)) + self.block(depth - 1, lines)
            if self.rng.random() < 0.5:
                text += self.tag("else") + self.block(depth - 1, lines)
            return text + self.tag("endif") + newline
        if kind == 5:
            var = self.rng.choice(["i", "item", "k, v"])
            source = self.rng.choice(["items", "words", "users", "d.items()", "range(3)", "s", "empty", "nested.list", self.expr(1)])
            self.locals.extend(var.split(", "))
            self.locals.extend(["loop.index", "loop.index0", "loop.first", "loop.last", "loop.length",
                                "loop.revindex", "loop.cycle('a', 'b')", "loop.previtem", "loop.depth"])
            body = self.block(depth - 1, lines)
            del self.locals[-(len(var.split(", ")) + 9):]
            cond = " if " + self.expr(1) if self.rng.random() < 0.2 else ""
            text = self.tag("for " + var + " in " + source + cond) + newline + body
            if self.rng.random() < 0.3:
                text += self.tag("else") + self.block(depth - 1, lines)
            return text + self.tag("endfor") + newline
        if kind == 6:
            name = self.rng.choice(["a", "b", "acc"])
            self.locals.append(name)
            if self.rng.random() < 0.7:
                return self.tag("set " + name + " = " + self.expr(2)) + newline
            return self.tag("set " + name) + self.block(depth - 1, lines) + self.tag("endset") + newline
        if kind == 7:
            params = self.rng.choice(["", "p", "p, q=2", "p='d', *args", "**kw"])
            call_args = self.rng.choice(["", "1", "'v', 3", "p=5", "1, 2, 3", "x=1"])
            self.locals.extend(["p", "varargs", "kwargs"])
            body = self.block(depth - 1, lines)
            del self.locals[-3:]
            text = self.tag("macro mac(" + params + ")") + body + self.tag("endmacro")
            if self.rng.random() < 0.3:
                return text + self.tag("call mac(" + call_args + ")") + "inner" + self.tag("endcall") + newline
            return text + "{{ mac(" + call_args + ") }}" + newline
        if kind == 8:
            name = self.rng.choice(["upper", "trim", "title", "indent(2)", "replace('a', '-')", "wordwrap(6)"])
            return self.tag("filter " + name) + self.block(depth - 1, lines) + self.tag("endfilter") + newline
        return self.rng.choice(["{# comment #}", "{% raw %}{{ x }}{% endraw %}", "\n"]) + self.text()

    def template(self):
        return self.block(3, 0)


def jinja_result(template, variables):
    case = {"template": template, "vars": variables}

    def expire(signum, frame):
        raise TimeoutError()

    signal.signal(signal.SIGALRM, expire)
    signal.alarm(2)
    try:
        return oracle.render_once(case)
    except TimeoutError:
        return None
    finally:
        signal.alarm(0)


# An object's address in its repr (`<generator object do_batch at 0x7ff3520f05e0>`): hybrid prints a
# fixed stand-in of the same width, so only the digits differ; they are compared as zeros, also
# where a filter changed them (`upper`, `replace('a', '-')`) or `wordwrap` split them.
ADDRESS = re.compile(r"0\s*[xX]((?:\s*[0-9a-fA-F-]){12})")
# hybrid refuses a power with a complex result (a ValueError, documented in the README) where Python
# computes a complex number: such rounds are counted apart, not as differences.
DELIBERATE = "is a complex number in Python"


def printable(output):
    return ADDRESS.sub(lambda m: m.group(0)[:-len(m.group(1))] + re.sub(r"[0-9a-fA-F-]", "0", m.group(1)), output)


def same(jinja, hybrid):
    if "output" in jinja:
        return "output" in hybrid and printable(hybrid["output"]) == printable(jinja["output"])
    if "error" not in hybrid:
        return False
    expected, got = jinja["error"], hybrid["error"]
    if expected["kind"] != got["kind"]:
        return False
    if expected["line"] is not None and expected["line"] != got["line"]:
        return False
    return expected["template"] is None or expected["template"] == got["template"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "hybrid-bench"))
    ap.add_argument("--keep", default=os.path.join(ROOT, "bench-out", "template-fuzz"))
    ap.add_argument("--show", type=int, default=20)
    a = ap.parse_args()
    if not os.path.exists(a.bench):
        sys.exit(f"template-fuzz: {a.bench} not found (swift build -c release --product hybrid-bench)")
    import yaml
    os.makedirs(a.keep, exist_ok=True)
    def start():
        return subprocess.Popen([a.bench, "conform"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, encoding="utf-8")

    bench = start()
    rng = random.Random(a.seed)
    deadline = time.monotonic() + a.seconds
    rounds = skipped = differences = outputs = errors = deliberate = 0
    while time.monotonic() < deadline:
        rounds += 1
        template = Grammar(rng).template()
        which = rng.randrange(len(VARIABLE_SETS))
        # Parsed again each round: a template may change a list or dict in place (`items.append(9)`).
        jinja = jinja_result(template, yaml.safe_load(VARIABLE_SETS[which]))
        if jinja is None:
            skipped += 1
            continue
        bench.stdin.write(json.dumps({"template": template, "vars": VARIABLE_SETS[which]}) + "\n")
        bench.stdin.flush()
        line = bench.stdout.readline()
        if line:
            hybrid = json.loads(line)
        else:
            # A crash is a difference too (hybrid must end every render with output or an error).
            bench.wait()
            hybrid = {"crash": bench.returncode}
            bench = start()
        if "output" in jinja:
            outputs += 1
        else:
            errors += 1
        if not same(jinja, hybrid) and DELIBERATE in hybrid.get("error", {}).get("message", ""):
            deliberate += 1
        elif not same(jinja, hybrid):
            differences += 1
            path = os.path.join(a.keep, f"seed{a.seed}-{rounds}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"template": template, "vars": VARIABLE_SETS[which], "jinja": jinja, "hybrid": hybrid}, f,
                          indent=1, ensure_ascii=False)
            if differences <= a.show:
                print(f"--- difference {differences} (round {rounds}, {path})")
                print(template)
                print(f"jinja:  {json.dumps(jinja, ensure_ascii=False)[:400]}")
                print(f"hybrid: {json.dumps(hybrid, ensure_ascii=False)[:400]}")
    bench.stdin.close()
    bench.wait()
    print(f"template-fuzz: seed {a.seed}, {a.seconds:.0f} s: {rounds} templates ({outputs} rendered, {errors} errors "
          f"in Jinja2, {skipped} skipped over 2 s), {differences} differences"
          + (f" ({deliberate} more where hybrid refuses a complex power, as documented)" if deliberate else ""))
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
