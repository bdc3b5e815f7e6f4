#!/usr/bin/env python3
"""Differential YAML oracle for hybrid's YAML layer.

For every corpus document Tests/HybridYAMLTests/Fixtures/Corpus/NNN-name.yaml
this script records what PyYAML's pure-Python ``yaml.safe_load`` (SafeLoader,
YAML 1.1 rules) produces, whether libyaml's CSafeLoader agrees, and what hybrid
is expected to produce, in NNN-name.expected.json.

A document on which hybrid deliberately differs from PyYAML starts with a
header comment on its first line:

    # hybrid: error <kind> at <line>:<column>

or, for documents whose first bytes are the point of the test, on its last line.

The same header is required when PyYAML fails with an exception that is not a
YAMLError (ValueError from datetime, KeyError from !!bool, ...): such
exceptions carry no position, so the header supplies one (kind invalid-value).

Usage:
    python3 scripts/yaml-oracle.py [--hybrid PATH_TO_HYBRID] [--check]

    --hybrid PATH  also run `PATH normalize --stdout FILE` on every document
                   whose expectation is a value, store the output as
                   NNN-name.canonical.yaml, check that PyYAML reads it back as
                   the same typed value (map order ignored) and that
                   normalizing it again is byte-identical.
    --check        write nothing; exit 1 if any generated file differs from
                   the one on disk (drift check for CI).

Requires Python 3 and PyYAML (6.0.3, built with libyaml for the agreement
column). Standard library otherwise.
"""

import argparse
import codecs
import datetime
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("yaml-oracle: PyYAML is required (pip install PyYAML==6.0.3)")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Tests" / "HybridYAMLTests" / "Fixtures" / "Corpus"

EXPECTED_PYYAML_VERSION = "6.0.3"
MIN_DOCUMENTS = 60
# Values whose fully expanded tree (aliases expanded) has more nodes than this
# are recorded as ["too-large", "<node count>"] instead of being spelled out
# (alias bombs share structure in memory but would explode as JSON).
MAX_EXPANDED_NODES = 100_000
HYBRID_TIMEOUT_SECONDS = 60

