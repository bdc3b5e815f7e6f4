#!/usr/bin/env python3
"""Generate Sources/SupersetModel/SupersetImportSchema+Generated.swift from Superset's import schemas.

  python3 scripts/superset-schemas.py [--wheel apache_superset-6.1.0-py3-none-any.whl] [--out FILE] [--check]

Superset's asset import (`POST /api/v1/assets/import/`) validates every YAML file of a bundle with a
marshmallow schema, and marshmallow rejects unknown keys by default. This script reads those schemas
straight out of the Superset wheel with the `ast` module (Superset is never imported or installed):

1. The roots: the `schemas` mapping of `ImportAssetsCommand` (directory prefix -> schema) in
   superset/commands/importers/v1/assets.py, plus `MetadataSchema` (metadata.yaml) from
   superset/commands/importers/v1/utils.py.
2. Every schema they nest, transitively (`fields.Nested(X)`, `fields.Nested(lambda: X())`,
   `fields.List(fields.Nested(X))`, subclasses of `fields.Nested`).
3. Per field: the YAML key (`data_key` or attribute name), its marshmallow kind, list element / dict
   key and value kinds, `required`, `allow_none` with marshmallow 3 semantics (an explicit
   `allow_none=` wins; otherwise True exactly when `load_default=None` / `missing=None`), and the
   validators that can be read statically (OneOf, Equal, Length, Range, Regexp). Other validators
   (plain functions, lambdas) are recorded by name with the first line of their docstring.
4. Per schema: whether unknown keys are rejected (`class Meta: unknown`, default RAISE), key renames
   done by `@pre_load` hooks (`data["new"] = data.pop("old")`: the old key is accepted too), keys
   whose JSON-string value a `@pre_load` hook decodes, and the `@validates_schema` hooks (which
   cannot be evaluated statically).
5. The metadata.yaml facts: the `version` every bundle must declare (`IMPORT_VERSION`), the `type`
   the assets import accepts, and the `type` each per-resource import command accepts.

Without --wheel, the wheel is fetched with `pip download apache-superset==6.1.0 --no-deps`.
The output is formatted with `swift format` (the repository's .swift-format) when `swift` is on PATH.
--check exits with status 1 if the output file would change.
"""
import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEFAULT_OUT = os.path.join(ROOT, "Sources", "SupersetModel", "SupersetImportSchema+Generated.swift")
SUPERSET_VERSION = "6.1.0"

ASSETS_MODULE = "superset.commands.importers.v1.assets"
ASSETS_COMMAND = "ImportAssetsCommand"
METADATA_MODULE = "superset.commands.importers.v1.utils"
METADATA_SCHEMA = "MetadataSchema"

# marshmallow.fields class -> Swift SupersetFieldKind case. Anything else fails loudly: extend this table.
KINDS = {
    "Field": "raw",
    "Raw": "raw",
    "String": "string",
    "Str": "string",
    "Integer": "integer",
    "Int": "integer",
    "Float": "float",
    "Number": "float",
    "Decimal": "decimal",
    "Boolean": "boolean",
    "Bool": "boolean",
    "UUID": "uuid",
    "Dict": "dict",
    "Mapping": "dict",
    "List": "list",
    "Nested": "nested",
    "Enum": "enumeration",
    "DateTime": "dateTime",
    "NaiveDateTime": "dateTime",
    "AwareDateTime": "dateTime",
    "Date": "date",
    "Time": "time",
    "Url": "url",
    "URL": "url",
    "Email": "email",
}
# Every case of the generated enum, in a fixed order (so the Swift API does not depend on the schemas).
KIND_CASES = [
    "string", "integer", "float", "decimal", "boolean", "uuid", "dict", "list", "nested", "raw",
    "enumeration", "dateTime", "date", "time", "url", "email",
]

# What marshmallow 3 accepts on load, for the kinds where the name says too little.
KIND_NOTES = {
    "string": "A string (`fields.String` rejects numbers, booleans and YAML timestamps).",
    "integer": "An integer, a float (truncated) or a string holding an integer; not a boolean.",
    "float": "A number or a string holding one; not a boolean, NaN or infinity.",
    "boolean": "true/false, 1/0, or one of t, true, on, y, yes, 1 / f, false, off, n, no, 0 (lower, Title or UPPER).",
    "uuid": "A string Python's `uuid.UUID` parses.",
    "dict": "A mapping.",
    "raw": "Any value.",
    "dateTime": "An ISO 8601 string; an unquoted YAML timestamp loads as a datetime and is rejected.",
    "url": "An absolute URL, schemes http, https, ftp, ftps; the host needs a TLD (or is localhost / an IP).",
    "enumeration": "One of `choices` (`fields.Enum`).",
}

MARSHMALLOW_SCHEMA = {"marshmallow.Schema", "marshmallow.schema.Schema"}


class ExtractionError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------
# Reading modules out of the wheel


