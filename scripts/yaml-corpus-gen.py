#!/usr/bin/env python3
"""Systematic corpus cases for hybrid's YAML layer, one family per YAML 1.1 production PyYAML implements.

Writes Tests/HybridYAMLTests/Fixtures/Corpus/NNN-gen-<family>-<k>.yaml (NNN from 300 up; earlier
numbers are hand-written documents) and removes generated documents that are no longer produced.
The expectations are then made by the oracle, as for every corpus document:

    python3 scripts/yaml-corpus-gen.py [--hybrid .build/debug/hybrid]
    python3 scripts/yaml-oracle.py --hybrid .build/debug/hybrid

Scalars PyYAML reads without error are packed, several to a document, as block sequence items,
mapping keys and flow sequence items; a scalar PyYAML fails on gets a document of its own. Every
structural case (collections, anchors, directives, document markers, comments, indentation, tabs,
byte-order marks, line breaks, block scalar headers, the end of a text without a final
line break) is a document of its own.

Where hybrid deliberately differs from PyYAML the case carries the oracle's header
('# hybrid: error <kind> at <line>:<column>'); DELIBERATE lists them.

--hybrid PATH  also runs `PATH normalize --stdout` on every generated document and lists each one
               where hybrid's reading differs from PyYAML's (value, or error line:column), without
               writing anything; exit 1 if there is any.

Requires Python 3 and PyYAML 6.0.3; standard library otherwise. Output is deterministic.
"""

import argparse
import codecs
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Tests" / "HybridYAMLTests" / "Fixtures" / "Corpus"
FIRST_NUMBER = 300
LAST_NUMBER = 999
SCALARS_PER_DOCUMENT = 12
GENERATED_RE = re.compile(r"^\d{3}-gen-")

# --------------------------------------------------------------------------
# Scalar families: plain text PyYAML resolves by an implicit tag (or not).


def case_forms(word):
    return sorted({word, word.lower(), word.upper(), word.capitalize(), word[0].lower() + word[1:].upper()})


BOOLS = [f for w in ["yes", "no", "true", "false", "on", "off", "y", "n"] for f in case_forms(w)] + [
    "Yes!", "yess", "tru", "oN", "0n", "True1", "'yes'", '"true"', "!!bool yes", "!!bool off", "!!str yes"]

NULLS = ["~", "null", "Null", "NULL", "nUll", "nulL", "none", "None", "'~'", "!!null ''", "!!null ~", "~ ~",
         "\"null\"", "!!str null", "null null"]

INTS = ["0", "-0", "+0", "1", "-1", "+1", "007", "08", "09", "0_7", "010", "-010", "0o17", "0O17", "0x1F", "0X1F",
        "0x1f", "-0x1F", "+0x_1F", "0x_", "0xG", "0b1010", "-0b1010", "0b_1_0", "0b2", "1_000", "1__000",
        "_1000", "1000_", "-1_000", "1,000", "123456789012345678901234567890", "-9223372036854775808",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "1:20", "1:2", "-1:20", "+1:20", "190:20:30", "1:60", "1:61", "1:2:3:4", "0:0", "1_0:20", "1:2_0",
        "01:02", "1:", ":1", "1::2", "0x" + "F" * 40, "0b" + "1" * 90, "0" + "7" * 30, "!!int 0x10", "!!int 1_0",
        "!!int '010'", "!!int 1:20"]

FLOATS = ["1.0", "-1.0", "+1.0", ".5", "-.5", "+.5", "5.", "-5.", "1.5e3", "1.0e+3", "1.0E-3", "1e3", "1.e3",
          "1.0e3", "1_0.5", "1_000.000_1", "1.0e+3_0", "0.1", "00.1", "1.0e309", "-1.0e309", "4.9e-324",
          "2.5e-324", "1.7976931348623157e+308", ".inf", ".Inf", ".INF", "-.inf", "+.inf", ".iNf", "inf",
          ".nan", ".NaN", ".NAN", "-.nan", ".nAn", "nan", "1:20.5", "-1:20.5", "190:20:30.15", "1:2.5e3",
          "._", "._5", "1._", "0.", "-0.0", "+0.0", "1.5.", "1.5.6", "!!float 1", "!!float .5",
          "!!float 1e3", "!!float 1_0", "!!float '1:30'", "0.30000000000000004", "123456789.123456789"]

