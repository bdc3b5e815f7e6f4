#!/usr/bin/env python3
"""Derive what Superset's export adds to, drops from and changes in imported assets, from a live server.

  scripts/superset-defaults.py [--url http://127.0.0.1:8088] [--username U] [--password P]
                               [--out FILE] [--check] [--findings FILE.json] [--keep] [--replay FILE.json]

hybrid writes a normal form of each asset (keys sorted, fields equal to Superset's defaults omitted,
server-local fields omitted) that must be the same whether it comes from compiling templates or from
normalizing Superset's own export. This script measures the facts that normal form needs on a real
Superset 6.1.0 (start one with `scripts/superset-local up`):

1. It imports (POST /api/v1/assets/import/) two independent copies of minimal assets of every kind
   (database, dataset with columns and metrics, chart, dashboard with CHART nodes and a native filter),
   exports everything (GET /api/v1/assets/export/) and records, per file, the keys the export added.
   A key whose value is the same in both copies is a default; a key whose value differs (ids) is
   server-local.
2. It imports variants that set every optional field of the import schemas
   (Sources/SupersetModel/SupersetImportSchema+Generated.swift) to a non-default value and records how each
   comes back: unchanged, dropped (accepted by the import, never exported), renamed, decoded from a JSON
   string, coerced, remapped; plus focused probes (legacy viz types, dashboard metadata id remapping,
   child ordering, overwrite of a previously set field by an import that omits it).
3. It writes Sources/SupersetModel/SupersetExportFacts+Generated.swift (formatted with `swift format`),
   or with --check compares with the existing file (ignoring the date line) and exits 1 on a difference.
   --findings writes every observation (inputs, exports, classifications) as JSON; --replay derives the
   file from such a JSON file instead of a server.

Every fact is checked, not assumed: observations that differ from what this script expects (a Superset
upgrade) are listed and the script exits 1 without writing.

The assets it creates carry a random run suffix and are deleted at the end (unless --keep).
Needs `requests` and `PyYAML`: without them it re-runs itself with .superset-local/venv/bin/python.
Credentials default to HYBRID_SUPERSET_USERNAME / HYBRID_SUPERSET_PASSWORD, else admin / admin.
Works with CSRF protection on (it sends the token, the session cookie and a Referer).
"""

import argparse
import copy
import datetime
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DEFAULT_OUT = os.path.join(ROOT, "Sources", "SupersetModel", "SupersetExportFacts+Generated.swift")
SCHEMA_SWIFT = os.path.join(ROOT, "Sources", "SupersetModel", "SupersetImportSchema+Generated.swift")
SUPERSET_VERSION = "6.1.0"

try:
    import requests
    import yaml
except ImportError:  # re-run with the local Superset's venv, which has both
    venv_python = os.path.join(ROOT, ".superset-local", "venv", "bin", "python")
    if os.path.exists(venv_python) and os.path.realpath(sys.executable) != os.path.realpath(venv_python):
        os.execv(venv_python, [venv_python] + sys.argv)
    sys.exit("superset-defaults: needs the requests and PyYAML modules (run scripts/superset-local up first)")


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------------


