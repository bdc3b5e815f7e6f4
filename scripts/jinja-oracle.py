#!/usr/bin/env python3
"""Differential Jinja2 oracle for hybrid's template engine.

For every case file Tests/HybridTemplatesTests/Fixtures/Conformance/cases/NN-group.yaml
this script renders each case with Python Jinja2 and records the result in
expected/NN-group.json.

A case file is a YAML list of cases:

    - name: loop-index                  # unique across the corpus, kebab-case
      template: "{% for x in items %}{{ x }}{% endfor %}"
      vars: {items: [a, b]}             # optional: the template variables
      files:                            # optional: more templates (path -> text)
        _partials/macros.j2: "{% macro m(x) %}[{{ x }}]{% endmacro %}"
      hybrid:                           # optional, rare: a deliberate difference
        error: {kind: include-cycle, line: 1, template: main.yaml.j2}

Each case is rendered in a fresh temporary assets directory holding the main
template as ``main.yaml.j2`` plus ``files``, with

    jinja2.Environment(loader=jinja2.FileSystemLoader(<assets dir>),
                       undefined=jinja2.StrictUndefined)
    env.get_template("main.yaml.j2").render(**vars)

The expected file is

    {"jinja2": "3.1.6", "cases": {"<name>": {"jinja": RESULT, "expect": RESULT}}}

where RESULT is {"output": "<text>"} or
{"error": {"kind": K, "line": L, "template": T, "message": "<str(exc)>"}} and
``expect`` is the ``hybrid:`` override when present, else equal to ``jinja``.

Error kinds: TemplateSyntaxError -> syntax (TemplateAssertionError "No filter
named ..." -> unknown-filter, "No test named ..." -> unknown-test; the same
for the TemplateRuntimeError Jinja raises instead when the unknown filter or
test sits inside an {% if %} body and is reached at render time);
UndefinedError -> undefined; TemplateNotFound/TemplatesNotFound -> not-found;
ZeroDivisionError -> zero-division; TypeError -> type; ValueError -> value;
RecursionError -> recursion (line and template null); anything else ->
runtime. Syntax errors take exc.lineno/exc.name; runtime errors take the last
traceback frame inside the assets directory (Jinja rewrites tracebacks so that
template frames carry template line numbers). Messages are str(exc) with the
temporary assets path replaced by "<assets>"; a RecursionError's message is
recorded as just "maximum recursion depth exceeded" (its tail varies).

Usage:
    python3 scripts/jinja-oracle.py [--check]

    --check   write nothing; exit 1 if any expected file would change.

Requires Python 3, Jinja2 (3.1.6) and PyYAML (6.0.3).
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

try:
    import jinja2
    import jinja2.exceptions
except ImportError:  # pragma: no cover
    sys.exit("jinja-oracle: Jinja2 is required (pip install Jinja2==3.1.6)")
try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("jinja-oracle: PyYAML is required (pip install PyYAML==6.0.3)")

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "Tests" / "HybridTemplatesTests" / "Fixtures" / "Conformance"
CASES = CONFORMANCE / "cases"
EXPECTED = CONFORMANCE / "expected"

EXPECTED_JINJA_VERSION = "3.1.6"
MAIN_TEMPLATE = "main.yaml.j2"
MIN_CASES = 300

FILE_RE = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
CASE_NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CASE_KEYS = {"name", "template", "vars", "files", "hybrid"}
ERROR_KEYS = {"kind", "line", "template"}
JINJA_KINDS = {
    "syntax",
    "unknown-filter",
    "unknown-test",
    "undefined",
    "not-found",
    "zero-division",
    "type",
    "value",
    "recursion",
    "runtime",
}
# Kinds that only hybrid reports (in `hybrid:` overrides).
HYBRID_ONLY_KINDS = {"include-cycle", "path-escape"}
ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]+")


class OracleFailure(Exception):
    """A sanity check failed; the corpus or the environment needs fixing."""


# --------------------------------------------------------------------------
# Rendering


def write_assets(assets, case):
    files = {MAIN_TEMPLATE: case["template"]}
    files.update(case.get("files") or {})
    for rel, text in files.items():
        path = Path(assets, *rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # newline="" keeps "\r\n" and "\r" exactly as written in the case.
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def error_location(exc, assets):
    """(line, template) of the last traceback frame inside the assets dir."""
    prefix = assets.rstrip(os.sep) + os.sep
    line = template = None
    for frame in traceback.extract_tb(exc.__traceback__):
        filename = os.path.normpath(frame.filename)
        if filename.startswith(prefix):
            line = frame.lineno
            template = os.path.relpath(filename, assets).replace(os.sep, "/")
    return line, template


def message_of(exc, assets):
    """str(exc) with the temporary assets path replaced (TemplateNotFound
    names the search path)."""
    return str(exc).replace(assets, "<assets>")


def classify(exc, assets):
    if isinstance(exc, jinja2.exceptions.TemplateSyntaxError):
        kind = "syntax"
        if isinstance(exc, jinja2.exceptions.TemplateAssertionError):
            message = exc.message or ""
            if message.startswith("No filter named"):
                kind = "unknown-filter"
            elif message.startswith("No test named"):
                kind = "unknown-test"
        template = exc.name
        if template is not None and os.path.isabs(template):
            # The lexer's Failure rules ("Missing end of comment tag", "Missing
            # end of raw directive") pass the file name where the template
            # name belongs.
            template = os.path.relpath(os.path.normpath(template), assets).replace(os.sep, "/")
        return {"kind": kind, "line": exc.lineno, "template": template, "message": message_of(exc, assets)}
    if isinstance(exc, RecursionError):
        # No single meaningful line: the stack is a thousand frames deep. The
        # message's tail ("in comparison", "while calling a Python object")
        # depends on where the limit hit, so only its stable head is kept.
        return {"kind": "recursion", "line": None, "template": None, "message": "maximum recursion depth exceeded"}
    if isinstance(exc, jinja2.exceptions.UndefinedError):
        kind = "undefined"
    elif isinstance(exc, jinja2.exceptions.TemplateNotFound):  # incl. TemplatesNotFound
        kind = "not-found"
    elif isinstance(exc, ZeroDivisionError):
        kind = "zero-division"
    elif isinstance(exc, TypeError):
        kind = "type"
    elif isinstance(exc, ValueError):
        kind = "value"
    elif isinstance(exc, jinja2.exceptions.TemplateRuntimeError) and str(exc).startswith("No filter named"):
        # A filter unknown inside an {% if %} body is reported when reached.
        kind = "unknown-filter"
    elif isinstance(exc, jinja2.exceptions.TemplateRuntimeError) and str(exc).startswith("No test named"):
        kind = "unknown-test"
    else:
        kind = "runtime"
    line, template = error_location(exc, assets)
    return {"kind": kind, "line": line, "template": template, "message": message_of(exc, assets)}


def render_once(case):
    assets = os.path.realpath(tempfile.mkdtemp(prefix="jinja-oracle-"))
    try:
        write_assets(assets, case)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(assets),
            undefined=jinja2.StrictUndefined,
        )
        variables = case.get("vars") or {}
        try:
            output = env.get_template(MAIN_TEMPLATE).render(**variables)
        except Exception as exc:  # noqa: BLE001 - every failure is a result
            return {"error": classify(exc, assets)}
        return {"output": output}
    finally:
        shutil.rmtree(assets, ignore_errors=True)


def render_case(case):
    results = [render_once(case), render_once(case)]
    for result in results:
        text = result["output"] if "output" in result else result["error"]["message"]
        if ADDRESS_RE.search(text):
            raise OracleFailure(f"case {case['name']!r} prints a memory address: {text!r}")
    if results[0] != results[1]:
        raise OracleFailure(f"case {case['name']!r} is not deterministic:\n  {results[0]!r}\n  {results[1]!r}")
    return results[0]


# --------------------------------------------------------------------------
# Validation


def validate_case(case, where):
    if not isinstance(case, dict):
        raise OracleFailure(f"{where}: a case must be a mapping")
    unknown = set(case) - CASE_KEYS
    if unknown:
        raise OracleFailure(f"{where}: unknown keys {sorted(unknown)}")
    name = case.get("name")
    if not isinstance(name, str) or not CASE_NAME_RE.match(name):
        raise OracleFailure(f"{where}: name {name!r} is not kebab-case")
    if not isinstance(case.get("template"), str):
        raise OracleFailure(f"{where} ({name}): template must be a string")
    variables = case.get("vars")
    if variables is not None and not (
        isinstance(variables, dict) and all(isinstance(k, str) for k in variables)
    ):
        raise OracleFailure(f"{where} ({name}): vars must be a mapping with string keys")
    files = case.get("files")
    if files is not None:
        if not isinstance(files, dict):
            raise OracleFailure(f"{where} ({name}): files must be a mapping")
        for rel, text in files.items():
            if not isinstance(rel, str) or not isinstance(text, str):
                raise OracleFailure(f"{where} ({name}): files entries must be path: text")
            parts = rel.split("/")
            if rel == MAIN_TEMPLATE or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise OracleFailure(f"{where} ({name}): bad file path {rel!r}")
    override = case.get("hybrid")
    if override is not None:
        error = override.get("error") if isinstance(override, dict) else None
        if set(override) != {"error"} or not isinstance(error, dict) or set(error) != ERROR_KEYS:
            raise OracleFailure(f"{where} ({name}): hybrid must be {{error: {{kind, line, template}}}}")
        if error["kind"] not in JINJA_KINDS | HYBRID_ONLY_KINDS:
            raise OracleFailure(f"{where} ({name}): unknown hybrid error kind {error['kind']!r}")
        if not isinstance(error["line"], int) or not isinstance(error["template"], str):
            raise OracleFailure(f"{where} ({name}): hybrid error needs an int line and a template")
    return name


def load_case_files():
    paths = sorted(CASES.glob("*.yaml"))
    if not paths:
        raise OracleFailure(f"no case files in {CASES}")
    groups = []
    seen = {}
    numbers = set()
    for path in paths:
        match = FILE_RE.match(path.name)
        if not match:
            raise OracleFailure(f"{path.name}: file name must be NN-group.yaml")
        if match.group(1) in numbers:
            raise OracleFailure(f"{path.name}: number {match.group(1)} used twice")
        numbers.add(match.group(1))
        with open(path, encoding="utf-8") as f:
            cases = yaml.safe_load(f)
        if not isinstance(cases, list) or not cases:
            raise OracleFailure(f"{path.name}: must be a non-empty YAML list of cases")
        for index, case in enumerate(cases):
            name = validate_case(case, f"{path.name}[{index}]")
            if name in seen:
                raise OracleFailure(f"{path.name}: case name {name!r} also used in {seen[name]}")
            seen[name] = path.name
        groups.append((path, cases))
    if len(seen) < MIN_CASES:
        raise OracleFailure(f"only {len(seen)} cases; the corpus needs at least {MIN_CASES}")
    return groups


# --------------------------------------------------------------------------
# Main


def dump(document):
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on drift")
    args = parser.parse_args()

    if jinja2.__version__ != EXPECTED_JINJA_VERSION:
        print(
            f"jinja-oracle: warning: Jinja2 {jinja2.__version__} (the corpus is recorded with "
            f"{EXPECTED_JINJA_VERSION})",
            file=sys.stderr,
        )

    try:
        groups = load_case_files()
        kinds = Counter()
        outputs = 0
        overrides = []
        drift = []
        for path, cases in groups:
            results = {}
            for case in cases:
                jinja_result = render_case(case)
                if "output" in jinja_result:
                    outputs += 1
                else:
                    kinds[jinja_result["error"]["kind"]] += 1
                if case.get("hybrid") is not None:
                    error = case["hybrid"]["error"]
                    expect = {"error": {"kind": error["kind"], "line": error["line"], "template": error["template"]}}
                    overrides.append((case["name"], error))
                else:
                    expect = jinja_result
                results[case["name"]] = {"jinja": jinja_result, "expect": expect}
            text = dump({"jinja2": jinja2.__version__, "cases": results})
            target = EXPECTED / (path.stem + ".json")
            current = target.read_text(encoding="utf-8") if target.exists() else None
            if current != text:
                drift.append(target)
                if not args.check:
                    EXPECTED.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
        stale = sorted(
            p for p in EXPECTED.glob("*.json") if not (CASES / (p.stem + ".yaml")).exists()
        ) if EXPECTED.exists() else []
    except OracleFailure as failure:
        print(f"jinja-oracle: error: {failure}", file=sys.stderr)
        return 2

    total = outputs + sum(kinds.values())
    print(f"{total} cases in {len(groups)} files: {outputs} outputs, {sum(kinds.values())} errors")
    for kind, count in sorted(kinds.items()):
        print(f"  error {kind}: {count}")
    print(f"{len(overrides)} hybrid overrides")
    for name, error in overrides:
        print(f"  {name}: {error['kind']} at {error['template']}:{error['line']}")
    for path in stale:
        print(f"stale expected file (no case file): {path.relative_to(ROOT)}", file=sys.stderr)
    if args.check:
        for path in drift:
            print(f"would change: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if drift or stale else 0
    for path in drift:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