TIMESTAMPS = ["2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10+05:00",
              "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 +5:30", "2001-12-15 2:59:43.10",
              "2001-12-15T02:59:43.1Z", "2001-12-15 02:59:43Z", "2001-12-15 02:59:43 Z",
              "2002-12-14", "2001-1-1", "2001-01-1", "2001-1-01 1:2:3", "2001-12-14 21:59:43.1234567",
              "2001-12-14 21:59:43.000001", "2001-12-14  21:59:43", "2001-12-14\t21:59:43",
              "2001-12-14T21:59", "2001-12-14T21:59:43.", "2001-12-14 21:59:43 -05:00",
              "2001-12-14 21:59:43-0500", "2001-12-14 21:59:43 +14", "20011214", "2001-13-01", "2001-02-30",
              "2001-12-14 25:00:00", "0001-01-01", "9999-12-31 23:59:59.999999", "2001-12-14 21:59:43 +24",
              "!!timestamp 2001-12-14", "!!str 2001-12-14", "1999-02-29"]

STRINGS = ["a", "a b", "a  b", "a:b", "a: b", "a :b", "a#b", "a #b", "-a", "- a", "--", "---a", "...a", "a,b",
           "a[b]", "a{b}", "*a", "&a", "!a", "%a", "@a", "`a", "|a", "a|", ">a", "'a'", "'a''b'", "'a\"b'",
           '"a\'b"', '"a\\"b"', "''", '""', "' a '", '" a "', "'#'", "'-'", "a'", 'a"', "é", "中文", "😀",
           "\u00a0a", "a\u00a0", "<<x", "=x", "x=", "? a", "?a", "a?", "a?b", "a:", "a::b", "::",
           "'multi\n  line'", '"multi\n  line"', '"fold\n\n  ed"', "'trailing  \n  space'",
           '"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P"', '"\\x41\\u00e9\\U0001F600"', '"a\\\n  b"',
           '"\\x7f\\x80\\x9f"', '"\\t tab"', "'\ttab'", '"\\uFFFD\\uFEFF"', '"\\U0010FFFF"']


def scalar_families():
    return [("bool", BOOLS), ("null", NULLS), ("int", INTS), ("float", FLOATS), ("timestamp", TIMESTAMPS),
            ("string", STRINGS)]


def pyyaml_fails_unmarked(data):
    try:
        yaml.load(data, Loader=yaml.SafeLoader)
        return False
    except yaml.YAMLError:
        return False
    except Exception:  # noqa: BLE001
        return True


def key_identity(value):
    """What Python's dict compares keys by (1, 1.0 and True are one key; NaN never equals itself)."""
    return ("nan", id(value)) if value != value else value


def pyyaml_reads(text):
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
        return True
    except Exception:  # noqa: BLE001 - any failure gets its own document
        return False


def scalar_cases():
    """(family, text) documents: packed readable scalars, single documents for failing ones."""
    cases = []
    for family, scalars in scalar_families():
        good, bad = [], []
        for s in scalars:
            (good if pyyaml_reads("- " + s.replace("\n", "\n  ") + "\n") else bad).append(s)
        for start in range(0, len(good), SCALARS_PER_DOCUMENT):
            chunk = good[start:start + SCALARS_PER_DOCUMENT]
            cases.append((family + "-items", "".join("- " + s.replace("\n", "\n  ") + "\n" for s in chunk)))
            single, seen = [], set()
            for s in chunk:
                if "\n" in s:
                    continue
                try:
                    key = yaml.load("? " + s + "\n", Loader=yaml.SafeLoader)
                    identity = key_identity(next(iter(key)))
                    if identity in seen:
                        continue
                    seen.add(identity)
                except Exception:  # noqa: BLE001 - not a usable key on its own
                    continue
                single.append(s)
            # The same scalars as keys (some collide as Python dict keys: those are duplicate-key errors).
            keys = "".join("? " + s + "\n: %d\n" % i for i, s in enumerate(single))
            if keys:
                cases.append((family + "-keys", keys))
            flow = [s for s in single if not any(c in s for c in ",[]{}#?") and not s.startswith(("-", "'", '"'))]
            if flow:
                cases.append((family + "-flow", "[" + ", ".join(flow) + "]\n"))
        for s in bad:
            cases.append((family + "-error", "- " + s.replace("\n", "\n  ") + "\n"))
    return cases