class Superset:
    def __init__(self, url, username, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        # Without it, errors come back as an HTML page.
        self.session.headers["Accept"] = "application/json"
        response = self.session.post(
            self.url + "/api/v1/security/login",
            json={"username": username, "password": password, "provider": "db", "refresh": True},
            timeout=60,
        )
        if response.status_code != 200:
            sys.exit(f"superset-defaults: login failed: {response.status_code} {response.text[:300]}")
        self.session.headers["Authorization"] = "Bearer " + response.json()["access_token"]
        # The CSRF token is tied to the session cookie set by this call: keep both.
        response = self.session.get(self.url + "/api/v1/security/csrf_token/", timeout=60)
        if response.status_code == 200:
            self.session.headers["X-CSRFToken"] = response.json()["result"]
        self.session.headers["Referer"] = self.url + "/"

    def import_bundle(self, files, passwords=None):
        """files: bundle path (without the top folder) -> mapping (dumped as YAML) or raw text."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as bundle:
            bundle.writestr("probe/metadata.yaml", "version: 1.0.0\ntype: assets\n")
            for path, content in files.items():
                text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
                bundle.writestr("probe/" + path, text)
        data = {"overwrite": "true"}
        if passwords:
            data["passwords"] = json.dumps(passwords)
        response = self.session.post(
            self.url + "/api/v1/assets/import/",
            files={"bundle": ("bundle.zip", buffer.getvalue(), "application/zip")},
            data=data,
            timeout=300,
        )
        try:
            body = response.json()
        except ValueError:
            body = response.text[:2000]
        return response.status_code, body

    def export(self, path="/api/v1/assets/export/"):
        """Returns (top folder, {path without top folder: (text, parsed YAML)})."""
        response = self.session.get(self.url + path, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:500]}")
        files = {}
        tops = set()
        with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
            for name in bundle.namelist():
                top, _, rest = name.partition("/")
                tops.add(top)
                text = bundle.read(name).decode()
                files[rest] = (text, yaml.safe_load(text))
        return sorted(tops), files

    def get(self, path):
        response = self.session.get(self.url + path, timeout=60)
        return response.status_code, response.json() if response.content else None

    def delete(self, path):
        response = self.session.delete(self.url + path, timeout=120)
        return response.status_code


# ---------------------------------------------------------------------------------------------------
# The import schemas (field names per schema), read from the generated Swift table
# ---------------------------------------------------------------------------------------------------


def schema_fields():
    text = open(SCHEMA_SWIFT).read()
    schemas = {}
    for match in re.finditer(r'"(\w+)": SupersetSchema\(\s*name: "\w+",.*?fields: \[(.*?)\n\s*\],', text, re.S):
        fields = {}
        for field in re.finditer(r'SupersetField\(\s*"(\w+)", \.(\w+)(.*?)\)(?:,|\n)', match.group(2), re.S):
            fields[field.group(1)] = {"kind": field.group(2), "required": "required: true" in field.group(3)}
        schemas[match.group(1)] = fields
    return schemas


# ---------------------------------------------------------------------------------------------------
# Probe assets
# ---------------------------------------------------------------------------------------------------

# Placeholder chart ids written into dashboards (the import replaces them with the real ids). Far from
# the ids a fresh server hands out, so a placeholder and a real id never coincide.
PLACEHOLDER_A, PLACEHOLDER_B, PLACEHOLDER_STALE = 90901, 90902, 90999


class Run:
    """Names and uuids of one run (a random suffix keeps runs, copies and probes apart)."""

    def __init__(self, sqlalchemy_uri):
        self.suffix = secrets.token_hex(3)
        self.uri = sqlalchemy_uri
        self.uuids = set()
        self.database_names = set()

    def uid(self):
        value = str(uuid.uuid4())
        self.uuids.add(value)
        return value

    def name(self, label):
        return f"hybrid_probe_{self.suffix}_{label}"


def position_of(chart_uuids):
    """The smallest position that places the charts (CHART nodes with meta.uuid and a placeholder chartId)."""
    ids = [f"CHART-{i}" for i in range(len(chart_uuids))]
    position = {
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ids},
    }
    for i, (node_id, chart_uuid) in enumerate(zip(ids, chart_uuids)):
        position[node_id] = {
            "type": "CHART",
            "id": node_id,
            "meta": {"uuid": chart_uuid, "chartId": PLACEHOLDER_A + i},
        }
    return position


def minimal_set(run, label):
    """Only the required fields (plus what the import needs in practice: database `extra`, chart `params`,
    dashboard `position`), a native filter with the required-in-practice keys."""
    db_uuid, ds_uuid, ch_uuid, ch2_uuid, da_uuid = (run.uid() for _ in range(5))
    db_name = run.name(f"{label}_db")
    run.database_names.add(db_name)
    table = run.name(f"{label}_table")
    database = {"database_name": db_name, "sqlalchemy_uri": run.uri, "uuid": db_uuid, "version": "1.0.0", "extra": {}}
    dataset = {
        "table_name": table,
        "uuid": ds_uuid,
        "version": "1.0.0",
        "database_uuid": db_uuid,
        "columns": [
            {"column_name": "order_date"},
            {"column_name": "customer_id"},
            {"column_name": "brand"},
            {"column_name": "revenue"},
        ],
        "metrics": [{"metric_name": "Total Revenue", "expression": "SUM(revenue)"}],
    }
    chart = {
        "slice_name": run.name(f"{label}_chart"),
        "viz_type": "echarts_timeseries_line",
        "uuid": ch_uuid,
        "version": "1.0.0",
        "dataset_uuid": ds_uuid,
        "params": {},
    }
    chart2 = dict(chart, slice_name=run.name(f"{label}_chart2"), viz_type="table", uuid=ch2_uuid)
    dashboard = {
        "dashboard_title": run.name(f"{label}_dashboard"),
        "uuid": da_uuid,
        "version": "1.0.0",
        "position": position_of([ch_uuid, ch2_uuid]),
        "metadata": {
            "native_filter_configuration": [
                {
                    "id": "NATIVE_FILTER-probe",
                    "name": "Brand",
                    "filterType": "filter_select",
                    "targets": [{"datasetUuid": ds_uuid, "column": {"name": "brand"}}],
                }
            ]
        },
    }
    return {
        "database": (f"databases/{db_name}.yaml", database),
        "dataset": (f"datasets/{db_name}/{table}.yaml", dataset),
        "chart": (f"charts/{label}_chart.yaml", chart),
        "chart2": (f"charts/{label}_chart2.yaml", chart2),
        "dashboard": (f"dashboards/{label}_dashboard.yaml", dashboard),
    }


def full_set(run, label):
    """Every optional field of the import schemas set to a value different from the default."""
    db_uuid, ds_uuid, ch_uuid, ch2_uuid, da_uuid, folder_uuid = (run.uid() for _ in range(6))
    db_name = run.name(f"{label}_db")
    run.database_names.add(db_name)
    table = run.name(f"{label}_table")
    a, b, stale = PLACEHOLDER_A, PLACEHOLDER_B, PLACEHOLDER_STALE
    database = {
        "database_name": db_name,
        "sqlalchemy_uri": run.uri,
        "uuid": db_uuid,
        "version": "1.0.0",
        "password": "probe-password",
        "encrypted_extra": '{"probe": "secret", "nested": {"token": "t"}}',
        "cache_timeout": 321,
        "expose_in_sqllab": False,
        "allow_run_async": True,
        "allow_ctas": True,
        "allow_cvas": True,
        "allow_dml": True,
        "allow_csv_upload": False,
        "impersonate_user": True,
        "extra": {
            "metadata_params": {"probe": 1},
            "engine_params": {"connect_args": {"check_same_thread": False}},
            "metadata_cache_timeout": {"schema_cache_timeout": 61, "table_cache_timeout": 62},
            "schemas_allowed_for_csv_upload": ["main"],
            "cost_estimate_enabled": True,
            "allows_virtual_table_explore": False,
            "cancel_query_on_windows_unload": True,
            "disable_data_preview": True,
            "disable_drill_to_detail": True,
            "allow_multi_catalog": True,
            "per_user_caching": True,
            "version": "3.45.0",
            "schema_options": {"probe": "x"},
        },
        "is_managed_externally": True,
        "external_url": "https://example.com/database",
        "configuration_method": "dynamic_form",
    }
    dataset = {
        "table_name": table,
        "main_dttm_col": "order_date",
        "currency_code_column": "region",
        "description": "probe description",
        "default_endpoint": "https://example.com/endpoint",
        "offset": 7,
        "cache_timeout": 654,
        "schema": "main",
        "catalog": "probe_catalog",
        "sql": "SELECT * FROM fact_sales",
        "source_db_engine": "postgresql",
        "params": {"probe": 1},
        "template_params": {"tenant": "c1"},
        "filter_select_enabled": False,
        "fetch_values_predicate": "1 = 1",
        "extra": {"warning_markdown": "probe", "certification": {"certified_by": "x", "details": "y"}},
        "uuid": ds_uuid,
        "columns": [
            {
                "column_name": "probe_col",
                "extra": {"warning_markdown": "w"},
                "verbose_name": "Probe Col",
                "is_dttm": True,
                "is_active": False,
                "type": "VARCHAR(10)",
                "advanced_data_type": "probe_adt",
                "groupby": False,
                "filterable": False,
                "expression": "UPPER(brand)",
                "description": "column description",
                "python_date_format": "%Y-%m-%d",
                "datetime_format": "%Y",
            },
            {"column_name": "order_date", "is_dttm": True},
            {"column_name": "region"},
            {"column_name": "brand"},
        ],
        "metrics": [
            {
                "metric_name": "probe_metric",
                "verbose_name": "Probe Metric",
                "metric_type": "sum",
                "expression": "SUM(revenue)",
                "description": "metric description",
                "d3format": ",.2f",
                "currency": {"symbol": "USD", "symbolPosition": "prefix"},
                "extra": {"warning_markdown": "w"},
                "warning_text": "careful",
            },
            {"metric_name": "count", "expression": "COUNT(*)"},
        ],
        "version": "1.0.0",
        "database_uuid": db_uuid,
        "is_managed_externally": True,
        "external_url": "https://example.com/dataset",
        "normalize_columns": True,
        "always_filter_main_dttm": True,
        "folders": [
            {
                "uuid": folder_uuid,
                "type": "folder",
                "name": "Probe folder",
                "description": "folder description",
                "children": [],
            }
        ],
        "data_file": "probe.parquet",
    }
    query_context = {
        "datasource": {"id": stale, "type": "table"},
        "force": False,
        "queries": [{"datasource": {"id": stale, "type": "table"}, "metrics": ["Total Revenue"]}],
        "form_data": {"datasource": f"{stale}__table", "viz_type": "echarts_timeseries_line", "slice_id": stale},
        "result_format": "json",
        "result_type": "full",
    }
    chart = {
        "slice_name": run.name(f"{label}_chart"),
        "description": "chart description",
        "certified_by": "probe certifier",
        "certification_details": "probe details",
        "viz_type": "echarts_timeseries_line",
        "params": {
            "datasource": f"{stale}__table",
            "viz_type": "echarts_timeseries_line",
            "slice_id": stale,
            "x_axis": "order_date",
            "metrics": ["Total Revenue"],
            "annotation_layers": [
                {"name": "formula", "annotationType": "FORMULA", "value": "x*2", "show": True},
                {"name": "event", "annotationType": "EVENT", "value": 5, "show": True},
                {"name": "interval", "annotationType": "INTERVAL", "value": 6, "show": True},
                {"name": "timeseries", "annotationType": "TIME_SERIES", "value": 7, "show": True},
            ],
        },
        "query_context": json.dumps(query_context),
        "cache_timeout": 777,
        "uuid": ch_uuid,
        "version": "1.0.0",
        "dataset_uuid": ds_uuid,
        "is_managed_externally": True,
        "external_url": "https://example.com/chart",
        "tags": ["probe"],
    }
    chart2 = {
        "slice_name": run.name(f"{label}_chart2"),
        "viz_type": "table",
        "uuid": ch2_uuid,
        "version": "1.0.0",
        "dataset_uuid": ds_uuid,
        "params": {},
    }
    dashboard = {
        "dashboard_title": run.name(f"{label}_dashboard"),
        "description": "dashboard description",
        "css": ".probe { color: red; }",
        "slug": run.name(f"{label}_slug").replace("_", "-"),
        "uuid": da_uuid,
        "position": {
            "DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
            "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"], "parents": ["ROOT_ID"]},
            "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": "Probe"}},
            "ROW-1": {
                "type": "ROW",
                "id": "ROW-1",
                "children": ["CHART-a", "CHART-b"],
                "parents": ["ROOT_ID", "GRID_ID"],
                "meta": {"background": "BACKGROUND_TRANSPARENT"},
            },
            "CHART-a": {
                "type": "CHART",
                "id": "CHART-a",
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", "ROW-1"],
                "meta": {"uuid": ch_uuid, "chartId": a, "width": 6, "height": 50, "sliceName": "A"},
            },
            "CHART-b": {
                "type": "CHART",
                "id": "CHART-b",
                "children": [],
                "meta": {"uuid": ch2_uuid, "chartId": b, "width": 6, "height": 50},
            },
        },
        "metadata": {
            "color_scheme": "supersetColors",
            "refresh_frequency": 60,
            "timed_refresh_immune_slices": [a],
            "expanded_slices": {str(a): True},
            "label_colors": {"c1": "#ff0000"},
            "shared_label_colors": ["c1"],
            "color_scheme_domain": ["#ff0000"],
            "cross_filters_enabled": False,
            "chart_configuration": {
                str(a): {
                    "id": a,
                    "crossFilters": {"scope": {"rootPath": ["ROOT_ID"], "excluded": [a, b]}, "chartsInScope": [b]},
                }
            },
            "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": [b]}, "chartsInScope": [a]},
            "default_filters": json.dumps({str(a): {"brand": ["Acme"]}}),
            "filter_scopes": {str(a): {"brand": {"scope": ["ROOT_ID"], "immune": [b]}}},
            "show_native_filters": True,
            "positions": {"probe": 1},
            "probe_unknown_key": {"kept": True},
            "native_filter_configuration": [
                {
                    "id": "NATIVE_FILTER-full",
                    "name": "Brand",
                    "filterType": "filter_select",
                    "type": "NATIVE_FILTER",
                    "description": "filter description",
                    "targets": [{"datasetUuid": ds_uuid, "column": {"name": "brand"}}],
                    "controlValues": {"multiSelect": True, "enableEmptyFilter": False},
                    "defaultDataMask": {"filterState": {"value": None}, "extraFormData": {}},
                    "cascadeParentIds": [],
                    "scope": {"rootPath": ["ROOT_ID"], "excluded": [b]},
                    "chartsInScope": [a],
                    "tabsInScope": [],
                },
                {
                    "id": "NATIVE_FILTER-time",
                    "name": "Time",
                    "filterType": "filter_time",
                    "targets": [{}],
                    "scope": {"rootPath": ["ROOT_ID"], "excluded": []},
                },
            ],
        },
        "version": "1.0.0",
        "is_managed_externally": True,
        "external_url": "https://example.com/dashboard",
        "certified_by": "probe certifier",
        "certification_details": "probe details",
        "published": True,
        "tags": ["probe"],
        "theme_uuid": str(uuid.uuid4()),
    }
    return {
        "database": (f"databases/{db_name}.yaml", database),
        "dataset": (f"datasets/{db_name}/{table}.yaml", dataset),
        "chart": (f"charts/{label}_chart.yaml", chart),
        "chart2": (f"charts/{label}_chart2.yaml", chart2),
        "dashboard": (f"dashboards/{label}_dashboard.yaml", dashboard),
    }


# Optional schema fields not set in full_set, and why (checked against the generated schema table).
NOT_IN_FULL_SET = {
    "ImportV1DatabaseSchema": {
        "masked_encrypted_extra": "a probe of its own (it replaces encrypted_extra)",
        "ssh_tunnel": "a probe of its own (needs the SSH_TUNNELING feature flag)",
    },
    "ImportV1DatasetSchema": {"data": "a probe of its own (a URL the import downloads when the table is missing)"},
    "ImportV1DashboardSchema": {"theme_id": "a probe of its own (a server-local theme id)"},
}
SCHEMA_OF_PART = {
    "database": "ImportV1DatabaseSchema",
    "database.extra": "ImportV1DatabaseExtraSchema",
    "dataset": "ImportV1DatasetSchema",
    "dataset.column": "ImportV1ColumnSchema",
    "dataset.metric": "ImportV1MetricSchema",
    "chart": "ImportV1ChartSchema",
    "dashboard": "ImportV1DashboardSchema",
}


def bundle_of(assets, only=None):
    return {path: copy.deepcopy(content) for kind, (path, content) in assets.items() if only is None or kind in only}


# ---------------------------------------------------------------------------------------------------
# Comparing files
# ---------------------------------------------------------------------------------------------------


def index_export(files):
    """uuid -> (path, parsed, text) for every asset file of an export."""
    return {
        str(parsed["uuid"]): (path, parsed, text)
        for path, (text, parsed) in files.items()
        if isinstance(parsed, dict) and "uuid" in parsed
    }


def keyed(content):
    """Lists of named children become mappings (columns, metrics by name; native filters by id) so that
    comparisons do not depend on their order."""
    content = copy.deepcopy(content)
    for key, name in (("columns", "column_name"), ("metrics", "metric_name")):
        if isinstance(content.get(key), list):
            content[key] = {item[name]: item for item in content[key]}
    metadata = content.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("native_filter_configuration"), list):
        metadata["native_filter_configuration"] = {f["id"]: f for f in metadata["native_filter_configuration"]}
    return content


def diff(before, after, path=""):
    """(path, what, before, after) for every difference; what is added / removed / changed."""
    out = []
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append((sub, "removed", before[key], None))
            else:
                out.extend(diff(before[key], after[key], sub))
        for key in after:
            if key not in before:
                out.append((f"{path}.{key}" if path else str(key), "added", None, after[key]))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after)):
            out.extend(diff(b, a, f"{path}[{i}]"))
    elif before != after or type(before) is not type(after):
        out.append((path, "changed", before, after))
    return out


def diff_entries(before, after):
    return [{"path": p, "what": w, "before": b, "after": a} for p, w, b, a in diff(keyed(before), keyed(after))]


def part_and_key(kind, path, position=None):
    """`columns.brand.is_dttm` of a dataset -> ("dataset.column", "is_dttm"), and so on."""
    segments = path.split(".")
    if kind == "database" and segments[0] == "extra" and len(segments) > 1:
        return "database.extra", ".".join(segments[1:])
    if kind == "dataset" and segments[0] in ("columns", "metrics") and len(segments) > 2:
        return "dataset." + segments[0][:-1], ".".join(segments[2:])
    if kind == "chart" and segments[0] == "params" and len(segments) > 1:
        return "chart.params", ".".join(segments[1:])
    if kind == "dashboard" and segments[0] == "metadata" and len(segments) > 1:
        if segments[1] == "native_filter_configuration" and len(segments) > 3:
            return "dashboard.nativeFilter", ".".join(segments[3:])
        return "dashboard.metadata", ".".join(segments[1:])
    if kind == "dashboard" and segments[0] == "position" and len(segments) > 2:
        node = (position or {}).get(segments[1])
        node_type = node.get("type", "?") if isinstance(node, dict) else "?"
        return f"dashboard.position.{node_type}", ".".join(segments[2:])
    return kind, path


# ---------------------------------------------------------------------------------------------------
# The experiments
# ---------------------------------------------------------------------------------------------------


class Oracle:
    def __init__(self, client, uri):
        self.client = client
        self.run = Run(uri)
        self.findings = {"imports": [], "experiments": {}}
        self.problems = []

    def check(self, condition, message):
        if not condition:
            self.problems.append(message)
            log("  UNEXPECTED: " + message)
        return condition

    def do_import(self, label, files, passwords=None, expect_ok=True):
        status, body = self.client.import_bundle(files, passwords)
        self.findings["imports"].append({"label": label, "status": status, "body": body})
        brief = (
            "" if status == 200 else " " + (json.dumps(body) if not isinstance(body, str) else "HTML error page")[:400]
        )
        log(f"  import {label}: {status}{brief}")
        if expect_ok and status != 200:
            raise RuntimeError(f"import {label} failed: {status} {body}")
        return status, body

    def export(self):
        tops, files = self.client.export()
        return tops, files, index_export(files)

    def probe(self, label, files, uuid_of_interest=None):
        """Import; on success return the export text and parsed value of the asset of interest."""
        status, body = self.do_import(label, files, expect_ok=False)
        result = {"status": status, "body": body if not isinstance(body, str) else "HTML error page (500)"}
        if status == 200 and uuid_of_interest:
            _, _, index = self.export()
            path, parsed, text = index[uuid_of_interest]
            result.update({"export_path": path, "export": text, "parsed": parsed})
        return result

    # -- 1. minimal assets, two copies ------------------------------------------------------------

    def minimal(self):
        log("1. minimal assets, two copies")
        a, b = minimal_set(self.run, "minA"), minimal_set(self.run, "minB")
        self.do_import("minimal A", bundle_of(a))
        self.do_import("minimal B", bundle_of(b))
        tops, files, index = self.export()
        result = {"top_folders": tops, "export_paths": sorted(files), "files": {}, "entries": []}
        for kind in ("database", "dataset", "chart", "chart2", "dashboard"):
            in_a, in_b = a[kind][1], b[kind][1]
            path_a, out_a, text_a = index[in_a["uuid"]]
            path_b, out_b, _ = index[in_b["uuid"]]
            result["files"][kind] = {"input": in_a, "export_path": path_a, "export_path_b": path_b, "export": text_a}
            diffs_b = {(e["path"], e["what"]): e for e in diff_entries(in_b, out_b)}
            for entry in diff_entries(in_a, out_a):
                other = diffs_b.get((entry["path"], entry["what"]))
                part, key = part_and_key("chart" if kind == "chart2" else kind, entry["path"], in_a.get("position"))
                entry.update(
                    {
                        "kind": kind,
                        "part": part,
                        "key": key,
                        "after_b": other["after"] if other else "<no such difference>",
                    }
                )
                result["entries"].append(entry)
        self.findings["experiments"]["minimal"] = result

    # -- 2. every optional field ------------------------------------------------------------------

    def full(self, schemas):
        log("2. every optional field set")
        f = full_set(self.run, "full")
        # every optional field of the schemas is set (or deliberately probed elsewhere)
        for part, schema in SCHEMA_OF_PART.items():
            content = f[part.split(".")[0]][1]
            if part == "database.extra":
                samples = [content["extra"]]
            elif part.startswith("dataset."):
                samples = content["columns" if part.endswith("column") else "metrics"][:1]
            else:
                samples = [content]
            for field, spec in schemas[schema].items():
                if spec["required"] or field in NOT_IN_FULL_SET.get(schema, {}):
                    continue
                self.check(any(field in s for s in samples), f"full_set does not set {schema}.{field}")
        self.do_import("full", bundle_of(f))
        tops, files, index = self.export()
        result = {"files": {}, "entries": []}
        for kind in ("database", "dataset", "chart", "dashboard"):
            inp = f[kind][1]
            path, out, text = index[inp["uuid"]]
            result["files"][kind] = {"input": inp, "export_path": path, "export": text, "parsed": out}
            for entry in diff_entries(inp, out):
                part, key = part_and_key(kind, entry["path"], inp.get("position"))
                entry.update({"kind": kind, "part": part, "key": key})
                result["entries"].append(entry)
        # the real ids of the two charts
        position = result["files"]["dashboard"]["parsed"]["position"]
        result["chart_ids"] = {
            "a": position["CHART-a"]["meta"]["chartId"],
            "b": position["CHART-b"]["meta"]["chartId"],
        }
        _, chart_out, _ = index[f["chart"][1]["uuid"]]
        result["dataset_id"] = int(chart_out["params"]["datasource"].split("__")[0])
        self.findings["experiments"]["full"] = result
        self.full_assets = f

    # -- 3. overwrite with files that omit what was set -------------------------------------------

    def sticky(self):
        log("3. the full assets re-imported with only the required fields (same uuids)")
        f = self.full_assets
        again = {}
        for kind, (path, content) in f.items():
            if kind == "database":
                body = {k: content[k] for k in ("database_name", "sqlalchemy_uri", "uuid", "version")}
                body["extra"] = {}
            elif kind == "dataset":
                body = {k: content[k] for k in ("table_name", "uuid", "version", "database_uuid")}
                body["columns"] = [{"column_name": "probe_col"}, {"column_name": "new_col"}]
                body["metrics"] = [{"metric_name": "probe_metric", "expression": "SUM(revenue)"}]
            elif kind in ("chart", "chart2"):
                body = {k: content[k] for k in ("slice_name", "viz_type", "uuid", "version", "dataset_uuid")}
                body["params"] = {}
            else:
                body = {k: content[k] for k in ("dashboard_title", "uuid", "version")}
                body["position"] = position_of([f["chart"][1]["uuid"]])
            again[path] = body
        self.do_import("full, then only required fields", again)
        _, _, index = self.export()
        before_files = self.findings["experiments"]["full"]["files"]
        result = {"sent": again, "files": {}, "entries": []}
        for kind in ("database", "dataset", "chart", "dashboard"):
            inp = f[kind][1]
            _, out, text = index[inp["uuid"]]
            result["files"][kind] = {"export": text, "parsed": out}
            for entry in diff_entries(before_files[kind]["parsed"], out):
                part, key = part_and_key(kind, entry["path"], inp.get("position"))
                entry.update({"kind": kind, "part": part, "key": key})
                result["entries"].append(entry)
        # metadata: {} instead of no metadata
        dashboard_path, dashboard = f["dashboard"]
        body = dict(again[dashboard_path], metadata={})
        result["dashboard_with_empty_metadata"] = self.probe(
            "full dashboard, then metadata: {}",
            bundle_of(f, only={"database", "dataset", "chart"}) | {dashboard_path: body},
            dashboard["uuid"],
        )
        self.findings["experiments"]["sticky"] = result

    # -- 4. focused probes -------------------------------------------------------------------------

    def probes(self):
        log("4. focused probes")
        run, results = self.run, {}

        def fresh(label, only=None):
            assets = minimal_set(run, label)
            return assets, bundle_of(assets, only)

        # what the import needs in practice
        m, files = fresh("noextra", {"database"})
        del files[m["database"][0]]["extra"]
        results["database_without_extra"] = self.probe("database without extra", files, m["database"][1]["uuid"])

        m, files = fresh("noparams", {"database", "dataset", "chart"})
        del files[m["chart"][0]]["params"]
        results["chart_without_params"] = self.probe("chart without params", files, m["chart"][1]["uuid"])

        m, files = fresh("noposition")
        del files[m["dashboard"][0]]["position"]
        results["dashboard_without_position"] = self.probe(
            "dashboard without position", files, m["dashboard"][1]["uuid"]
        )

        m, files = fresh("nometadata")
        del files[m["dashboard"][0]]["metadata"]
        results["dashboard_without_metadata"] = self.probe(
            "dashboard without metadata", files, m["dashboard"][1]["uuid"]
        )

        m, files = fresh("nocharts", {"database", "dataset", "dashboard"})
        files[m["dashboard"][0]]["position"] = position_of([])
        del files[m["dashboard"][0]]["metadata"]
        results["dashboard_without_charts"] = self.probe("dashboard without charts", files, m["dashboard"][1]["uuid"])

        m, files = fresh("nocolumns", {"database", "dataset"})
        del files[m["dataset"][0]]["columns"], files[m["dataset"][0]]["metrics"]
        results["dataset_without_columns"] = self.probe(
            "dataset without columns and metrics", files, m["dataset"][1]["uuid"]
        )

        m, files = fresh("filterdataset", {"database", "dataset", "chart", "dashboard"})
        other = minimal_set(run, "filterdataset_other")
        files[m["dashboard"][0]]["metadata"]["native_filter_configuration"][0]["targets"][0]["datasetUuid"] = other[
            "dataset"
        ][1]["uuid"]
        results["native_filter_dataset_not_in_bundle"] = self.probe("native filter target dataset not in bundle", files)

        m, files = fresh("chartnotinbundle", {"database", "dataset", "chart", "dashboard"})
        results["dashboard_chart_not_in_bundle"] = self.probe(
            "dashboard CHART node whose chart is not in the bundle", files, m["dashboard"][1]["uuid"]
        )

        # values of other types than the export writes: one import each
        def value_probe(label, kind, mutate, only=None):
            assets, files = fresh(f"v{len(results)}", only)
            mutate(files[assets[kind][0]])
            sent = copy.deepcopy(files[assets[kind][0]])
            result = self.probe(label, files, assets[kind][1]["uuid"])
            result["sent"] = sent
            if "parsed" in result:
                result["entries"] = diff_entries(sent, result["parsed"])
            results[label] = result

        def set_keys(**values):
            return lambda content: content.update(values)

        def column(i, **values):
            return lambda content: content["columns"][i].update(values)

        def metric(i, **values):
            return lambda content: content["metrics"][i].update(values)

        def extra(**values):
            return lambda content: content["extra"].update(values)

        db_only, ds_only = {"database"}, {"database", "dataset"}
        chart_only = {"database", "dataset", "chart"}
        value_probe("database cache_timeout '42' (string)", "database", set_keys(cache_timeout="42"), db_only)
        value_probe("database allow_dml 'yes' (string)", "database", set_keys(allow_dml="yes"), db_only)
        value_probe("database allow_dml 1 (integer)", "database", set_keys(allow_dml=1), db_only)
        value_probe(
            "database allow_file_upload false (old key)", "database", set_keys(allow_file_upload=False), db_only
        )
        value_probe(
            "database extra.schemas_allowed_for_file_upload (old key, JSON string)",
            "database",
            extra(schemas_allowed_for_file_upload='["main"]'),
            db_only,
        )
        value_probe(
            "database extra.schemas_allowed_for_csv_upload '[\"main\"]' (JSON string)",
            "database",
            extra(schemas_allowed_for_csv_upload='["main"]'),
            db_only,
        )
        value_probe("database configuration_method null", "database", set_keys(configuration_method=None), db_only)
        value_probe("database unknown key", "database", set_keys(probe_unknown=1), db_only)
        value_probe("database extra unknown key", "database", extra(probe_unknown=1), db_only)
        value_probe("dataset offset 3.9 (float)", "dataset", set_keys(offset=3.9), ds_only)
        value_probe(
            "dataset filter_select_enabled 'off' (string)", "dataset", set_keys(filter_select_enabled="off"), ds_only
        )
        value_probe(
            "dataset extra as a JSON string",
            "dataset",
            set_keys(extra='{"warning_markdown": "from a JSON string"}'),
            ds_only,
        )
        value_probe("dataset template_params '' (empty string)", "dataset", set_keys(template_params=""), ds_only)
        value_probe(
            "dataset params, template_params, extra {} (empty)",
            "dataset",
            set_keys(params={}, template_params={}, extra={}),
            ds_only,
        )
        value_probe("dataset params null", "dataset", set_keys(params=None, extra=None, cache_timeout=None), ds_only)
        value_probe("dataset schema '' (empty string)", "dataset", set_keys(schema=""), ds_only)
        value_probe("column is_dttm 'true' (string)", "dataset", column(0, is_dttm="true"), ds_only)
        value_probe("column is_dttm null", "dataset", column(0, is_dttm=None, is_active=None), ds_only)
        value_probe("column extra as a JSON string", "dataset", column(0, extra='{"warning_markdown": "c"}'), ds_only)
        value_probe("column extra {} (empty)", "dataset", column(0, extra={}), ds_only)
        value_probe("metric extra as a JSON string", "dataset", metric(0, extra='{"warning_markdown": "m"}'), ds_only)
        value_probe(
            "metric currency as a JSON string",
            "dataset",
            metric(0, currency='{"symbol": "EUR", "symbolPosition": "suffix"}'),
            ds_only,
        )
        value_probe("metric currency {} (empty)", "dataset", metric(0, currency={}), ds_only)
        value_probe("metric currency symbol only", "dataset", metric(0, currency={"symbol": "EUR"}), ds_only)
        value_probe("chart cache_timeout '600' (string)", "chart", set_keys(cache_timeout="600"), chart_only)
        value_probe("chart params as a JSON string", "chart", set_keys(params='{"x_axis": "order_date"}'), chart_only)
        value_probe("chart query_context null", "chart", set_keys(query_context=None), chart_only)
        value_probe("chart query_context not JSON", "chart", set_keys(query_context="not json"), chart_only)
        value_probe(
            "chart query_context without datasource",
            "chart",
            set_keys(query_context='{"queries": [], "form_data": {"viz_type": "table"}}'),
            chart_only,
        )
        value_probe(
            "chart annotation_layers absent vs []",
            "chart",
            lambda c: c["params"].update(annotation_layers=[]),
            chart_only,
        )
        value_probe("dashboard published 'true' (string)", "dashboard", set_keys(published="true"))
        value_probe(
            "dashboard slug, css, description null", "dashboard", set_keys(slug=None, css=None, description=None)
        )
        value_probe("dashboard css '' (empty string)", "dashboard", set_keys(css="", description="", slug=""))
        value_probe(
            "dashboard position with parents and sizes",
            "dashboard",
            lambda c: c["position"].update(
                {"DASHBOARD_VERSION_KEY": "v2", "GRID_ID": dict(c["position"]["GRID_ID"], parents=["ROOT_ID"])}
            ),
        )
        value_probe("dashboard theme_id null", "dashboard", set_keys(theme_id=None))
        value_probe("dashboard theme_uuid null", "dashboard", set_keys(theme_uuid=None))
        value_probe("dashboard tags []", "dashboard", set_keys(tags=[]))
        value_probe(
            "dashboard metadata native_filter_configuration []",
            "dashboard",
            lambda c: c["metadata"].update(native_filter_configuration=[]),
        )

        # chart-id references to charts that are not on the dashboard
        unknown = PLACEHOLDER_STALE
        value_probe(
            "metadata timed_refresh_immune_slices with an unknown chart id",
            "dashboard",
            lambda c: c["metadata"].update(timed_refresh_immune_slices=[unknown]),
        )
        value_probe(
            "metadata expanded_slices with an unknown chart id",
            "dashboard",
            lambda c: c["metadata"].update(expanded_slices={str(unknown): True}),
        )
        value_probe(
            "metadata chart_configuration with an unknown chart id",
            "dashboard",
            lambda c: c["metadata"].update(chart_configuration={str(unknown): {"id": unknown}}),
        )
        value_probe(
            "native filter scope.excluded with an unknown chart id",
            "dashboard",
            lambda c: c["metadata"]["native_filter_configuration"][0].update(
                scope={"rootPath": ["ROOT_ID"], "excluded": [unknown, PLACEHOLDER_A]}
            ),
        )

        # fields that need a probe of their own
        value_probe(
            "database masked_encrypted_extra", "database", set_keys(masked_encrypted_extra='{"probe": "m"}'), db_only
        )
        value_probe(
            "database ssh_tunnel",
            "database",
            set_keys(ssh_tunnel={"server_address": "127.0.0.1", "server_port": 22, "username": "u", "password": "p"}),
            db_only,
        )
        value_probe(
            "dataset data (the table exists)", "dataset", set_keys(data="https://example.com/probe.csv"), ds_only
        )
        value_probe("database password (sqlite)", "database", set_keys(password="secret"), db_only)

        # legacy viz types: each migrated on import
        legacy = {}
        for source in LEGACY_VIZ_TYPES:
            assets, files = fresh(f"legacy_{source}", chart_only)
            files[assets["chart"][0]].update({"viz_type": source, "params": {"metrics": ["Total Revenue"]}})
            result = self.probe(f"legacy viz type {source}", files, assets["chart"][1]["uuid"])
            legacy[source] = {
                "status": result["status"],
                "viz_type": result.get("parsed", {}).get("viz_type"),
                "params": result.get("parsed", {}).get("params"),
            }
        results["legacy_viz_types"] = legacy

        # ordering of columns, metrics, position keys; dataset cache_timeout inherited from its database
        m, files = fresh("order")
        files[m["database"][0]]["cache_timeout"] = 1234
        dataset = files[m["dataset"][0]]
        dataset["columns"] = [
            {"column_name": "zeta", "type": "TEXT"},
            {"column_name": "alpha", "is_dttm": True},
            {"column_name": "Mid"},
            {"column_name": "beta_2", "expression": "1"},
            {"column_name": "order_date", "verbose_name": "When"},
            {"column_name": "aaa", "description": "zzz"},
        ]
        dataset["metrics"] = [
            {"metric_name": "z_metric", "expression": "COUNT(*)"},
            {"metric_name": "a_metric", "expression": "SUM(units)", "verbose_name": "zz"},
            {"metric_name": "M_metric", "expression": "MAX(units)"},
        ]
        dash = files[m["dashboard"][0]]
        position = dash["position"]
        dash["position"] = {
            "GRID_ID": dict(position["GRID_ID"], children=["CHART-1", "CHART-0"]),
            "CHART-1": position["CHART-1"],
            "ROOT_ID": position["ROOT_ID"],
            "CHART-0": position["CHART-0"],
        }
        self.do_import("ordering", files)
        _, _, index = self.export()
        _, ds_out, ds_text = index[m["dataset"][1]["uuid"]]
        _, da_out, _ = index[m["dashboard"][1]["uuid"]]
        results["ordering"] = {
            "sent_columns": [c["column_name"] for c in dataset["columns"]],
            "export_columns": [c["column_name"] for c in ds_out["columns"]],
            "sent_metrics": [c["metric_name"] for c in dataset["metrics"]],
            "export_metrics": [c["metric_name"] for c in ds_out["metrics"]],
            "sent_position_keys": list(dash["position"]),
            "export_position_keys": list(da_out["position"]),
            "export_grid_children": da_out["position"]["GRID_ID"]["children"],
            "dataset_cache_timeout_when_database_has_1234": ds_out.get("cache_timeout"),
            "dataset_export": ds_text,
        }
        # a second import of the same file: does the order change?
        self.do_import("ordering, again", files)
        _, _, index = self.export()
        results["ordering"]["export_columns_after_reimport"] = [
            c["column_name"] for c in index[m["dataset"][1]["uuid"]][1]["columns"]
        ]

        # the per-type export endpoint (a dashboard with its related files)
        dash_path = index[m["dashboard"][1]["uuid"]][0]
        dash_id = int(re.search(r"_(\d+)\.yaml$", dash_path).group(1))
        tops, per_type_files = self.client.export(f"/api/v1/dashboard/export/?q=!({dash_id})")
        per_type = index_export(per_type_files)
        results["per_type_dashboard_export"] = {
            "top_folders": tops,
            "paths": sorted(per_type_files),
            "metadata_yaml": per_type_files.get("metadata.yaml", ("", None))[0],
            "database_file": per_type[m["database"][1]["uuid"]][2],
            "differences_from_assets_export": {
                kind: diff_entries(index[m[kind][1]["uuid"]][1], per_type[m[kind][1]["uuid"]][1])
                for kind in ("database", "dataset", "chart", "dashboard")
            },
        }
        self.findings["experiments"]["probes"] = results

    # -- 5. the export re-imported unchanged: a fixpoint? ------------------------------------------

    def fixpoint(self):
        log("5. the export of the full assets re-imported unchanged")
        f = self.full_assets
        _, files, index = self.export()
        wanted = {f[kind][1]["uuid"] for kind in f}
        bundle = {
            path: text
            for path, (text, parsed) in files.items()
            if isinstance(parsed, dict) and str(parsed.get("uuid")) in wanted
        }
        self.do_import("export of the full assets, unchanged", bundle)
        _, _, again = self.export()
        result = {"files": sorted(bundle), "entries": []}
        for kind in ("database", "dataset", "chart", "chart2", "dashboard"):
            value = f[kind][1]["uuid"]
            for entry in diff_entries(index[value][1], again[value][1]):
                entry["kind"] = kind
                result["entries"].append(entry)
        self.findings["experiments"]["fixpoint"] = result

    # -- cleanup -----------------------------------------------------------------------------------

    def cleanup(self):
        log("deleting the probe assets")
        _, _, index = self.export()
        ids = {"dashboard": [], "chart": [], "dataset": []}
        for value in self.run.uuids:
            if value in index:
                path = index[value][0]
                match = re.search(r"_(\d+)\.yaml$", path)
                kind = path.split("/")[0][:-1]
                if match and kind in ids:
                    ids[kind].append(int(match.group(1)))
        for kind in ("dashboard", "chart", "dataset"):
            if ids[kind]:
                status = self.client.delete(f"/api/v1/{kind}/?q=!({','.join(map(str, sorted(ids[kind])))})")
                log(f"  {len(ids[kind])} {kind}s: {status}")
        deleted = 0
        for name in sorted(self.run.database_names):
            status, body = self.client.get(
                f"/api/v1/database/?q=(filters:!((col:database_name,opr:eq,value:'{name}')))"
            )
            for item in (body or {}).get("result", []):
                deleted += self.client.delete(f"/api/v1/database/{item['id']}") == 200
        log(f"  {deleted} databases")


try:
    from superset.migrations.shared.migrate_viz import processors as _processors
    from superset.migrations.shared.migrate_viz.base import MigrateViz as _MigrateViz

    LEGACY_VIZ_TYPES = sorted(
        c.source_viz_type
        for c in vars(_processors).values()
        if isinstance(c, type) and issubclass(c, _MigrateViz) and hasattr(c, "source_viz_type")
    )
except Exception:  # pylint: disable=broad-except
    LEGACY_VIZ_TYPES = [
        "area",
        "bar",
        "bubble",
        "dist_bar",
        "dual_line",
        "heatmap",
        "histogram",
        "line",
        "pivot_table",
        "sankey",
        "sunburst",
        "treemap",
    ]


# ---------------------------------------------------------------------------------------------------
# From observations to facts
# ---------------------------------------------------------------------------------------------------


def generic_path(path):
    """`timed_refresh_immune_slices[0]` -> `timed_refresh_immune_slices[]`."""
    return re.sub(r"\[\d+\]", "[]", path)


def derive(findings, oracle):
    """The tables of the Swift file, from the observations; `oracle.check` records every surprise."""
    ex = findings["experiments"]
    check = oracle.check
    minimal, full, sticky, probes = ex["minimal"], ex["full"], ex["sticky"], ex["probes"]

    # 1. defaults: keys the export adds to minimal files, with the same value in both copies
    defaults, server_local = {}, {}
    for e in minimal["entries"]:
        if e["what"] == "added" and e["after"] == e["after_b"]:
            previous = defaults.setdefault(e["part"], {}).setdefault(e["key"], e["after"])
            check(previous == e["after"], f"two defaults for {e['part']}.{e['key']}: {previous!r}, {e['after']!r}")
        elif e["what"] == "added":
            server_local.setdefault(e["part"], set()).add(generic_path(e["key"]))
        elif e["what"] == "changed" and e["before"] in (PLACEHOLDER_A, PLACEHOLDER_A + 1):
            server_local.setdefault(e["part"], set()).add(generic_path(e["key"]))
        else:
            check(False, f"minimal: unexpected {e['what']} {e['part']}.{e['key']}: {e['before']!r} -> {e['after']!r}")
    check(
        server_local == {"chart.params": {"datasource"}, "dashboard.position.CHART": {"meta.chartId"}},
        f"server-local keys of minimal files: {server_local}",
    )
    without_columns = yaml.safe_load(probes["dataset_without_columns"]["export"])
    for key in ("columns", "metrics"):
        check(without_columns.get(key) == [], f"dataset without {key}: exported {without_columns.get(key)!r}")
        defaults["dataset"][key] = []
    without_metadata = yaml.safe_load(probes["dashboard_without_metadata"]["export"])
    check(
        without_metadata.get("metadata") == {"native_filter_configuration": []},
        f"dashboard without metadata: {without_metadata.get('metadata')!r}",
    )
    defaults["dashboard"]["metadata"] = {}
    defaults.setdefault("dashboard.metadata", {})["native_filter_configuration"] = []
    inherited = probes["ordering"]["dataset_cache_timeout_when_database_has_1234"]
    check(inherited == 1234, f"dataset cache_timeout under a database with 1234: {inherited!r}")

    # 2. the full import: what is dropped, renamed, remapped
    ids = full["chart_ids"]
    remap = {PLACEHOLDER_A: ids["a"], PLACEHOLDER_B: ids["b"]}
    import_only, transformed = {}, []
    for e in full["entries"]:
        part, key, what = e["part"], e["key"], e["what"]
        if what == "removed":
            import_only.setdefault(part, set()).add(generic_path(key))
        elif what == "changed" and isinstance(e["before"], int) and e["before"] in remap:
            check(e["after"] == remap[e["before"]], f"{part}.{key}: {e['before']} -> {e['after']}, not the new id")
        elif what == "added" and defaults.get(part, {}).get(key, "<none>") == e["after"]:
            pass  # a default of a key the full file did not set (columns other than the full one)
        else:
            transformed.append(e)
    # chart ids as mapping keys: removed under the placeholder, added under the real id
    for part, key in [("dashboard.metadata", "expanded_slices"), ("dashboard.metadata", "chart_configuration")]:
        old = f"{key}.{PLACEHOLDER_A}"
        check(old in import_only.get(part, set()), f"{part}.{old} was not replaced")
        import_only.get(part, set()).discard(old)
    transformed = [
        e
        for e in transformed
        if not (
            e["what"] == "added"
            and e["part"] == "dashboard.metadata"
            and e["key"] in (f"expanded_slices.{ids['a']}", f"chart_configuration.{ids['a']}")
        )
    ]
    dashboard_out = full["files"]["dashboard"]["parsed"]
    config = dashboard_out["metadata"]["chart_configuration"][str(ids["a"])]
    check(config["id"] == ids["a"], "chart_configuration.*.id not remapped")
    check(
        config["crossFilters"]["scope"]["excluded"] == [ids["a"], ids["b"]], "crossFilters.scope.excluded not remapped"
    )
    check(config["crossFilters"]["chartsInScope"] == [PLACEHOLDER_B], "crossFilters.chartsInScope was remapped")
    check(
        dashboard_out["metadata"]["global_chart_configuration"]["chartsInScope"] == [PLACEHOLDER_A],
        "global_chart_configuration.chartsInScope was remapped",
    )
    native = {f["id"]: f for f in dashboard_out["metadata"]["native_filter_configuration"]}
    check(native["NATIVE_FILTER-full"]["chartsInScope"] == [PLACEHOLDER_A], "native filter chartsInScope was remapped")
    chart_out = yaml.safe_load(full["files"]["chart"]["export"])
    check(chart_out["params"]["slice_id"] == PLACEHOLDER_STALE, "params.slice_id was changed")
    query_context = json.loads(chart_out["query_context"])
    dataset_id = full["dataset_id"]
    check(query_context["datasource"] == {"id": dataset_id, "type": "table"}, "query_context.datasource not rewritten")
    check(query_context["queries"][0]["datasource"] == {"id": dataset_id, "type": "table"}, "queries[].datasource")
    check(query_context["form_data"]["datasource"] == f"{dataset_id}__table", "form_data.datasource not rewritten")
    check(query_context["form_data"]["slice_id"] == PLACEHOLDER_STALE, "form_data.slice_id was changed")
    check(
        [layer["annotationType"] for layer in chart_out["params"]["annotation_layers"]] == ["FORMULA"],
        "annotation layers other than FORMULA kept",
    )
    database_out = yaml.safe_load(full["files"]["database"]["export"])
    masked = json.loads(database_out.get("masked_encrypted_extra", "{}"))
    check(set(masked.values()) == {"XXXXXXXXXX"}, f"masked_encrypted_extra: {masked!r}")
    check(dashboard_out["theme_uuid"] is None, "theme_uuid kept")
    expected_transformed = {
        ("chart.params", "datasource"),
        ("chart.params", "annotation_layers"),
        ("chart", "query_context"),
        ("database", "masked_encrypted_extra"),
        ("dashboard", "theme_uuid"),
    }
    for e in transformed:
        check(
            (e["part"], generic_path(e["key"])) in expected_transformed,
            f"full: unexpected {e['what']} {e['part']}.{e['key']}: {e['before']!r} -> {e['after']!r}",
        )
    import_only["database"].discard("encrypted_extra")  # exported as masked_encrypted_extra
    import_only.setdefault("dashboard", set()).add("theme_uuid")
    dropped_by_import = {"dashboard.metadata": sorted(import_only.pop("dashboard.metadata", set()))}
    check(
        dropped_by_import["dashboard.metadata"] == ["default_filters", "filter_scopes", "show_native_filters"],
        f"dashboard metadata keys dropped: {dropped_by_import}",
    )
    for label, part, key in [
        ("database masked_encrypted_extra", None, None),
        ("database password (sqlite)", "database", "password"),
        ("dashboard theme_id null", "dashboard", "theme_id"),
        ("dashboard tags []", "dashboard", "tags"),
    ]:
        result = probes[label]
        check(result["status"] == 200, f"{label}: {result['status']}")
        if part:
            import_only.setdefault(part, set()).add(key)
    for label in ("dataset data (the table exists)", "database ssh_tunnel"):
        check(probes[label]["status"] != 200, f"{label} imported")
    import_only.setdefault("dataset", set()).add("data")
    import_only.setdefault("database", set()).add("ssh_tunnel")

    # 3. values the import converts (one probe each)
    def changed(label, path):
        result = probes[label]
        if result["status"] != 200:
            return ("failed", result["status"])
        for e in result.get("entries", []):
            if e["path"] == path:
                return (e["what"], e["after"])
        return ("unchanged", None)

    expectations = [
        ("database cache_timeout '42' (string)", "cache_timeout", ("changed", 42)),
        ("database allow_dml 'yes' (string)", "allow_dml", ("failed", 500)),
        ("database allow_dml 1 (integer)", "allow_dml", ("changed", True)),
        ("database allow_file_upload false (old key)", "allow_csv_upload", ("added", False)),
        (
            "database extra.schemas_allowed_for_file_upload (old key, JSON string)",
            "extra.schemas_allowed_for_csv_upload",
            ("added", ["main"]),
        ),
        (
            "database extra.schemas_allowed_for_csv_upload '[\"main\"]' (JSON string)",
            "extra.schemas_allowed_for_csv_upload",
            ("changed", ["main"]),
        ),
        ("database configuration_method null", "configuration_method", ("changed", "sqlalchemy_form")),
        ("database unknown key", "probe_unknown", ("failed", 500)),
        ("database extra unknown key", "extra.probe_unknown", ("failed", 500)),
        ("dataset filter_select_enabled 'off' (string)", "filter_select_enabled", ("failed", 500)),
        ("dataset extra as a JSON string", "extra", ("changed", {"warning_markdown": "from a JSON string"})),
        ("dataset template_params '' (empty string)", "template_params", ("changed", None)),
        ("dataset params, template_params, extra {} (empty)", "extra", ("unchanged", None)),
        ("dataset schema '' (empty string)", "schema", ("unchanged", None)),
        ("column is_dttm 'true' (string)", "columns.order_date.is_dttm", ("failed", 500)),
        ("column is_dttm null", "columns.order_date.is_dttm", ("changed", False)),
        ("column is_dttm null", "columns.order_date.is_active", ("changed", True)),
        ("column extra as a JSON string", "columns.order_date.extra", ("changed", {"warning_markdown": "c"})),
        ("column extra {} (empty)", "columns.order_date.extra", ("unchanged", None)),
        ("metric extra as a JSON string", "metrics.Total Revenue.extra", ("changed", {"warning_markdown": "m"})),
        (
            "metric currency as a JSON string",
            "metrics.Total Revenue.currency",
            ("changed", {"symbol": "EUR", "symbolPosition": "suffix"}),
        ),
        ("metric currency {} (empty)", "metrics.Total Revenue.currency", ("unchanged", None)),
        ("chart cache_timeout '600' (string)", "cache_timeout", ("changed", 600)),
        ("chart params as a JSON string", "params", ("failed", 500)),
        ("chart query_context not JSON", "query_context", ("failed", 500)),
        ("dashboard published 'true' (string)", "published", ("failed", 500)),
        ("dashboard slug, css, description null", "slug", ("unchanged", None)),
        ("dashboard css '' (empty string)", "css", ("unchanged", None)),
        ("metadata timed_refresh_immune_slices with an unknown chart id", "metadata", ("failed", 500)),
        ("metadata expanded_slices with an unknown chart id", "metadata", ("failed", 500)),
    ]
    for label, path, expected in expectations:
        got = changed(label, path)
        check(got == expected, f"probe {label!r}: {path} {got!r}, expected {expected!r}")
    for label, status in [
        ("database_without_extra", 500),
        ("chart_without_params", 500),
        ("dashboard_without_position", 500),
        ("native_filter_dataset_not_in_bundle", 500),
        ("dashboard_without_charts", 200),
    ]:
        check(probes[label]["status"] == status, f"{label}: {probes[label]['status']}, expected {status}")
    context = probes["chart query_context without datasource"]
    if context.get("status") == 200:
        value = json.loads(context["parsed"]["query_context"])
        check(
            "datasource" in value and "datasource" in value["form_data"], "query_context without datasource: none added"
        )
    unknown = probes["metadata chart_configuration with an unknown chart id"]
    check(
        unknown["status"] == 200 and unknown["parsed"]["metadata"].get("chart_configuration") == {},
        "chart_configuration entry of an unknown chart not dropped",
    )
    unknown = probes["native filter scope.excluded with an unknown chart id"]
    if unknown["status"] == 200:
        excluded = unknown["parsed"]["metadata"]["native_filter_configuration"][0]["scope"]["excluded"]
        check(len(excluded) == 1 and excluded[0] != PLACEHOLDER_STALE, f"scope.excluded with an unknown id: {excluded}")

    # 4. overwrite by a file that omits keys: which keep their old value
    full_files, sticky_files = full["files"], sticky["files"]
    sticky_keys, reset_keys = {}, {}
    for kind in ("database", "dataset", "chart", "dashboard"):
        before = keyed(full_files[kind]["parsed"])
        after = keyed(sticky_files[kind]["parsed"])
        sent = keyed(sticky["sent"][next(p for p in sticky["sent"] if sticky["sent"][p]["uuid"] == before["uuid"])])
        candidates = [(kind, before, after, sent)]
        if kind == "dataset":
            candidates = [
                (kind, before, after, sent),
                (
                    "dataset.column",
                    before["columns"]["probe_col"],
                    after["columns"]["probe_col"],
                    sent["columns"]["probe_col"],
                ),
                (
                    "dataset.metric",
                    before["metrics"]["probe_metric"],
                    after["metrics"]["probe_metric"],
                    sent["metrics"]["probe_metric"],
                ),
            ]
        if kind == "database":
            candidates.append(("database.extra", before["extra"], after["extra"], sent["extra"]))
        if kind == "chart":
            candidates.append(("chart.params", before["params"], after["params"], sent["params"]))
        for part, b, a, s in candidates:
            for key, value in b.items():
                if key in s or key in ("uuid", "version", "columns", "metrics", "database_uuid", "dataset_uuid"):
                    continue
                if (part, key) == ("chart.params", "datasource"):  # server-local: always set by the import
                    continue
                default = defaults.get(part, {}).get(key, "<no default>")
                if value == default:
                    continue
                target = sticky_keys if a.get(key, "<absent>") == value else reset_keys
                target.setdefault(part, set()).add(key)
    check(
        not sticky_keys.get("database.extra") and not sticky_keys.get("chart.params"),
        f"database extra / chart params kept keys: {sticky_keys.get('database.extra')} {sticky_keys.get('chart.params')}",
    )
    dashboard_empty = sticky["dashboard_with_empty_metadata"]
    check(
        dashboard_empty["status"] == 200
        and dashboard_empty["parsed"]["metadata"] == {"native_filter_configuration": []},
        f"dashboard re-imported with metadata {{}}: {dashboard_empty.get('parsed', {}).get('metadata')!r}",
    )
    check(sticky_keys.get("dashboard", set()) >= {"metadata"}, "dashboard metadata not kept when omitted")

    # 5. the export re-imported unchanged is a fixpoint
    for e in ex["fixpoint"]["entries"]:
        check(False, f"export re-imported: {e['kind']} {e['what']} {e['path']}: {e['before']!r} -> {e['after']!r}")

    # 6. ordering
    order = probes["ordering"]
    check(order["export_columns"] != order["sent_columns"], "columns exported in import order")
    check(order["export_columns"] == order["export_columns_after_reimport"], "column order changes between exports")
    check(order["export_position_keys"] == order["sent_position_keys"], "position keys reordered")
    check(order["export_grid_children"] == ["CHART-1", "CHART-0"], "position children reordered")

    legacy = {
        source: value["viz_type"]
        for source, value in probes["legacy_viz_types"].items()
        if value["status"] == 200 and value["viz_type"] != source
    }
    check(set(legacy) == set(LEGACY_VIZ_TYPES), f"legacy viz types not migrated: {set(LEGACY_VIZ_TYPES) - set(legacy)}")

    per_type = probes["per_type_dashboard_export"]["differences_from_assets_export"]["database"]
    check(
        sorted((e["what"], e["path"]) for e in per_type)
        == [("added", "allow_file_upload"), ("removed", "allow_csv_upload")],
        f"per-type export database differences: {per_type}",
    )

    return {
        "defaults": defaults,
        "serverLocalKeys": {
            "chart.params": ["datasource"],
            "chart.query_context": ["datasource", "form_data.datasource", "queries[].datasource"],
            "dashboard.position.CHART": ["meta.chartId"],
        },
        "chartIdReferences": {
            "dashboard.metadata": [
                "chart_configuration.*.crossFilters.scope.excluded[]",
                "chart_configuration.*.id",
                "chart_configuration.{id}",
                "expanded_slices.{id}",
                "global_chart_configuration.scope.excluded[]",
                "timed_refresh_immune_slices[]",
            ],
            "dashboard.nativeFilter": ["scope.excluded[]"],
            "dashboard.position.CHART": ["meta.chartId"],
        },
        "staleIdKeys": {
            "chart.params": ["slice_id"],
            "chart.query_context": ["form_data.slice_id"],
            "dashboard.metadata": [
                "chart_configuration.*.crossFilters.chartsInScope[]",
                "global_chart_configuration.chartsInScope[]",
            ],
            "dashboard.nativeFilter": ["chartsInScope[]"],
        },
        "importOnlyKeys": {k: sorted(v) for k, v in import_only.items()},
        "droppedByImport": dropped_by_import,
        "keyRenames": {
            "database": {"allow_file_upload": "allow_csv_upload"},
            "database.extra": {"schemas_allowed_for_file_upload": "schemas_allowed_for_csv_upload"},
        },
        "jsonStringKeys": {
            "database.extra": ["schemas_allowed_for_csv_upload"],
            "dataset": ["extra"],
            "dataset.column": ["extra"],
            "dataset.metric": ["currency", "extra"],
        },
        "jsonStringValuedKeys": {"chart": ["query_context"], "database": ["encrypted_extra", "masked_encrypted_extra"]},
        "emptyStringAsNull": {"dataset": ["template_params"]},
        "nullAsDefault": {"dataset.column": ["is_active", "is_dttm"]},
        "inheritedDefaults": {"dataset": {"cache_timeout": "database.cache_timeout"}},
        "stickyKeys": {k: sorted(v) for k, v in sticky_keys.items()},
        "unorderedLists": {"dataset": {"columns": "column_name", "metrics": "metric_name"}},
        "migratedVizTypes": legacy,
        "keptAnnotationTypes": ["FORMULA"],
    }


# ---------------------------------------------------------------------------------------------------
# Swift output
# ---------------------------------------------------------------------------------------------------


def swift_string(text):
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def swift_value(value):
    if value is None:
        return ".null"
    if isinstance(value, bool):
        return f".bool({'true' if value else 'false'})"
    if isinstance(value, int):
        return f".int({value})"
    if isinstance(value, float):
        return f".double({value!r})"
    if isinstance(value, str):
        return f".string({swift_string(value)})"
    if isinstance(value, list):
        return ".list([" + ", ".join(swift_value(v) for v in value) + "])"
    if isinstance(value, dict):
        if not value:
            return ".mapping([:])"
        items = ", ".join(f"{swift_string(str(k))}: {swift_value(v)}" for k, v in sorted(value.items()))
        return ".mapping([" + items + "])"
    raise TypeError(type(value))


def swift_table(table, render):
    """A literal `[String: X]` whose values are rendered by `render`."""
    if not table:
        return "[:]"
    return "[\n" + "".join(f"{swift_string(k)}: {render(table[k])},\n" for k in sorted(table)) + "]"


def swift_list(values):
    return "[" + ", ".join(swift_string(v) for v in values) + "]"


def swift_string_map(mapping):
    return swift_table(mapping, swift_string)


def render_swift(facts, date):
    d = facts
    parts = []
    add = parts.append
    add(
        f"// Generated by scripts/superset-defaults.py from a live Apache Superset {SUPERSET_VERSION} (assets import, then"
    )
    add(f"// export), on {date}. Do not edit.")
    add("")
    add("/// A YAML value as Superset's export writes it.")
    add("public indirect enum SupersetExportValue: Sendable, Hashable {")
    add("    case null")
    add("    case bool(Bool)")
    add("    case int(Int)")
    add("    case double(Double)")
    add("    case string(String)")
    add("    case list([SupersetExportValue])")
    add("    case mapping([String: SupersetExportValue])")
    add("}")
    add("")
    add(
        f"""/// What Superset {SUPERSET_VERSION}'s export (`GET /api/v1/assets/export/`) adds to, drops from and changes in the files of a
/// bundle imported with `POST /api/v1/assets/import/`, measured on a live server.
///
/// Tables are keyed by the object kind a key belongs to:
/// `database`, `database.extra`, `dataset`, `dataset.column`, `dataset.metric`, `chart`, `chart.params`,
/// `chart.query_context` (the decoded JSON string), `dashboard`, `dashboard.metadata` (without
/// `native_filter_configuration`), `dashboard.nativeFilter` (an element of `metadata.native_filter_configuration`)
/// and `dashboard.position.<TYPE>` (a position node of that `type`, e.g. `dashboard.position.CHART`).
///
/// Key paths: `a.b` is key `b` of mapping `a`; `a[]` every element of list `a`; `a.*` every value of mapping
/// `a`; `a.{{id}}` every key of mapping `a`, a chart id written as a string.
public enum SupersetExportFacts {{
    public typealias DefaultValue = SupersetExportValue

    public static let supersetVersion = "{SUPERSET_VERSION}"
"""
    )
    add(
        """    /// Keys the export writes, with this value, when the imported file did not have them. A nested default applies
    /// first: `dashboard.metadata` without its defaults can become `{}`, the default of `dashboard`'s `metadata`.
    /// `dataset`'s `cache_timeout` is the database's when the dataset has none (`inheritedDefaults`)."""
    )
    add(
        "    public static let defaults: [String: [String: DefaultValue]] = "
        + indent_literal(swift_table(d["defaults"], lambda m: swift_table(m, swift_value)))
    )
    add("")
    add("""    /// Keys whose exported value is an id of the server: set by the import whatever the file says.""")
    add(
        "    public static let serverLocalKeys: [String: [String]] = "
        + indent_literal(swift_table(d["serverLocalKeys"], swift_list))
    )
    add("")
    add("""    /// Chart ids the import replaces with the ids of the charts of the same `meta.uuid` in the dashboard's
    /// position (entries of charts that are not in the position: `chart_configuration` drops them, `scope.excluded`
    /// drops them, `timed_refresh_immune_slices` and `expanded_slices` fail the import).""")
    add(
        "    public static let chartIdReferences: [String: [String]] = "
        + indent_literal(swift_table(d["chartIdReferences"], swift_list))
    )
    add("")
    add(
        """    /// Ids the import copies verbatim (not remapped): they name objects of whichever server the file came from."""
    )
    add(
        "    public static let staleIdKeys: [String: [String]] = "
        + indent_literal(swift_table(d["staleIdKeys"], swift_list))
    )
    add("")
    add("""    /// Keys the import accepts but the export never writes (`encrypted_extra` comes back masked as
    /// `masked_encrypted_extra`; `theme_uuid` is ignored by the assets import and exported as null).""")
    add(
        "    public static let importOnlyKeys: [String: [String]] = "
        + indent_literal(swift_table(d["importOnlyKeys"], swift_list))
    )
    add("")
    add("""    /// Keys the import deletes (legacy dashboard filters, migrated to native filters).""")
    add(
        "    public static let droppedByImport: [String: [String]] = "
        + indent_literal(swift_table(d["droppedByImport"], swift_list))
    )
    add("")
    add("""    /// Old key names the import renames (the export writes the new name; the per-type export endpoints write
    /// `allow_file_upload` in the database file of a dataset's, chart's or dashboard's export).""")
    add(
        "    public static let keyRenames: [String: [String: String]] = "
        + indent_literal(swift_table(d["keyRenames"], swift_string_map))
    )
    add("")
    add("""    /// Keys whose value the import also accepts as a JSON string; the export writes the decoded value.""")
    add(
        "    public static let jsonStringKeys: [String: [String]] = "
        + indent_literal(swift_table(d["jsonStringKeys"], swift_list))
    )
    add("")
    add("""    /// Keys whose value is a JSON string in the file and in the export.""")
    add(
        "    public static let jsonStringValuedKeys: [String: [String]] = "
        + indent_literal(swift_table(d["jsonStringValuedKeys"], swift_list))
    )
    add("")
    add("""    /// Keys whose empty string the import stores as null.""")
    add(
        "    public static let emptyStringAsNull: [String: [String]] = "
        + indent_literal(swift_table(d["emptyStringAsNull"], swift_list))
    )
    add("")
    add("""    /// Keys whose null the import stores as the key's default (the export writes the default).""")
    add(
        "    public static let nullAsDefault: [String: [String]] = "
        + indent_literal(swift_table(d["nullAsDefault"], swift_list))
    )
    add("")
    add("""    /// Keys whose exported value, when the object has none, is the value of another object's key.""")
    add(
        "    public static let inheritedDefaults: [String: [String: String]] = "
        + indent_literal(swift_table(d["inheritedDefaults"], swift_string_map))
    )
    add("")
    add("""    /// Keys that keep their previous value when an import overwrites the object with a file that omits them
    /// (the import only sets the keys a file has). `dashboard`'s `metadata` is kept whole when omitted.
    /// Not listed: `database.extra` and `chart.params` (replaced whole), the position (replaced), `allow_csv_upload`
    /// (true when omitted), and the columns and metrics of a dataset (those not in the file are deleted).""")
    add(
        "    public static let stickyKeys: [String: [String]] = "
        + indent_literal(swift_table(d["stickyKeys"], swift_list))
    )
    add("")
    add(
        """    /// Lists the export writes in an order unrelated to the import's (sorted by a hash-like key): list -> the key
    /// that names an element. Other lists and mapping keys (position, metadata, params) keep the file's order."""
    )
    add(
        "    public static let unorderedLists: [String: [String: String]] = "
        + indent_literal(swift_table(d["unorderedLists"], swift_string_map))
    )
    add("")
    add("""    /// Legacy chart `viz_type`s the import migrates (it also rewrites `params`).""")
    add(
        "    public static let migratedVizTypes: [String: String] = "
        + indent_literal(swift_string_map(d["migratedVizTypes"]))
    )
    add("")
    add(
        """    /// The `params.annotation_layers` entries the import keeps (by `annotationType`); it drops the others."""
    )
    add("    public static let keptAnnotationTypes: [String] = " + swift_list(d["keptAnnotationTypes"]))
    add("}")
    return "\n".join(parts) + "\n"


def indent_literal(text):
    return "\n".join(("    " + line if i else line) for i, line in enumerate(text.split("\n")))


def format_swift(text):
    swift = shutil.which("swift")
    if not swift:
        log("superset-defaults: `swift` is not on PATH; the output is not formatted")
        return text
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "SupersetExportFacts+Generated.swift")
        with open(path, "w") as handle:
            handle.write(text)
        config = os.path.join(ROOT, ".swift-format")
        result = subprocess.run([swift, "format", "--configuration", config, path], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"superset-defaults: swift format failed:\n{result.stderr}")
        return result.stdout


DATE_LINE = re.compile(r"^// export\), on \d{4}-\d{2}-\d{2}\. Do not edit\.$", re.M)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("HYBRID_SUPERSET_URL", "http://127.0.0.1:8088"))
    parser.add_argument("--username", default=os.environ.get("HYBRID_SUPERSET_USERNAME", "admin"))
    parser.add_argument("--password", default=os.environ.get("HYBRID_SUPERSET_PASSWORD", "admin"))
    parser.add_argument("--sqlalchemy-uri", default="sqlite:///analytics.db", help="URI of the probe databases")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument(
        "--check", action="store_true", help="compare with --out (ignoring the date) instead of writing"
    )
    parser.add_argument("--findings", help="write every observation as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="do not delete the probe assets")
    parser.add_argument("--replay", metavar="FINDINGS", help="derive from a --findings file instead of a server")
    args = parser.parse_args()

    if args.replay:
        oracle = Oracle(None, args.sqlalchemy_uri)
        with open(args.replay) as handle:
            oracle.findings = json.load(handle)
        facts = derive(oracle.findings, oracle)
    else:
        schemas = schema_fields()
        client = Superset(args.url, args.username, args.password)
        oracle = Oracle(client, args.sqlalchemy_uri)
        try:
            oracle.minimal()
            oracle.full(schemas)
            oracle.fixpoint()
            oracle.sticky()
            oracle.probes()
            facts = derive(oracle.findings, oracle)
            oracle.findings["facts"] = facts
        finally:
            oracle.findings["problems"] = oracle.problems
            if args.findings:
                with open(args.findings, "w") as handle:
                    json.dump(oracle.findings, handle, indent=1, sort_keys=True, default=sorted)
            if not args.keep:
                oracle.cleanup()
    if oracle.problems:
        log(f"superset-defaults: {len(oracle.problems)} observation(s) differ from what this script expects:")
        for problem in oracle.problems:
            log("  - " + problem)
        log("Superset's behaviour changed: review the observations (--findings) and update the script.")
        sys.exit(1)

    text = format_swift(render_swift(facts, datetime.date.today().isoformat()))
    if args.check:
        existing = open(args.out).read() if os.path.exists(args.out) else ""
        if DATE_LINE.sub("", existing) != DATE_LINE.sub("", text):
            log(f"superset-defaults: {os.path.relpath(args.out, ROOT)} is out of date (run without --check)")
            sys.exit(1)
        log(f"superset-defaults: {os.path.relpath(args.out, ROOT)} is up to date")
        return
    with open(args.out, "w") as handle:
        handle.write(text)
    log(f"superset-defaults: wrote {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    main()