NAME_RE = re.compile(r"^(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
HEADER_PREFIX = b"# hybrid:"
HEADER_RE = re.compile(rb"^# hybrid: error ([a-z-]+) at ([0-9]+):([0-9]+)[ \t]*\r?$")

KINDS = {
    "duplicate-key",
    "duplicate-anchor",
    "undefined-alias",
    "recursive-alias",
    "alias-limit",
    "multiple-documents",
    "unhashable-key",
    "invalid-merge",
    "invalid-value",
    "unsupported-tag",
    "syntax",
}


class OracleFailure(Exception):
    """A sanity check failed; the corpus or the environment needs fixing."""


# --------------------------------------------------------------------------
# Typed encoding of Python values


def expanded_size(value, memo, active):
    """Number of nodes in the alias-expanded tree (recursion counts once)."""
    if not isinstance(value, (list, dict)):
        return 1
    key = id(value)
    if key in memo:
        return memo[key]
    if key in active:
        return 1
    active.add(key)
    total = 1
    if isinstance(value, list):
        for item in value:
            total += expanded_size(item, memo, active)
    else:
        for k, v in value.items():
            total += expanded_size(k, memo, active) + expanded_size(v, memo, active)
    active.discard(key)
    memo[key] = total
    return total


def _typed(value, active):
    # bool before int (bool is an int subclass); datetime before date.
    if value is None:
        return ["null"]
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", repr(value)]
    if isinstance(value, str):
        if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
            # A lone surrogate cannot be written as JSON that strict parsers accept.
            return ["str-with-surrogates", value.encode("unicode_escape").decode("ascii")]
        return ["str", value]
    if isinstance(value, datetime.datetime):
        return ["timestamp", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["date", value.isoformat()]
    if isinstance(value, (list, dict)):
        key = id(value)
        if key in active:
            return ["recursive"]
        active.add(key)
        try:
            if isinstance(value, list):
                return ["seq", [_typed(item, active) for item in value]]
            return ["map", [[_typed(k, active), _typed(v, active)] for k, v in value.items()]]
        finally:
            active.discard(key)
    return ["unsupported", type(value).__name__]


def typed(value):
    size = expanded_size(value, {}, set())
    if size > MAX_EXPANDED_NODES:
        return ["too-large", str(size)]
    return _typed(value, set())


def typed_unordered(t):
    """Typed value with map pairs sorted by their JSON key (order-insensitive)."""
    tag = t[0]
    if tag == "seq":
        return ["seq", [typed_unordered(x) for x in t[1]]]
    if tag == "map":
        pairs = [[typed_unordered(k), typed_unordered(v)] for k, v in t[1]]
        pairs.sort(key=lambda kv: json.dumps(kv[0], sort_keys=True, ensure_ascii=True))
        return ["map", pairs]
    return t


# --------------------------------------------------------------------------
# Error classification


def _decode_like_pyyaml(data):
    """Decode bytes the way PyYAML's Reader does (BOM kept as U+FEFF)."""
    if data.startswith(codecs.BOM_UTF16_LE):
        return data.decode("utf-16-le", errors="replace")
    if data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


def _line_column(text, index):
    """1-based line/column of text[index], counting like PyYAML's Reader."""
    line = column = 0
    for i in range(min(index, len(text))):
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in "\n\x85\u2028\u2029" or (ch == "\r" and nxt != "\n"):
            line += 1
            column = 0
        elif ch != "\ufeff":
            column += 1
    return line + 1, column + 1


def reader_error_position(exc, data):
    """ReaderError has no Mark. Pure PyYAML reports a character index for
    unprintable characters (encoding 'unicode') and a byte offset for decoding
    errors; the libyaml loader always reports a byte offset."""
    if exc.encoding == "unicode":
        return _line_column(_decode_like_pyyaml(data), exc.position)
    prefix = data[: exc.position]
    return _line_column(_decode_like_pyyaml(prefix), len(_decode_like_pyyaml(prefix)))


def _exc_text(exc):
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    return "; ".join(p for p in parts if p)


def classify(exc, data):
    """Return (error dict, marked). marked is False for non-YAML exceptions."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = reader_error_position(exc, data)
        message = "ReaderError: " + str(exc).splitlines()[0]
        return {"kind": "syntax", "line": line, "column": column, "message": message}, True
    if isinstance(exc, yaml.MarkedYAMLError):
        text = _exc_text(exc)
        if isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError)):
            kind = "syntax"
        elif isinstance(exc, yaml.composer.ComposerError):
            if "found undefined alias" in text:
                kind = "undefined-alias"
            elif "found duplicate anchor" in text:
                kind = "duplicate-anchor"
            elif "expected a single document" in text:
                kind = "multiple-documents"
            else:
                raise OracleFailure("unclassified ComposerError: " + text)
        elif isinstance(exc, yaml.constructor.ConstructorError):
            if "unhashable" in text:
                kind = "unhashable-key"
            elif "merging" in text:
                kind = "invalid-merge"
            elif "could not determine a constructor" in text:
                if "tag:yaml.org,2002:value" in text:
                    kind = "invalid-value"
                else:
                    kind = "unsupported-tag"
            else:
                kind = "invalid-value"
        else:
            raise OracleFailure("unclassified %s: %s" % (type(exc).__name__, text))
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = "%s: %s" % (type(exc).__name__, text)
        return {"kind": kind, "line": line, "column": column, "message": message}, True
    if isinstance(exc, yaml.YAMLError):
        raise OracleFailure("unclassified YAMLError %s: %s" % (type(exc).__name__, exc))
    message = "%s: %s" % (type(exc).__name__, exc)
    return {"kind": "invalid-value", "line": None, "column": None, "message": message}, False


def load_result(data, loader):
    """Returns (result dict, marked). result is {"value": T} or {"error": {...}}."""
    try:
        value = yaml.load(data, Loader=loader)
    except RecursionError as exc:
        return {"error": {"kind": "invalid-value", "line": None, "column": None,
                          "message": "RecursionError: %s" % exc}}, False
    except Exception as exc:  # noqa: BLE001 - every failure is data here
        error, marked = classify(exc, data)
        return {"error": error}, marked
    return {"value": typed(value)}, True


def results_agree(a, b):
    if "value" in a and "value" in b:
        return a["value"] == b["value"]
    if "error" in a and "error" in b:
        return a["error"]["line"] == b["error"]["line"]
    return False


# --------------------------------------------------------------------------
# Corpus handling


def parse_header(data, name):
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    first = body.split(b"\n", 1)[0]
    if not first.startswith(HEADER_PREFIX):
        # Documents whose first bytes are the test itself (byte-order marks) carry the header last.
        lines = body.rstrip(b"\n").split(b"\n")
        first = lines[-1] if lines else b""
        if not first.startswith(HEADER_PREFIX):
            return None
    m = HEADER_RE.match(first)
    if not m:
        raise OracleFailure("%s: malformed header %r (want '# hybrid: error KIND at L:C')" % (name, first))
    kind = m.group(1).decode()
    if kind not in KINDS:
        raise OracleFailure("%s: unknown error kind %r in header" % (name, kind))
    line, column = int(m.group(2)), int(m.group(3))
    if line < 1 or column < 1:
        raise OracleFailure("%s: header position must be 1-based" % name)
    return {"kind": kind, "line": line, "column": column}


def corpus_files():
    if not CORPUS.is_dir():
        raise OracleFailure("corpus directory missing: %s" % CORPUS)
    files, numbers = [], {}
    for path in sorted(CORPUS.iterdir()):
        name = path.name
        if not name.endswith(".yaml") or name.endswith(".canonical.yaml"):
            continue
        m = NAME_RE.match(name)
        if not m:
            raise OracleFailure("corpus file name not NNN-short-name.yaml: %s" % name)
        number = m.group(1)
        if number in numbers:
            raise OracleFailure("duplicate corpus number %s: %s and %s" % (number, numbers[number], name))
        numbers[number] = name
        files.append(path)
    if len(files) < MIN_DOCUMENTS:
        raise OracleFailure("only %d corpus documents (need at least %d)" % (len(files), MIN_DOCUMENTS))
    return files


def stem(path):
    return path.name[: -len(".yaml")]


def expected_path(path):
    return path.with_name(stem(path) + ".expected.json")


def canonical_path(path):
    return path.with_name(stem(path) + ".canonical.yaml")


def build_record(path, warnings):
    data = path.read_bytes()
    header = parse_header(data, path.name)
    pure, pure_marked = load_result(data, yaml.SafeLoader)
    fast, _ = load_result(data, yaml.CSafeLoader)

    if header is not None:
        if "error" in pure:
            err = pure["error"]
            if pure_marked and err["kind"] != header["kind"]:
                raise OracleFailure(
                    "%s: header says %s but PyYAML fails with %s at %s:%s (%s)"
                    % (path.name, header["kind"], err["kind"], err["line"], err["column"], err["message"]))
            if not pure_marked and header["kind"] != "invalid-value":
                raise OracleFailure(
                    "%s: PyYAML raised %s; its header kind must be invalid-value, not %s"
                    % (path.name, err["message"], header["kind"]))
            if pure_marked and (err["line"], err["column"]) != (header["line"], header["column"]):
                warnings.append("%s: header position %d:%d differs from PyYAML's %s:%s"
                                % (path.name, header["line"], header["column"], err["line"], err["column"]))
        expect = {"error": dict(header)}
    else:
        if "error" in pure and not pure_marked:
            raise OracleFailure(
                "%s: PyYAML raised %s without a position; add a "
                "'# hybrid: error invalid-value at L:C' header" % (path.name, pure["error"]["message"]))
        if "value" in pure:
            expect = {"value": pure["value"]}
        else:
            e = pure["error"]
            expect = {"error": {"kind": e["kind"], "line": e["line"], "column": e["column"]}}

    record = {
        "source": path.name,
        "pyyaml": pure,
        "libyaml_agrees": results_agree(pure, fast),
        "expect": expect,
    }
    return record, header


def dump_json(obj):
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode("ascii")


# --------------------------------------------------------------------------
# hybrid round trip


def run_normalize(hybrid, path):
    try:
        proc = subprocess.run([hybrid, "normalize", "--stdout", str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=HYBRID_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % HYBRID_TIMEOUT_SECONDS
    except OSError as exc:
        return None, "could not run %s: %s" % (hybrid, exc)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        return None, "exit %d: %s" % (proc.returncode, err[:500])
    return proc.stdout, None


def check_canonical(hybrid, path, record, check_mode, tmpdir):
    """Returns (canonical bytes or None, failure message or None)."""
    canonical, err = run_normalize(hybrid, path)
    if err:
        return None, "normalize failed: " + err
    if check_mode:
        second_input = Path(tmpdir) / canonical_path(path).name
    else:
        second_input = canonical_path(path)  # kept even on failure, for inspection
    second_input.write_bytes(canonical)
    try:
        reread = yaml.safe_load(canonical)
    except Exception as exc:  # noqa: BLE001
        return canonical, "PyYAML cannot read the canonical form: %s: %s" % (type(exc).__name__, exc)
    got = typed_unordered(typed(reread))
    want = typed_unordered(record["expect"]["value"])
    if got != want:
        return canonical, "canonical form reads back differently:\n      want %s\n      got  %s" % (
            json.dumps(want, ensure_ascii=True)[:400], json.dumps(got, ensure_ascii=True)[:400])
    again, err = run_normalize(hybrid, second_input)
    if err:
        return canonical, "normalize of the canonical form failed: " + err
    if again != canonical:
        return canonical, "normalize is not idempotent on its own output"
    return canonical, None


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hybrid", metavar="PATH", help="hybrid binary for canonical round trips")
    ap.add_argument("--check", action="store_true", help="write nothing; fail on drift")
    args = ap.parse_args()

    if yaml.__version__ != EXPECTED_PYYAML_VERSION:
        raise OracleFailure("PyYAML %s found, the oracle is pinned to %s"
                            % (yaml.__version__, EXPECTED_PYYAML_VERSION))
    if not getattr(yaml, "__with_libyaml__", False) or not hasattr(yaml, "CSafeLoader"):
        raise OracleFailure("PyYAML is not built with libyaml (CSafeLoader missing)")

    files = corpus_files()
    sources = {stem(p) for p in files}
    warnings, drift, hybrid_failures = [], [], []
    values = errors = headers = roundtrips = 0
    disagreements = []

    # Generated files whose source document is gone.
    for path in sorted(CORPUS.iterdir()):
        for suffix in (".expected.json", ".canonical.yaml"):
            if path.name.endswith(suffix) and path.name[: -len(suffix)] not in sources:
                if args.check:
                    drift.append("%s: orphan (no source document)" % path.name)
                else:
                    path.unlink()

    with tempfile.TemporaryDirectory(prefix="yaml-oracle-") as tmpdir:
        for path in files:
            record, header = build_record(path, warnings)
            if "value" in record["expect"]:
                values += 1
            else:
                errors += 1
            if header is not None:
                headers += 1
            if not record["libyaml_agrees"]:
                disagreements.append(path.name)

            out = expected_path(path)
            blob = dump_json(record)
            if args.check:
                if not out.exists():
                    drift.append("%s: missing" % out.name)
                elif out.read_bytes() != blob:
                    drift.append("%s: differs from generated content" % out.name)
            else:
                if not out.exists() or out.read_bytes() != blob:
                    out.write_bytes(blob)

            canon = canonical_path(path)
            if "error" in record["expect"]:
                if canon.exists():
                    if args.check:
                        drift.append("%s: stale (expectation is an error)" % canon.name)
                    else:
                        canon.unlink()
                continue
            if args.hybrid:
                canonical, failure = check_canonical(args.hybrid, path, record, args.check, tmpdir)
                if failure:
                    hybrid_failures.append("%s: %s" % (path.name, failure))
                else:
                    roundtrips += 1
                if args.check and canonical is not None:
                    if not canon.exists() or canon.read_bytes() != canonical:
                        drift.append("%s: differs from hybrid's output" % canon.name)

    print("yaml-oracle: %d documents: %d values, %d errors (%d with hybrid headers)"
          % (len(files), values, errors, headers))
    print("libyaml (CSafeLoader) disagrees with pure PyYAML on %d:" % len(disagreements))
    for name in disagreements:
        print("  " + name)
    for w in warnings:
        print("note: " + w)
    status = 0
    if args.hybrid:
        print("hybrid canonical round trips: %d/%d passed" % (roundtrips, values))
        for f in hybrid_failures:
            print("  FAIL " + f)
        if hybrid_failures:
            status = 1
    if args.check:
        if drift:
            print("drift: %d generated file(s) out of date:" % len(drift))
            for d in drift:
                print("  " + d)
            status = 1
        else:
            print("check: generated files are up to date")
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except OracleFailure as exc:
        print("yaml-oracle: error: %s" % exc, file=sys.stderr)
        sys.exit(2)