# --------------------------------------------------------------------------
# Structural families: one document per case.

PLAIN = [
    "a b c\n", "a\n  b\n", "a\n\n  b\n", "key: a\n  b\n", "key: a  \n  b\n", "- a\n  -b\n", "a # c\n", "a#b\n",
    "key: value:with:colons\n", "key: -\n", "key: - a\n", "- -\n", "key: 'a'b\n", "key: a 'b'\n",
    "http://x.y/z?q=1#f\n", "key:value\n", "key:  value\n", "? \n", ": x\n", "a: b: c\n",
]

QUOTED = [
    "'a\n\n b'\n", "'a\n\n\n b'\n", "' a\n b '\n", "\"a\\\n b\"\n", "\"a \\\n b\"\n", "\"a\n  \\ b\"\n",
    "'unterminated\n", "\"unterminated\n", "\"\\q\"\n", "\"\\x4\"\n", "\"\\u12\"\n", "\"\\U0001F60\"\n",
    "'it''s'\n", "''''\n", "\"\\\"\"\n", "key: 'a\n  b'\n", "key: \"a\n\n  b\"\n", "- 'a\n# not comment\n  b'\n",
    "\"\\\t\"\n", "\"a\tb\"\n", "'a\tb'\n", "\"\\N\\_\\L\\P\"\n",
]

BLOCK = []
for indicator in ["|", ">"]:
    for chomp in ["", "-", "+"]:
        for body in ["  a\n  b\n", "  a\n\n  b\n\n\n", "\n  a\n   b\n  c\n", "  a\n    more\n  b\n",
                     "   a\n  b\n", "\n\n", "  # not a comment\n"]:
            BLOCK.append("key: %s%s\n%snext: 1\n" % (indicator, chomp, body))
    for digit in range(1, 4):
        BLOCK.append("key: %s%d\n%sx\n    y\n" % (indicator, digit, " " * digit))
        BLOCK.append("- %s%d-\n%s  x\n" % (indicator, digit, " " * (digit + 1)))
BLOCK += ["key: |0\n  x\n", "key: |10\n  x\n", "key: |-1\n x\n", "key: |1+\n x\n\n", "key: |+-\n x\n",
          "key: | # comment\n  x\n", "key: |x\n  x\n", "--- |\n  a\n", "--- >\n a\n b\n\n c\n", "|\n a\n", ">\n\n a\n",
          "key: >\n  a\n   b\n  c\n", "key: >\n  a\n\n   b\n", "key: |\n  a\n b\n", "a:\n  b: |\n    x\n  c: 1\n"]

FLOW = ["[]\n", "{}\n", "[[]]\n", "[{}]\n", "{a: []}\n", "[a, [b, [c, [d]]]]\n", "{a: {b: {c: d}}}\n",
        "[a,]\n", "[a,,]\n", "[,]\n", "[,a]\n", "{a,}\n", "{,}\n", "{a: b,}\n", "[a: b]\n", "[a: b, c: d]\n",
        "[a: b: c]\n", "{a: b: c}\n", "[? a: b]\n", "[? a]\n", "{? a: b}\n", "{? [a]: b}\n", "[\n a,\n b\n]\n",
        "{\n a: 1,\n b: 2\n}\n", "[a\n]\n", "[a, b\n", "{a: 1\n", "]\n", "[a]]\n", "{a: b}}\n",
        "[a, {b: c}, [d]]\n", "key: [a,\n  b]\n", "key: [a,\nb]\n", "[a, # c\n b]\n", "[a #c\n]\n",
        "{a: 1, a: 2}\n", "{1: a, 1.0: b}\n", "[\"a\": b]\n", "['a':b]\n", "[\"a\":b]\n", "{\"a\":b}\n",
        "[a: [b]]\n", "{a: [b]: c}\n", "[*a]\n", "[&a x, *a]\n", "[!!str 1, !!int '2']\n", "[-1, - 1]\n",
        "[a, -]\n", "[a - b]\n", "[:a]\n", "[a:b:c]\n", "{a:b:c}\n", "{a:, b:}\n", "[a:,]\n", "[{a:}]\n",
        "{a: b:}\n", "[a:]]\n", "{? }\n", "{: a}\n", "[? : a]\n", "[?a]\n", "[? ?]\n"]