class Module:
    """A parsed module: top-level definitions and imports (including those under `if`/`try`)."""

    def __init__(self, name, package, tree):
        self.name = name
        self.package = package
        self.defs = {}  # name -> ClassDef / FunctionDef, or the value of a module-level assignment
        self.imports = {}  # local name -> ("module", dotted) or ("from", dotted module, name)
        for node in tree.body:
            self._collect(node)

    def _collect(self, node):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            self.defs[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.defs[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.defs[node.target.id] = node.value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = ("module", alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = ("module", top)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = self.package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                self.imports[alias.asname or alias.name] = ("from", base, alias.name)
        elif isinstance(node, ast.If):
            # `if TYPE_CHECKING:` and the like: take both branches
            for child in node.body + node.orelse:
                self._collect(child)
        elif isinstance(node, ast.Try):
            for child in node.body:
                self._collect(child)


class Wheel:
    def __init__(self, path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self.modules = {}
        self.version = None
        self.marshmallow_requirement = None
        for name in self.names:
            if name.endswith(".dist-info/METADATA"):
                for line in self.zip.read(name).decode().splitlines():
                    if line.startswith("Version:"):
                        self.version = line.split(":", 1)[1].strip()
                    elif re.match(r"Requires-Dist:\s*marshmallow\b(?!-)", line):
                        self.marshmallow_requirement = line.split(":", 1)[1].strip()

    def module_path(self, dotted):
        base = dotted.replace(".", "/")
        for candidate in (base + ".py", base + "/__init__.py"):
            if candidate in self.names:
                return candidate
        return None

    def is_module(self, dotted):
        return dotted.split(".")[0] == "superset" and self.module_path(dotted) is not None

    def module(self, dotted):
        if dotted not in self.modules:
            path = self.module_path(dotted)
            if path is None:
                raise ExtractionError(f"module {dotted} not found in {self.path}")
            tree = ast.parse(self.zip.read(path).decode(), filename=path)
            package = dotted if path.endswith("/__init__.py") else dotted.rpartition(".")[0]
            self.modules[dotted] = Module(dotted, package, tree)
        return self.modules[dotted]


# ---------------------------------------------------------------------------------------------------
# Name resolution: a reference is ("def", module, name, node) for something defined in the wheel,
# ("module", dotted) for a wheel module, or ("external", "dotted.name") for anything else.


def resolve_name(wheel, module, name, depth=0):
    if depth > 20:
        raise ExtractionError(f"import cycle resolving {name} in {module.name}")
    if name in module.defs:
        return ("def", module, name, module.defs[name])
    if name in module.imports:
        entry = module.imports[name]
        if entry[0] == "module":
            dotted = entry[1]
            return ("module", dotted) if wheel.is_module(dotted) else ("external", dotted)
        _, base, attr = entry
        if wheel.is_module(base + "." + attr):
            return ("module", base + "." + attr)
        if wheel.is_module(base):
            return resolve_name(wheel, wheel.module(base), attr, depth + 1)
        return ("external", base + "." + attr)
    if name in ("dict", "list", "str", "int", "float", "bool", "None", "True", "False"):
        return ("external", "builtins." + name)
    raise ExtractionError(f"cannot resolve {name!r} in {module.name}")


def resolve_expr(wheel, module, expr):
    if isinstance(expr, ast.Name):
        return resolve_name(wheel, module, expr.id)
    if isinstance(expr, ast.Attribute):
        base = resolve_expr(wheel, module, expr.value)
        if base[0] == "module":
            target = base[1] + "." + expr.attr
            if wheel.is_module(target):
                return ("module", target)
            return resolve_name(wheel, wheel.module(base[1]), expr.attr)
        if base[0] == "external":
            return ("external", base[1] + "." + expr.attr)
        return ("attribute", base, expr.attr)
    raise ExtractionError(f"cannot resolve expression {ast.unparse(expr)} in {module.name}")


def external_name(ref):
    return ref[1] if ref[0] == "external" else None


def literal(wheel, module, expr):
    """A Python literal, following module-level constants (e.g. IMPORT_VERSION)."""
    if isinstance(expr, ast.Name):
        ref = resolve_name(wheel, module, expr.id)
        if ref[0] == "def" and not isinstance(ref[3], (ast.ClassDef, ast.FunctionDef)):
            return literal(wheel, ref[1], ref[3])
        raise ExtractionError(f"{expr.id} in {module.name} is not a constant")
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return [literal(wheel, module, element) for element in expr.elts]
    return ast.literal_eval(expr)


def docstring_summary(node):
    """The first sentence of a docstring, on one line."""
    doc = ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else None
    if not doc:
        return None
    paragraph = " ".join(doc.strip().split("\n\n")[0].split())
    return re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]


# ---------------------------------------------------------------------------------------------------
# Classes: linearization and field classes


def class_bases(wheel, module, classdef):
    """Resolved bases of a class, in order."""
    return [resolve_expr(wheel, module, base) for base in classdef.bases]


def mro(wheel, module, classdef):
    """C3 linearization over classes defined in the wheel; external bases end the chain.

    Returns a list of (module, ClassDef) and the set of external base names seen."""
    externals = set()

    def linearize(mod, cls):
        sequences = []
        for ref in class_bases(wheel, mod, cls):
            if ref[0] == "def" and isinstance(ref[3], ast.ClassDef):
                sequences.append(linearize(ref[1], ref[3]))
            elif ref[0] == "external":
                externals.add(ref[1])
            else:
                raise ExtractionError(f"unsupported base {ref} of {cls.name}")
        direct = [
            (ref[1], ref[3]) for ref in class_bases(wheel, mod, cls)
            if ref[0] == "def" and isinstance(ref[3], ast.ClassDef)
        ]
        sequences.append(direct)
        result = [(mod, cls)]
        sequences = [list(s) for s in sequences if s]
        while sequences:
            for sequence in sequences:
                head = sequence[0]
                key = (head[0].name, head[1].name)
                if not any(key in [(m.name, c.name) for m, c in s[1:]] for s in sequences):
                    break
            else:
                raise ExtractionError(f"inconsistent MRO for {cls.name}")
            result.append(head)
            sequences = [
                [item for item in s if (item[0].name, item[1].name) != key] for s in sequences
            ]
            sequences = [s for s in sequences if s]
        return result

    return linearize(module, classdef), externals


def field_class(wheel, module, func):
    """(marshmallow.fields class name, custom wheel class name or None) for a field constructor."""
    ref = resolve_expr(wheel, module, func)
    custom = None
    seen = 0
    while ref[0] == "def":
        if not isinstance(ref[3], ast.ClassDef):
            return None
        custom = custom or ref[2]
        bases = class_bases(wheel, ref[1], ref[3])
        if not bases:
            return None
        ref = bases[0]
        seen += 1
        if seen > 20:
            return None
    name = external_name(ref)
    if name is None:
        return None
    if name.startswith("marshmallow.fields."):
        return (name.rsplit(".", 1)[1], custom)
    if name == "marshmallow_union.Union":
        return ("Union", custom)
    return None


# ---------------------------------------------------------------------------------------------------
# Fields


class Field:
    def __init__(self):
        self.name = None
        self.attribute = None
        self.kind = None
        self.custom_class = None
        self.key = None
        self.element = None
        self.element_allows_none = False
        self.nested = None  # (module, classdef)
        self.required = False
        self.allow_none = False
        self.choices = None
        self.min_length = None
        self.max_length = None
        self.minimum = None
        self.maximum = None
        self.custom_validators = []
        self.load_only = False
        self.dump_only = False


def keyword(call, name):
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def bool_keyword(wheel, module, call, name, default):
    value = keyword(call, name)
    if value is None:
        return default
    result = literal(wheel, module, value)
    if not isinstance(result, bool):
        raise ExtractionError(f"{name}= is not a boolean literal in {ast.unparse(call)}")
    return result


def allow_none_of(wheel, module, call):
    """marshmallow 3: `self.allow_none = load_default is None if allow_none is None else allow_none`,
    where the deprecated `missing=` stands in for `load_default=`."""
    explicit = keyword(call, "allow_none")
    if explicit is not None:
        value = literal(wheel, module, explicit)
        if not isinstance(value, bool):
            raise ExtractionError(f"allow_none= is not a boolean literal in {ast.unparse(call)}")
        return value
    default = keyword(call, "load_default")
    if default is None:
        default = keyword(call, "missing")
    return isinstance(default, ast.Constant) and default.value is None


def schema_of_nested_argument(wheel, module, expr):
    """The schema class passed to Nested: a class, an instance, a lambda returning either, or a name."""
    if isinstance(expr, ast.Lambda):
        return schema_of_nested_argument(wheel, module, expr.body)
    if isinstance(expr, ast.Call):
        return schema_of_nested_argument(wheel, module, expr.func)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        if expr.value == "self":
            return "self"
        return schema_of_nested_argument(wheel, module, ast.Name(id=expr.value.rsplit(".", 1)[-1]))
    ref = resolve_expr(wheel, module, expr)
    if ref[0] == "def" and isinstance(ref[3], ast.ClassDef):
        return (ref[1], ref[3])
    raise ExtractionError(f"cannot find the schema of Nested({ast.unparse(expr)}) in {module.name}")


def apply_validators(wheel, module, call, field, owner):
    value = keyword(call, "validate")
    if value is None:
        return
    validators = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    for validator in validators:
        apply_validator(wheel, module, validator, field, owner)


def apply_validator(wheel, module, validator, field, owner):
    described = describe_validator(wheel, module, validator)
    if isinstance(validator, ast.Call):
        try:
            ref = resolve_expr(wheel, module, validator.func)
        except ExtractionError:
            ref = ("unknown",)
        name = external_name(ref) or ""
        if name.startswith("marshmallow.validate."):
            kind = name.rsplit(".", 1)[1]
            args = validator.args

            def argument(position, key):
                if len(args) > position:
                    return literal(wheel, module, args[position])
                value = keyword(validator, key)
                return literal(wheel, module, value) if value is not None else None

            if kind == "OneOf":
                field.choices = merge_choices(field.choices, [str(c) for c in argument(0, "choices")])
                return
            if kind == "Equal":
                field.choices = merge_choices(field.choices, [str(argument(0, "comparable"))])
                return
            if kind == "Length":
                low, high, equal = argument(0, "min"), argument(1, "max"), argument(2, "equal")
                if equal is not None:
                    low = high = equal
                if low is not None:
                    field.min_length = low if field.min_length is None else max(field.min_length, low)
                if high is not None:
                    field.max_length = high if field.max_length is None else min(field.max_length, high)
                return
            if kind == "Range" and keyword(validator, "min_inclusive") is None \
                    and keyword(validator, "max_inclusive") is None and len(args) <= 2:
                low, high = argument(0, "min"), argument(1, "max")
                if low is not None:
                    field.minimum = float(low)
                if high is not None:
                    field.maximum = float(high)
                return
    field.custom_validators.append(described)


def merge_choices(existing, new):
    if existing is None:
        return new
    return [choice for choice in existing if choice in new]


def describe_validator(wheel, module, validator):
    """Source text of a validator, with the first docstring line of a named function."""
    text = ast.unparse(validator)
    if isinstance(validator, (ast.Name, ast.Attribute)):
        try:
            ref = resolve_expr(wheel, module, validator)
        except ExtractionError:
            return text
        if ref[0] == "def":
            summary = docstring_summary(ref[3])
            if summary:
                return f"{text}: {summary}"
    return text


def analyze_field(wheel, module, call, owner):
    """A Field from a `fields.X(...)` call (or None if the call is not a marshmallow field)."""
    if not isinstance(call, ast.Call):
        return None
    resolved = field_class(wheel, module, call.func)
    if resolved is None:
        return None
    cls, custom = resolved
    if cls not in KINDS:
        raise ExtractionError(
            f"{owner}: unsupported marshmallow field class {cls} in {ast.unparse(call)} (extend KINDS)")
    field = Field()
    field.kind = KINDS[cls]
    field.custom_class = custom
    field.required = bool_keyword(wheel, module, call, "required", False)
    field.allow_none = allow_none_of(wheel, module, call)
    field.load_only = bool_keyword(wheel, module, call, "load_only", False)
    field.dump_only = bool_keyword(wheel, module, call, "dump_only", False)
    data_key = keyword(call, "data_key")
    if data_key is not None:
        field.name = literal(wheel, module, data_key)
    apply_validators(wheel, module, call, field, owner)

    if cls == "Nested":
        target = call.args[0] if call.args else keyword(call, "nested")
        field.nested = schema_of_nested_argument(wheel, module, target)
        if bool_keyword(wheel, module, call, "many", False):
            field.kind, field.element = "list", "nested"
        if keyword(call, "unknown") is not None:
            raise ExtractionError(f"{owner}: Nested(unknown=...) is not supported: {ast.unparse(call)}")
        for unsupported in ("only", "exclude", "partial"):
            if keyword(call, unsupported) is not None:
                raise ExtractionError(f"{owner}: Nested({unsupported}=...) is not supported: {ast.unparse(call)}")
    elif cls == "List":
        inner_expr = call.args[0] if call.args else keyword(call, "cls_or_instance")
        inner = analyze_inner(wheel, module, inner_expr, owner)
        field.element = inner.kind
        field.element_allows_none = inner.allow_none
        field.nested = inner.nested
    elif cls in ("Dict", "Mapping"):
        keys, values = keyword(call, "keys"), keyword(call, "values")
        if keys is not None:
            key = analyze_inner(wheel, module, keys, owner)
            field.key = key.kind
        if values is not None:
            value = analyze_inner(wheel, module, values, owner)
            field.element = value.kind
            field.element_allows_none = value.allow_none
            field.nested = value.nested
    elif cls == "Enum":
        field.choices = enum_choices(wheel, module, call, owner)
    return field


def analyze_inner(wheel, module, expr, owner):
    """The field inside a List or Dict (a field instance, or a field class)."""
    if isinstance(expr, ast.Call):
        inner = analyze_field(wheel, module, expr, owner)
    else:
        inner = analyze_field(wheel, module, ast.Call(func=expr, args=[], keywords=[]), owner)
    if inner is None:
        raise ExtractionError(f"{owner}: cannot read inner field {ast.unparse(expr)}")
    if inner.kind in ("list", "dict") or inner.key is not None:
        raise ExtractionError(f"{owner}: nested containers are not supported: {ast.unparse(expr)}")
    if inner.choices or inner.min_length is not None or inner.max_length is not None \
            or inner.minimum is not None or inner.maximum is not None or inner.custom_validators:
        raise ExtractionError(f"{owner}: validators on inner fields are not supported: {ast.unparse(expr)}")
    return inner


def enum_choices(wheel, module, call, owner):
    """Accepted values of fields.Enum: member values with by_value=True, member names otherwise."""
    target = call.args[0] if call.args else keyword(call, "enum")
    ref = resolve_expr(wheel, module, target)
    if ref[0] != "def" or not isinstance(ref[3], ast.ClassDef):
        raise ExtractionError(f"{owner}: cannot find enum {ast.unparse(target)}")
    by_value = keyword(call, "by_value")
    by_value = by_value is not None and not (isinstance(by_value, ast.Constant) and by_value.value is False)
    choices = []
    for node in ref[3].body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name.startswith("_"):
                continue
            if by_value:
                value = literal(wheel, ref[1], node.value)
                if isinstance(value, tuple):
                    raise ExtractionError(f"{owner}: tuple enum values are not supported")
                choices.append(str(value))
            else:
                choices.append(name)
    return choices


# ---------------------------------------------------------------------------------------------------
# Schemas


class Schema:
    def __init__(self, module, classdef):
        self.module = module
        self.classdef = classdef
        self.name = classdef.name
        self.fields = []
        self.unknown = "raise"
        self.aliases = {}
        self.json_string_keys = []
        self.pre_load_hooks = []
        self.schema_validators = []


def decorator_name(wheel, module, decorator):
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    try:
        ref = resolve_expr(wheel, module, target)
    except ExtractionError:
        return None
    name = external_name(ref)
    if name and name.startswith("marshmallow."):
        return name.rsplit(".", 1)[1]
    return None


def analyze_pre_load(function, schema):
    """Key renames (`data["new"] = data.pop("old")`) and JSON-string decoding (`data["k"] = json.loads(...)`)."""
    args = function.args.args
    data = args[1].arg if len(args) > 1 else "data"
    summary = docstring_summary(function)
    schema.pre_load_hooks.append(f"{function.name}: {summary}" if summary else function.name)
    for node in ast.walk(function):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                and target.value.id == data and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)):
            continue
        key = target.slice.value
        value = node.value
        if (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "pop"
                and isinstance(value.func.value, ast.Name) and value.func.value.id == data
                and value.args and isinstance(value.args[0], ast.Constant)):
            schema.aliases[value.args[0].value] = key
        elif any(isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "loads"
                 for sub in ast.walk(value)):
            if key not in schema.json_string_keys:
                schema.json_string_keys.append(key)


def analyze_schema(wheel, module, classdef):
    schema = Schema(module, classdef)
    linearization, externals = mro(wheel, module, classdef)
    if not externals & MARSHMALLOW_SCHEMA:
        raise ExtractionError(f"{classdef.name} is not a marshmallow Schema")
    owner = f"{module.name}.{classdef.name}"

    # class Meta: the first one along the MRO (Meta is an ordinary inherited class attribute)
    for mod, cls in linearization:
        meta = next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
        if meta is None:
            continue
        for node in meta.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "unknown"
                                                    for t in node.targets):
                if isinstance(node.value, ast.Constant):
                    schema.unknown = str(node.value.value).lower()
                else:
                    ref = resolve_expr(wheel, mod, node.value)
                    name = external_name(ref) or ""
                    if name.rsplit(".", 1)[-1] not in ("RAISE", "EXCLUDE", "INCLUDE"):
                        raise ExtractionError(f"{owner}: cannot read Meta.unknown = {ast.unparse(node.value)}")
                    schema.unknown = name.rsplit(".", 1)[-1].lower()
        break

    # declared fields: bases first (reverse MRO), a redefinition keeps the first position
    declared = {}
    for mod, cls in reversed(linearization):
        for node in cls.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                attribute = node.targets[0].id
                value = node.value
                if isinstance(value, ast.Call) and decorator_name(wheel, mod, value.func) == "pre_load":
                    hook = value.args[0] if value.args else None
                    ref = resolve_expr(wheel, mod, hook) if hook is not None else None
                    if ref is None or ref[0] != "def" or not isinstance(ref[3], ast.FunctionDef):
                        raise ExtractionError(f"{owner}: cannot read pre_load hook {ast.unparse(value)}")
                    analyze_pre_load(ref[3], schema)
                    continue
                field = analyze_field(wheel, mod, value, f"{owner}.{attribute}")
                if field is None:
                    continue
                field.attribute = attribute
                field.name = field.name or attribute
                declared[attribute] = field
            elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
                field = analyze_field(wheel, mod, node.value, f"{owner}.{node.target.id}")
                if field is not None:
                    field.attribute = node.target.id
                    field.name = field.name or node.target.id
                    declared[node.target.id] = field
            elif isinstance(node, ast.FunctionDef):
                for decorator in node.decorator_list:
                    kind = decorator_name(wheel, mod, decorator)
                    if kind == "pre_load":
                        analyze_pre_load(node, schema)
                    elif kind == "validates_schema":
                        summary = docstring_summary(node)
                        schema.schema_validators.append(f"{node.name}: {summary}" if summary else node.name)
                    elif kind == "validates":
                        target = ", ".join(ast.unparse(a) for a in decorator.args)
                        schema.schema_validators.append(f"{node.name} (validates {target})")
    schema.fields = list(declared.values())
    for field in schema.fields:
        if field.nested == "self":
            field.nested = (module, classdef)
    return schema


