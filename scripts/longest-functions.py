#!/usr/bin/env python3
"""List the longest Swift functions (and initializers, accessors, subscripts) in the tree.

  scripts/longest-functions.py [--top 10] [--format text|json] [PATH ...]   (default PATH: Sources)

A function's length is the number of lines from its declaration to its closing brace. Strings
(including multi-line and raw strings with interpolation) and comments are skipped when matching
braces, so a `{` inside a string never counts. Also prints the lines of Swift per target (the
folders under each PATH), so a before/after comparison needs one command:

  scripts/longest-functions.py --top 10 Sources
"""
import argparse, json, os, re, sys

DECLARATION = re.compile(r"(?<![.\w])(func\s+[^\s(<]+|init[?!]?|deinit|subscript|(?:get|set|didSet|willSet)\b)")


def strip_code(text):
    """The text with strings and comments replaced by spaces (newlines kept), so braces and
    keywords can be found by position."""
    out = []
    i, n = 0, len(text)

    def blank(segment):
        return "".join("\n" if c == "\n" else " " for c in segment)

    def skip_string(i):
        """i at the opening quote run (after any #s); returns the index after the closing delimiter."""
        hashes = 0
        j = i
        while j > 0 and text[j - 1] == "#":
            hashes += 1
            j -= 1
        multi = text.startswith('"""', i)
        quote = '"""' if multi else '"'
        close = quote + "#" * hashes
        k = i + len(quote)
        escape = "\\" + "#" * hashes
        while k < n:
            if text.startswith(escape + "(", k):
                k = skip_interpolation(k + len(escape) + 1)
                continue
            if text.startswith(escape, k):
                k += len(escape) + 1
                continue
            if text.startswith(close, k):
                return k + len(close)
            if not multi and text[k] == "\n":
                return k
            k += 1
        return n

    def skip_interpolation(k):
        depth = 1
        while k < n and depth > 0:
            c = text[k]
            if c == '"':
                k = skip_string(k)
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            k += 1
        return k

    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(text[i:j]))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(text[i:j]))
            i = j
        elif text[i] == '"':
            j = skip_string(i)
            out.append('""' + blank(text[i + 2:j]) if j - i >= 2 else blank(text[i:j]))
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def functions(path):
    text = open(path, encoding="utf-8").read()
    code = strip_code(text)
    line_of = [0] * (len(code) + 1)
    line = 1
    for index, char in enumerate(code):
        line_of[index] = line
        if char == "\n":
            line += 1
    line_of[len(code)] = line
    found = []
    for match in DECLARATION.finditer(code):
        start = match.start()
        name = match.group(1)
        if name.split()[0] in ("get", "set", "didSet", "willSet"):
            rest = code[match.end():match.end() + 40].lstrip()
            if not rest.startswith("{"):
                continue
        parens, k = 0, match.end()
        while k < len(code):
            c = code[k]
            if c == "(":
                parens += 1
            elif c == ")":
                parens -= 1
            elif c == "{" and parens == 0:
                break
            elif c in ";}" and parens == 0:
                k = -1  # a requirement or declaration without a body
                break
            elif c == "\n" and parens == 0 and name.startswith(("init", "deinit", "subscript")) and \
                    code[k + 1:].lstrip().startswith(("}", "case", "public", "private", "let", "var")):
                k = -1
                break
            k += 1
        if k < 0 or k >= len(code):
            continue
        depth, end = 0, k
        while end < len(code):
            if code[end] == "{":
                depth += 1
            elif code[end] == "}":
                depth -= 1
                if depth == 0:
                    break
            end += 1
        label = name.replace("func ", "").strip()
        found.append((line_of[end] - line_of[start] + 1, path, line_of[start], label))
    return found


def swift_files(root):
    for base, directories, files in os.walk(root):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".swift"):
                yield os.path.join(base, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["Sources"])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    everything, targets = [], []
    for root in args.paths:
        if not os.path.isdir(root):
            sys.exit(f"error: {root} is not a directory")
        for target in sorted(os.listdir(root)):
            folder = os.path.join(root, target)
            if not os.path.isdir(folder):
                continue
            files = list(swift_files(folder))
            lines = sum(sum(1 for _ in open(f, encoding="utf-8")) for f in files)
            targets.append({"target": folder, "files": len(files), "lines": lines})
            for f in files:
                everything += functions(f)
    everything.sort(key=lambda item: (-item[0], item[1], item[2]))
    longest = [{"lines": n, "file": f, "line": l, "function": name} for n, f, l, name in everything[:args.top]]
    if args.format == "json":
        json.dump({"targets": targets, "longest": longest}, sys.stdout, indent=2)
        print()
        return
    print(f"{'lines':>7} {'files':>6}  target")
    for item in targets:
        print(f"{item['lines']:>7} {item['files']:>6}  {item['target']}")
    print(f"{sum(t['lines'] for t in targets):>7} {sum(t['files'] for t in targets):>6}  total")
    print()
    print(f"the {len(longest)} longest functions:")
    for item in longest:
        print(f"{item['lines']:>5}  {item['file']}:{item['line']}  {item['function']}")


if __name__ == "__main__":
    main()