BLOCKS = ["a:\n  b:\n    c: d\n", "a:\n- b\n- c\n", "a:\n  - b\n  - c\n", "- - a\n  - b\n- c\n", "- a: 1\n  b: 2\n",
          "-   a: 1\n    b: 2\n", "- a:\n  - b\n", "? a\n: b\n", "? - a\n  - b\n: c\n", "? a\n? b\n", "? |\n  k\n: v\n",
          "a:\n b: 1\n  c: 2\n", "a:\n  b: 1\n c: 2\n", "a: 1\n b: 2\n", "- a\n - b\n", "- a\n-b\n", "-\n  a\n",
          "-\n-\n", "a:\nb:\n", "a:\n  \nb: 1\n", "- a\nb: c\n", "a: b\n- c\n", "a:\n- b\nc: d\n",
          "[a]: b\n", "{a: b}: c\n", "? [a]\n: b\n", "a: 1\na: 2\n", "1: a\n'1': b\n", "a:\n  - b\n  -\n  - c\n",
          "key:    value\n", "key:\n\n\n  value\n", "  a: 1\n  b: 2\n", "  - a\n  - b\n", "a:\n    - b\n    - c\n",
          "- - - a\n", "-\n - a\n", "a: &x\n  b: 1\nc: *x\n"]

ANCHORS = ["a: &x 1\nb: *x\n", "a: &x [1, 2]\nb: *x\n", "&x a: b\n", "a: &x\nb: *x\n", "a: *x\n",
           "a: &x 1\nb: &x 2\n", "a: &x 1\n&y b: *x\n", "a: &x\n  b: *x\n", "- &a a\n- &b [*a, *a]\n- [*b, *b]\n",
           "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n", "b1: &b1 {x: 1}\nb2: &b2 {x: 2, y: 3}\nuse:\n  <<: [*b1, *b2]\n",
           "use:\n  <<: {x: 1}\n  x: 2\n", "use:\n  <<: 1\n", "use:\n  <<: [1]\n", "use:\n  <<: [{a: 1}, {a: 2}]\n",
           "use:\n  <<: {a: 1}\n  <<: {b: 2}\n", "<<: {a: 1}\n", "- <<\n", "'<<': 1\n", "a: <<\n",
           "use: {<<: {x: 1}, x: 2}\n", "b: &b {<<: {x: 1}}\nu: {<<: *b}\n", "=: 1\n", "a: =\n", "? =\n: b\n",
           "&a [*a]\n", "a: &anchor-with.dots 1\nb: *anchor-with.dots\n", "a: & x\n", "a: &x\n",
           "a: !!str &x 1\nb: *x\n", "a: &x !!str 1\nb: *x\n", "key: *x x\n"]

DOCUMENTS = ["---\na\n", "--- a\n", "a\n...\n", "---\n...\n", "...\n", "--- \n", "---\n---\n", "a\n---\nb\n",
             "--- a\n--- b\n", "---a\n", "--- # c\na\n", "# c\n---\na\n", "a\n... # c\n", "...a\n",
             "--- [a,\n--- b]\n", "---\n  a\n---\n", "---\t\na\n", "- a\n---\n", "%YAML 1.1\n--- a\n",
             "%YAML 1.2\n--- a\n", "%YAML 1.1\n%YAML 1.1\n--- a\n", "%YAML 1.1\na\n", "%YAML 1.1\n...\n",
             "%YAML 1.1 # c\n--- a\n", "%YAML 1.1 x\n--- a\n", "%YAML 1\n--- a\n", "%YAML 1.a\n--- a\n",
             "%YAML 01.01\n--- a\n", "%YAML 0.9\n--- a\n", "%YAML 1.0\n--- a\n", "%YAML 1.100000000000\n--- a\n",
             "%TAG !e! tag:example.com,2000:\n--- a\n", "%TAG !e! tag:example.com,2000:\n--- !e!x a\n",
             "%TAG ! tag:x,2000:\n--- a\n", "%TAG !! tag:yaml.org,2002:\n--- !!str 1\n",
             "%TAG !e! a\n%TAG !e! b\n--- x\n", "%FOO bar\n--- a\n", "%FOO-BAR_1 x y\n--- a\n", "%F\n--- a\n",
             "%FOO  # c\n--- a\n", "%FOO\n%YAML 1.3\n--- a\n", "%\n--- a\n", "%FOO\n", "a\n%FOO\n--- b\n",
             "a\n...\n%FOO\n--- b\n", " %FOO\n--- a\n", "%FOO é\n--- a\n", "%YAML 1.1\n%FOO\n--- a\n"]