def import_roots(wheel):
    """(directory prefix -> schema reference) of ImportAssetsCommand, and the metadata schema."""
    module = wheel.module(ASSETS_MODULE)
    command = module.defs.get(ASSETS_COMMAND)
    if not isinstance(command, ast.ClassDef):
        raise ExtractionError(f"{ASSETS_COMMAND} not found in {ASSETS_MODULE}")
    directories = []
    for node in command.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == "schemas" and isinstance(node.value, ast.Dict):
            for key, value in zip(node.value.keys, node.value.values):
                prefix = literal(wheel, module, key)
                ref = resolve_expr(wheel, module, value.func if isinstance(value, ast.Call) else value)
                if ref[0] != "def":
                    raise ExtractionError(f"cannot resolve schema {ast.unparse(value)}")
                directories.append((prefix, ref[1], ref[3]))
    if not directories:
        raise ExtractionError(f"{ASSETS_COMMAND}.schemas not found")
    metadata_module = wheel.module(METADATA_MODULE)
    metadata = metadata_module.defs.get(METADATA_SCHEMA)
    if not isinstance(metadata, ast.ClassDef):
        raise ExtractionError(f"{METADATA_SCHEMA} not found in {METADATA_MODULE}")
    return directories, (metadata_module, metadata)


def metadata_facts(wheel):
    """IMPORT_VERSION, the `type` the assets import accepts, and each import command's `type`."""
    utils = wheel.module(METADATA_MODULE)
    import_version = literal(wheel, utils, ast.Name(id="IMPORT_VERSION"))
    assets_module = wheel.module(ASSETS_MODULE)
    assets_type = None
    for node in ast.walk(assets_module.defs[ASSETS_COMMAND]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "validate_metadata_type":
            assets_type = literal(wheel, assets_module, node.args[1])
    if assets_type is None:
        raise ExtractionError("validate_metadata_type(..., <type>, ...) not found in ImportAssetsCommand")

    # ImportModelsCommand.validate checks metadata type against self.dao.model_cls.__name__
    by_command = {}
    for path in sorted(wheel.names):
        if not (path.startswith("superset/commands/") and path.endswith(".py")):
            continue
        if "/importers/v1/" not in path and not path.endswith("/import_themes.py"):
            continue
        dotted = path[:-3].replace("/", ".").removesuffix(".__init__")
        module = wheel.module(dotted)
        for name, node in module.defs.items():
            if not isinstance(node, ast.ClassDef) or not name.startswith("Import") or not name.endswith("Command"):
                continue
            dao = next((n.value for n in node.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                        and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "dao"), None)
            if dao is None:
                continue
            ref = resolve_expr(wheel, module, dao)
            if ref[0] != "def" or not isinstance(ref[3], ast.ClassDef):
                continue
            for base in ref[3].bases:
                # `class ChartDAO(BaseDAO[Slice])`; BaseDAO itself is `Generic[T]` (no type check)
                if isinstance(base, ast.Subscript) and isinstance(base.slice, ast.Name):
                    model = resolve_expr(wheel, ref[1], base.slice)
                    if model[0] == "def" and isinstance(model[3], ast.ClassDef):
                        by_command[name] = model[3].name
    return import_version, assets_type, by_command


def collect(wheel):
    directories, metadata_root = import_roots(wheel)
    roots = [(module, classdef) for _, module, classdef in directories] + [metadata_root]
    schemas = {}
    order = []
    queue = list(roots)
    while queue:
        module, classdef = queue.pop(0)
        key = (module.name, classdef.name)
        if key in schemas:
            continue
        schema = analyze_schema(wheel, module, classdef)
        schemas[key] = schema
        order.append(schema)
        for field in schema.fields:
            if field.nested is not None:
                queue.append(field.nested)
    names = {}
    for schema in order:
        if schema.name in names and names[schema.name] != schema.module.name:
            raise ExtractionError(f"two schemas named {schema.name}: {names[schema.name]}, {schema.module.name}")
        names[schema.name] = schema.module.name
    for schema in order:
        for field in schema.fields:
            if field.dump_only:
                raise ExtractionError(f"{schema.name}.{field.attribute} is dump_only (unknown on load); not supported")
    directory_names = [(prefix, classdef.name) for prefix, _, classdef in directories]
    return order, directory_names, metadata_root[1].name


# ---------------------------------------------------------------------------------------------------
# Swift output


def swift_string(value):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def swift_strings(values):
    return "[" + ", ".join(swift_string(v) for v in values) + "]"


def swift_number(value):
    text = repr(float(value))
    return text


def swift_field(field):
    parts = [swift_string(field.name), "." + field.kind]
    if field.custom_class:
        parts.append(f"customClass: {swift_string(field.custom_class)}")
    if field.key:
        parts.append(f"key: .{field.key}")
    if field.element:
        parts.append(f"element: .{field.element}")
    if field.element_allows_none:
        parts.append("elementAllowsNone: true")
    if field.nested is not None:
        parts.append(f"nested: {swift_string(field.nested[1].name)}")
    if field.required:
        parts.append("required: true")
    if field.allow_none:
        parts.append("allowNone: true")
    if field.choices is not None:
        parts.append(f"choices: {swift_strings(field.choices)}")
    if field.min_length is not None:
        parts.append(f"minLength: {int(field.min_length)}")
    if field.max_length is not None:
        parts.append(f"maxLength: {int(field.max_length)}")
    if field.minimum is not None:
        parts.append(f"minimum: {swift_number(field.minimum)}")
    if field.maximum is not None:
        parts.append(f"maximum: {swift_number(field.maximum)}")
    if field.custom_validators:
        parts.append(f"customValidators: {swift_strings(field.custom_validators)}")
    if field.load_only:
        parts.append("loadOnly: true")
    return "SupersetField(" + ", ".join(parts) + ")"


def swift_collection(items, indent, label):
    """A Swift array / dictionary literal: on the label's line if it fits in 120 columns, else one item a line."""
    if not items:
        return "[]" if label != "dict" else "[:]"
    inline = "[" + ", ".join(items) + "]"
    if indent + len(label) + len(inline) + 1 <= 120:
        return inline
    pad = " " * indent
    return "[\n" + "\n".join(f"{pad}    {item}," for item in items) + f"\n{pad}]"


def swift_dictionary(entries, indent, label=""):
    items = [f"{swift_string(k)}: {swift_string(v)}" for k, v in entries]
    return swift_collection(items, indent, label) if items else "[:]"


def swift_list(values, indent, label=""):
    return swift_collection([swift_string(v) for v in values], indent, label)


HEADER = """\
/// The kind of a marshmallow field, as Superset's import schemas declare it.
public enum SupersetFieldKind: String, Sendable {
{cases}
}

/// One key of a YAML file that Superset's import validates.
public struct SupersetField: Sendable {
    /// The YAML key (marshmallow `data_key` if given, else the attribute name).
    public let name: String
    public let kind: SupersetFieldKind
    /// The Superset subclass of a marshmallow field (e.g. `CurrencyField`, which also accepts a legacy string).
    public let customClass: String?
    /// Key kind of a `.dict` (nil: any key).
    public let key: SupersetFieldKind?
    /// Element kind of a `.list`, value kind of a `.dict` (nil: any value, including null).
    public let element: SupersetFieldKind?
    /// Whether list elements or dict values may be null.
    public let elementAllowsNone: Bool
    /// Schema name of a `.nested` field, or of the elements / values of a `.list` / `.dict` of `.nested`.
    public let nested: String?
    /// The key must be present.
    public let required: Bool
    /// The value may be null (marshmallow 3: explicit `allow_none`, else true only when `load_default=None`).
    public let allowNone: Bool
    /// Accepted values (`OneOf`, `Equal`, `fields.Enum`), compared as strings.
    public let choices: [String]?
    /// `Length` bounds (characters of a string, elements of a list).
    public let minLength: Int?
    public let maxLength: Int?
    /// `Range` bounds (inclusive).
    public let minimum: Double?
    public let maximum: Double?
    /// Validators that cannot be read statically: source text, and the first line of their docstring.
    public let customValidators: [String]
    /// Accepted on load but never exported.
    public let loadOnly: Bool

    public init(
        _ name: String, _ kind: SupersetFieldKind, customClass: String? = nil, key: SupersetFieldKind? = nil,
        element: SupersetFieldKind? = nil, elementAllowsNone: Bool = false, nested: String? = nil,
        required: Bool = false, allowNone: Bool = false, choices: [String]? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, minimum: Double? = nil, maximum: Double? = nil, customValidators: [String] = [],
        loadOnly: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.customClass = customClass
        self.key = key
        self.element = element
        self.elementAllowsNone = elementAllowsNone
        self.nested = nested
        self.required = required
        self.allowNone = allowNone
        self.choices = choices
        self.minLength = minLength
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.customValidators = customValidators
        self.loadOnly = loadOnly
    }
}

/// A marshmallow schema of Superset's import.
public struct SupersetSchema: Sendable {
    public let name: String
    /// The Python module that defines it.
    public let module: String
    /// Declared fields, in marshmallow's order.
    public let fields: [SupersetField]
    /// `class Meta: unknown` is RAISE (marshmallow's default): a key that is not a field is an error.
    public let rejectsUnknownKeys: Bool
    /// Old key -> field name, renamed by a `@pre_load` hook before validation (so the old key is accepted too).
    public let acceptedAliases: [String: String]
    /// Keys whose value a `@pre_load` hook decodes from a JSON string before validation.
    public let jsonStringKeys: [String]
    /// `@pre_load` hooks: name and the first line of their docstring.
    public let preLoadHooks: [String]
    /// `@validates_schema` / `@validates` hooks, which cannot be checked statically: name and docstring line.
    public let schemaValidators: [String]

    /// The field with this YAML key.
    public func field(named name: String) -> SupersetField? { fields.first { $0.name == name } }

    /// Every key the schema accepts: field names and `@pre_load` aliases.
    public var acceptedKeys: Set<String> { Set(fields.map(\\.name)).union(acceptedAliases.keys) }
}
"""


def render(wheel, order, directories, metadata_name, facts):
    import_version, assets_type, by_command = facts
    out = []
    out.append(f"// Generated by scripts/superset-schemas.py from apache-superset {wheel.version}. Do not edit.")
    if wheel.marshmallow_requirement:
        out.append(f"// Semantics: {wheel.marshmallow_requirement} (allow_none, unknown = RAISE by default).")
    out.append("")
    cases = "\n".join(
        (f"    /// {KIND_NOTES[case]}\n" if case in KIND_NOTES else "") + f"    case {case}" for case in KIND_CASES)
    out.append(HEADER.replace("{cases}", cases).rstrip("\n"))
    out.append("")
    out.append("/// The schemas Superset's asset import validates bundle files with.")
    out.append("public enum SupersetImportSchemas {")
    out.append(f"    public static let supersetVersion = {swift_string(wheel.version)}")
    out.append("    /// metadata.yaml `version` must equal this (`IMPORT_VERSION`).")
    out.append(f"    public static let importVersion = {swift_string(str(import_version))}")
    out.append("    /// metadata.yaml `type` accepted by `POST /api/v1/assets/import/` (the key may also be absent).")
    out.append(f"    public static let assetsMetadataType = {swift_string(assets_type)}")
    out.append("    /// metadata.yaml `type` accepted by each per-resource import command (`dao.model_cls.__name__`).")
    label = "public static let metadataTypeByCommand: [String: String] = "
    out.append(f"    {label}" + swift_dictionary(sorted(by_command.items()), 4, label))
    out.append("")
    roles = {}
    for prefix, name in directories:
        role = {
            "databases/": "database", "datasets/": "dataset", "charts/": "chart",
            "dashboards/": "dashboard", "queries/": "savedQuery",
        }.get(prefix)
        if role is None:
            role = re.sub(r"[^A-Za-z0-9]", "", prefix.strip("/"))
        roles[role] = name
    for role in ("database", "dataset", "chart", "dashboard"):
        if role not in roles:
            raise ExtractionError(f"no {role} schema among {directories}")
    for role, name in roles.items():
        out.append(f"    public static let {role} = {swift_string(name)}")
    out.append(f"    public static let metadata = {swift_string(metadata_name)}")
    out.append("")
    out.append("    /// Bundle directory -> schema validating its files (files elsewhere, except metadata.yaml, are ignored).")
    label = "public static let directories: [String: String] = "
    out.append(f"    {label}" + swift_dictionary(directories, 4, label))
    out.append("")
    out.append("    public static let all: [String: SupersetSchema] = [")
    for schema in order:
        out.append(f"        {swift_string(schema.name)}: SupersetSchema(")
        out.append(f"            name: {swift_string(schema.name)},")
        out.append(f"            module: {swift_string(schema.module.name)},")
        out.append("            fields: [")
        for field in schema.fields:
            out.append(f"                {swift_field(field)},")
        out.append("            ],")
        out.append(f"            rejectsUnknownKeys: {'true' if schema.unknown == 'raise' else 'false'},")
        aliases = swift_dictionary(sorted(schema.aliases.items()), 12, "acceptedAliases: ,")
        out.append(f"            acceptedAliases: {aliases},")
        out.append(f"            jsonStringKeys: {swift_list(schema.json_string_keys, 12, 'jsonStringKeys: ,')},")
        out.append(f"            preLoadHooks: {swift_list(schema.pre_load_hooks, 12, 'preLoadHooks: ,')},")
        out.append(f"            schemaValidators: {swift_list(schema.schema_validators, 12, 'schemaValidators: ')}")
        out.append("        ),")
    out.append("    ]")
    out.append("}")
    return "\n".join(out) + "\n"


def swift_format(text):
    swift = shutil.which("swift")
    if swift is None:
        print("warning: swift not on PATH; output not formatted with swift format", file=sys.stderr)
        return text
    configuration = os.path.join(ROOT, ".swift-format")
    command = [swift, "format", "format"]
    if os.path.exists(configuration):
        command += ["--configuration", configuration]
    result = subprocess.run(command, input=text, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"swift format failed:\n{result.stderr}")
    return result.stdout


def layout_insensitive(text):
    """Swift source with whitespace outside string literals and trailing commas removed."""
    tokens = re.findall(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|\S', text)
    return [token for i, token in enumerate(tokens)
            if not (token == "," and i + 1 < len(tokens) and tokens[i + 1] in ("]", ")"))]


def download_wheel(directory):
    command = [sys.executable, "-m", "pip", "download", f"apache-superset=={SUPERSET_VERSION}", "--no-deps",
               "--only-binary", ":all:", "-d", directory]
    subprocess.run(command, check=True, stdout=sys.stderr)
    wheels = [name for name in os.listdir(directory) if name.endswith(".whl")]
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {directory}, found {wheels}")
    return os.path.join(directory, wheels[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", help=f"apache-superset {SUPERSET_VERSION} wheel (default: pip download)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="generated Swift file")
    parser.add_argument("--check", action="store_true", help="exit 1 if the output file would change")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        wheel_path = options.wheel or download_wheel(scratch)
        wheel = Wheel(wheel_path)
        if wheel.version != SUPERSET_VERSION:
            print(f"warning: wheel is apache-superset {wheel.version}, expected {SUPERSET_VERSION}", file=sys.stderr)
        try:
            order, directories, metadata_name = collect(wheel)
            facts = metadata_facts(wheel)
            text = render(wheel, order, directories, metadata_name, facts)
        except ExtractionError as error:
            sys.exit(f"error: {error}")
    formatted = shutil.which("swift") is not None
    text = swift_format(text)

    current = None
    if os.path.exists(options.out):
        with open(options.out, encoding="utf-8") as handle:
            current = handle.read()
    if options.check:
        same = current == text
        if not same and not formatted and current is not None:
            # without swift format, only layout can differ from the committed (formatted) file
            same = layout_insensitive(current) == layout_insensitive(text)
        if not same:
            print(f"{options.out} is out of date; run scripts/superset-schemas.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        with open(options.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    for schema in order:
        print(f"{schema.name}: {len(schema.fields)} fields", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