COMMENTS = ["# only\n", "# a\n# b\n", "a: 1 # c\n", "a: 1# c\n", "a: # c\n  b\n", "- # c\n  a\n", "a:\n# c\n  b: 1\n",
            "a: |\n  x\n# c\n", "a: |\n  x\n  # c\n", "#c\n", "a: 'x' # c\n", "a: \"x\"# c\n", "[a, # c\n b]\n",
            "{a: 1 # c\n}\n", "a: 1 #\n", "# é 😀\na\n"]

TABS = ["a:\tb\n", "a: b\t\n", "a: b\t# c\n", "\ta: b\n", "a:\n\tb: c\n", "- a\t\n", "-\ta\n", "[a,\tb]\n",
        "{a:\tb}\n", "a: 'b\tc'\n", "a: \"b\tc\"\n", "a: |\n  b\tc\n", "a: b\tc\n", "a:\n  \tb\n", "---\ta\n",
        "a: |\n \tx\n", "a: |\n  \tx\n", "a: >\n \tx\n y\n", "- |\n  \tx\n  y\n", "a: |\n\t\n  x\n",
        "a:\n  b: |\n   \tx\n", "a: |-\n \tx\n", "|\n \tx\n", "a: |\n  \n  \tx\n", "a: |\n   \n  \tx\n",
        "a: |2\n  \tx\n", "a:\n  - |\n     \tx\n", "? |\n \tx\n: v\n", "a: >-\n  \t\n  x\n", "a: |\n\tx\n"]

LINE_BREAKS = ["a: 1\r\nb: 2\r\n", "a: 1\rb: 2\r", "a: |\r\n  x\r\n  y\r\n", "a: 'x\r\n  y'\r\n",
               "a: x\r\n  y\r\n", "a: \"x\\\r\n  y\"\r\n", "a: 1\u0085b: 2\n", "a: 1\u2028b: 2\n", "a: 1\u2029b: 2\n",
               "a: x\u0085  y\n", "a: 'x\u2028y'\n", "a: |\n  x\u2028  y\n", "a: b\u0085", "- a\r\n- b\n",
               "a: >\r\n  x\r\n\r\n  y\r\n", "a: 1\n\rb: 2\n", "a: 1\r\n\r\nb: 2\r\n", "a: x\u2029\u2029  y\n"]

UNICODE = ["é: ü\n", "😀: 🎉\n", "a: \u0301\n", "a: e\u0301\n", "\u00e9: 1\ne\u0301: 2\n", "a: \u200b\n",
           "a: \ufffd\n", "a: \U0010fffd\n", "a: \u0007\n", "a: \x00\n", "a: \x7f\n", "a: \x85x\n", "a: \ud7ff\n",
           "a: \ue000\n", "a: \ufffe\n", "a: '\u0007'\n", "a: \"\u001b\"\n", "a: |\n  \x1b\n", "a: \u00a0b\n",
           "\u00a0a: b\n", "a: b\u00a0\n"]

BYTES = [("bom-utf8", b"\xef\xbb\xbfa: 1\n"), ("bom-utf8-only", b"\xef\xbb\xbf"),
         ("bom-utf16le", codecs.BOM_UTF16_LE + "a: é\n".encode("utf-16-le")),
         ("bom-utf16be", codecs.BOM_UTF16_BE + "a: é\n".encode("utf-16-be")),
         ("bom-utf16le-surrogates", codecs.BOM_UTF16_LE + "a: 😀\n".encode("utf-16-le")),
         ("bom-utf8-then-document", b"\xef\xbb\xbf---\na\n"),
         ("invalid-utf8", b"a: \xff\n"), ("invalid-utf8-continuation", b"a: \xc3\x28\n"),
         ("overlong-utf8", b"a: \xc0\xaf\n"), ("truncated-utf8", b"a: \xe2\x82"), ("nul-byte", b"a: b\x00c\n"),
         ("empty", b""), ("only-newlines", b"\n\n\n"), ("only-spaces", b"   \n"), ("no-final-newline", b"a: 1"),
         ("utf8-surrogate-bytes", b"a: \xed\xa0\x80\n")]

INDENTATION = ["a:\n b:\n  c: 1\n", "a:\n          b: 1\n", "- a\n-  b\n-   c\n", "a:\n  - b\n  -  c\n",
               "a:\n  b: 1\n\n\n  c: 2\n", "a:\n  b: 1\n  \n  c: 2\n", "a:\n - b\n -\n  c\n", "- a:\n   b\n",
               "a: b\n  c: d\n", "a:\n  b\n  c\n", "a:\n  b\n c\n", "- a\n  b\n", "- a\n b\n", "a:\n- b\n  c\n"]

# Deliberate differences, by case text: (kind, line, column) in the text (the header line comes first).
BLOCK_HEADERS = ["a: |#c\n b\n", "a: >+#c\n b\n", "a: |2#\n  b\n", "a: |\t\n b\n", "a: |-\t# c\n b\n",
                 "a: | \t# c\n b\n", "a: |  # c\n b\n", "a: !!str |#\n b\n", "a: &x\n  !!str >-#\n   b\n",
                 "a: |x\n b\n", "a: |1-x\n  b\n", "a: | x\n b\n", "a: >\u2028 b\n", "a: |\r\n b\r\n",
                 "- |+ # c\n  b\n- >2- #\n   c\n"]

ENDS = ["[", "[a,", "{a: ", "{a", "- [a, {b: ", "a: [b", "a: 'b", 'a: "b', "a: |", "a: >-", "- a\n- b: c\n  d",
        "a:\n  - b\n  -", "? a", "&x", "*x", "!!str", "a: *x", "---", "--- [", "...", "%YAML 1.1", "%YAML 1.1\n",
        "a\u2028[", "\ufeff[", "a: \ufeff[", "[\n", "[\n  ", "[ # c"]

COMMENTS_AFTER_TOKENS = ["[]#c\tx\n", "[a]#c\n", "{a: 1}#\tc\n", "a: 'b'#c\t\n", "a: \"b\"#c\n", "a: b#c\tx\n",
                         "- [a, b]# c\n- c\n", "a: *x#c\n", "- !foo#x b\n", "%TAG !e! tag:x#y\n--- a\n"]

# Differences yaml-fuzz.py --text found (each fixed), kept as they were found.
FUZZ_FOUND = ["\r&x \r#b}\u2028\u2028|#>>+~", "&x\u0085|#\n", "[]#*x{yes>+?\tb", "...!>+%<<: \n |-#",
              "  #c\u2028>\t\n !yes,", ">+#yes", "|-#{",
              # --text seed 17: a comment after node properties; a tab between a tag and its value.
              "&x  #c #c'\t\ufeff\n  \\u00e9 #c|\u00e9", "\\  =:  null\n?a<<: !\t|-",
              "a: &x\tvalue\n", "b: !!str\t'q'\n", "c: &y # c\n  v\n"]

DELIBERATE = {
    "{a: 1, a: 2}\n": ("duplicate-key", 1, 8),
    "{1: a, 1.0: b}\n": ("duplicate-key", 1, 8),
    "a: 1\na: 2\n": ("duplicate-key", 2, 1),
    "a: &x\n  b: *x\n": ("recursive-alias", 2, 6),
    "&a [*a]\n": ("recursive-alias", 1, 5),
}


def structural_cases():
    cases = []
    for family, texts in [("plain", PLAIN), ("quoted", QUOTED), ("block-scalar", BLOCK), ("flow", FLOW),
                          ("block", BLOCKS), ("anchor", ANCHORS), ("document", DOCUMENTS), ("comment", COMMENTS),
                          ("tab", TABS), ("line-break", LINE_BREAKS), ("unicode", UNICODE),
                          ("indentation", INDENTATION)]:
        for text in texts:
            cases.append((family, text.encode("utf-8", "surrogatepass")))
    for name, data in BYTES:
        cases.append(("bytes-" + name, data))
    for family, texts in [("block-header", BLOCK_HEADERS), ("end-of-text", ENDS),
                          ("comment-after-token", COMMENTS_AFTER_TOKENS), ("fuzz-found", FUZZ_FOUND)]:
        for text in texts:
            cases.append((family, text.encode("utf-8")))
    return cases


def all_cases():
    cases = [(family, text.encode("utf-8")) for family, text in scalar_cases()] + structural_cases()
    numbered, counts = [], {}
    for number, (family, data) in enumerate(cases, FIRST_NUMBER):
        if number > LAST_NUMBER:
            sys.exit("yaml-corpus-gen: more than %d cases" % (LAST_NUMBER - FIRST_NUMBER + 1))
        counts[family] = counts.get(family, 0) + 1
        name = "%03d-gen-%s-%d.yaml" % (number, family, counts[family])
        header = DELIBERATE.get(data.decode("utf-8", "replace"))
        if header is None and family.endswith("-error") and pyyaml_fails_unmarked(data):
            header = ("invalid-value", 1, 3)  # ValueError from datetime() or int(): no position
        if header:
            data = ("# hybrid: error %s at %d:%d\n" % (header[0], header[1] + 1, header[2])).encode() + data
        numbered.append((name, data))
    return numbered


# --------------------------------------------------------------------------
# Comparing hybrid with PyYAML


def typed(v):
    import datetime
    import math
    import struct
    if v is None or isinstance(v, (bool, int, str)):
        return (type(v).__name__, v)
    if isinstance(v, float):
        return ("float", "nan" if math.isnan(v) else struct.pack("<d", v))
    if isinstance(v, datetime.datetime):
        return ("datetime", v.isoformat())
    if isinstance(v, datetime.date):
        return ("date", v.isoformat())
    if isinstance(v, list):
        return ("list", tuple(typed(x) for x in v))
    if isinstance(v, dict):
        return ("dict", frozenset((typed(k), typed(x)) for k, x in v.items()))
    return ("other", repr(v))


def pyyaml_result(data):
    try:
        return ("value", typed(yaml.load(data, Loader=yaml.SafeLoader)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return ("error", (mark.line + 1, mark.column + 1))
    except yaml.reader.ReaderError:
        return ("error", "reader")
    except Exception as exc:  # noqa: BLE001
        return ("error", type(exc).__name__)


def hybrid_result(hybrid, path):
    proc = subprocess.run([hybrid, "normalize", "--stdout", str(path)], capture_output=True)
    if proc.returncode != 0:
        m = re.search(r":(\d+):(\d+): error: (.*)", proc.stderr.decode("utf-8", "replace"))
        return ("error", (int(m.group(1)), int(m.group(2)))) if m else ("error", "?"), (m.group(3) if m else "")
    try:
        return ("value", typed(yaml.safe_load(proc.stdout))), ""
    except Exception as exc:  # noqa: BLE001
        return ("bad-output", str(exc)), ""


def compare(hybrid, cases):
    import tempfile
    differences = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases:
            path = Path(tmp) / name
            path.write_bytes(data)
            want = pyyaml_result(data)
            got, message = hybrid_result(hybrid, path)
            if data.startswith(b"# hybrid:") or data.rstrip(b"\n").split(b"\n")[-1].startswith(b"# hybrid:"):
                continue
            same = want == got or (want[0] == got[0] == "error" and not isinstance(want[1], tuple))
            if not same:
                differences += 1
                print("DIFF %s %r\n   PyYAML: %s\n   hybrid: %s %s" % (name, data[:80], str(want)[:200],
                                                                   str(got)[:200], message[:120]))
    print("yaml-corpus-gen: %d cases, %d differ from PyYAML" % (len(cases), differences))
    return differences


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hybrid", metavar="PATH", help="compare hybrid with PyYAML instead of writing")
    args = ap.parse_args()
    if yaml.__version__ != "6.0.3":
        sys.exit("yaml-corpus-gen: PyYAML 6.0.3 required, found %s" % yaml.__version__)
    cases = all_cases()
    if args.hybrid:
        return 1 if compare(args.hybrid, cases) else 0
    wanted = {name for name, _ in cases}
    for path in sorted(CORPUS.iterdir()):
        base = path.name.split(".")[0] + ".yaml"
        if GENERATED_RE.match(path.name) and base not in wanted:
            path.unlink()
    for name, data in cases:
        path = CORPUS / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    print("yaml-corpus-gen: %d generated documents (%d..%d)" % (len(cases), FIRST_NUMBER,
                                                              FIRST_NUMBER + len(cases) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
