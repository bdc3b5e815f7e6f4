#!/usr/bin/env python3
"""Benchmark: parse + emit of a ~10 MB YAML corpus, hybrid vs PyYAML's C path, in one run.

  python3 scripts/bench-yaml.py [--megabytes 10] [--repetitions 7] [--out bench-out/yaml]

1. Generates a deterministic corpus of Superset-style asset files (datasets with columns and SQL
   metrics, charts with params, dashboards with position trees, multi-line SQL, quoting-sensitive
   strings, numbers, dates, Unicode) totalling about --megabytes MB.
2. PyYAML: yaml.load(CSafeLoader) + yaml.dump(CSafeDumper, sort_keys=True, allow_unicode=True)
   over all files, in-process, --repetitions times.
3. hybrid: `hybrid-bench yaml DIR` (release build): HybridYAML parse + canonical emit over the
   same files, in-process, the same number of times.
4. Checks that PyYAML reads hybrid's canonical output of a sample back as the same data, then
   prints both medians and the ratio (PyYAML time / hybrid time; higher is better for hybrid).

Timing on a shared machine is noisy: both sides run in the same invocation and medians are compared.
Needs: PyYAML built with libyaml, and `swift build -c release --product hybrid-bench` (done here).
"""
import argparse, json, os, random, statistics, subprocess, sys, time

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

WORDS = ["revenue", "orders", "region", "brand", "customer", "channel", "margin", "units", "sku",
         "segment", "store", "country", "category", "discount", "returns", "cost"]
TRICKY = ["yes", "no", "on", "null", "~", "1e3", "0755", "2024-01-02", "1:20", "- item", "a: b", "x #y",
          "@handle", "`code`", "'quoted'", '"double"', " lead", "trail ", "é à ü", "中文", "😀", "<<", "=",
          "%pct", "!bang", "&amp", "*star", "[list]", "{map}", "? q", "...", "---"]


def sentence(rng, words=8):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def dataset(rng, i):
    dims = rng.sample(WORDS, 8)
    columns = [{"column_name": "order_date", "is_dttm": True, "type": "TIMESTAMP", "filterable": True,
                "groupby": False, "verbose_name": None, "python_date_format": None}]
    for d in dims:
        columns.append({"column_name": d, "type": rng.choice(["VARCHAR(255)", "BIGINT", "NUMERIC(18,2)"]),
                        "filterable": rng.random() < 0.8, "groupby": rng.random() < 0.6,
                        "description": rng.choice([sentence(rng), rng.choice(TRICKY), None]),
                        "expression": rng.choice(["", f"CASE WHEN {d} IS NULL THEN 'n/a' ELSE {d} END"]),
                        "extra": {"certified_by": rng.choice([None, "data-team"]), "warning_markdown": None}})
    metrics = [{"metric_name": f"Total {w.title()} {j}", "expression": f"SUM({w})", "d3format": ",.2f",
                "metric_type": "sum", "verbose_name": rng.choice([None, sentence(rng, 3)]),
                "warning_text": None} for j, w in enumerate(rng.sample(WORDS, 6))]
    sql = "\n".join(["SELECT", "  order_date,", *[f"  {d}," for d in dims], "  SUM(revenue) AS revenue",
                     f"FROM analytics.fact_{i:04d}", "WHERE order_date >= '2024-01-01'", "GROUP BY 1, 2, 3"])
    return {"table_name": f"fact_{i:04d}", "schema": "public", "sql": sql, "main_dttm_col": "order_date",
            "offset": 0, "cache_timeout": None, "default_endpoint": None, "filter_select_enabled": True,
            "fetch_values_predicate": None, "is_managed_externally": False, "external_url": None,
            "uuid": f"{rng.getrandbits(128):032x}", "version": "1.0.0", "columns": columns, "metrics": metrics,
            "template_params": None, "extra": {"warning_markdown": rng.choice(TRICKY)},
            "created_on": rng.choice(["2024-01-02", "2023-11-30"]),
            "ratio": rng.random() * 100, "threshold": rng.choice([0.1, 1e-7, 1e16, -0.0, float("inf")])}


def chart(rng, i, j):
    params = {"viz_type": rng.choice(["echarts_timeseries_line", "pie", "table", "big_number_total"]),
              "x_axis": "order_date", "time_grain_sqla": "P1D", "metrics": [f"Total {w.title()}" for w in rng.sample(WORDS, 3)],
              "groupby": rng.sample(WORDS, 2), "adhoc_filters": [
                  {"clause": "WHERE", "subject": rng.choice(WORDS), "operator": "IN", "comparator": rng.sample(TRICKY, 3),
                   "expressionType": "SIMPLE", "filterOptionName": f"filter_{rng.getrandbits(40):x}"}],
              "row_limit": rng.choice([100, 1000, 10000]), "color_scheme": "supersetColors", "show_legend": True,
              "rich_tooltip": True, "y_axis_format": "SMART_NUMBER", "truncate_metric": True,
              "extra_form_data": {}, "dashboards": [i]}
    return {"slice_name": f"{sentence(rng, 3)} #{i}.{j}", "viz_type": params["viz_type"], "params": params,
            "query_context": None, "cache_timeout": None, "uuid": f"{rng.getrandbits(128):032x}", "version": "1.0.0",
            "dataset_uuid": f"{rng.getrandbits(128):032x}", "description": rng.choice(TRICKY + [sentence(rng)])}


def dashboard(rng, i, n):
    position = {"DASHBOARD_VERSION_KEY": "v2", "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [f"ROW-{k}" for k in range(n)], "parents": ["ROOT_ID"]}}
    for k in range(n):
        position[f"ROW-{k}"] = {"type": "ROW", "id": f"ROW-{k}", "children": [f"CHART-{k}"], "parents": ["ROOT_ID", "GRID_ID"],
                                "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        position[f"CHART-{k}"] = {"type": "CHART", "id": f"CHART-{k}", "children": [], "parents": ["ROOT_ID", "GRID_ID", f"ROW-{k}"],
                                  "meta": {"width": 4, "height": 50, "chartId": k, "uuid": f"{rng.getrandbits(128):032x}",
                                           "sliceName": sentence(rng, 3)}}
    return {"dashboard_title": f"Overview {i}", "slug": f"overview-{i}", "description": None, "css": "",
            "certified_by": None, "published": True, "uuid": f"{rng.getrandbits(128):032x}", "version": "1.0.0",
            "position": position, "metadata": {"color_scheme": "", "refresh_frequency": 0, "timed_refresh_immune_slices": [],
                                               "expanded_slices": {}, "label_colors": {w: f"#{rng.getrandbits(24):06x}" for w in WORDS[:5]},
                                               "native_filter_configuration": [{"id": f"NATIVE_FILTER-{k}", "name": sentence(rng, 2),
                                                                                "filterType": "filter_select", "targets": [{"column": {"name": rng.choice(WORDS)}}],
                                                                                "controlValues": {"multiSelect": True, "enableEmptyFilter": False}} for k in range(3)]}}


def generate(out, megabytes, seed=7):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.remove(os.path.join(out, name))
    total, i = 0, 0
    while total < megabytes * 1_000_000:
        docs = [("datasets", dataset(rng, i))] + [("charts", chart(rng, i, j)) for j in range(4)] + [("dashboards", dashboard(rng, i, 8))]
        for k, (kind, doc) in enumerate(docs):
            text = yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
            path = os.path.join(out, f"{kind}_{i:04d}_{k}.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            total += len(text.encode("utf-8"))
        i += 1
    return total


def python_side(texts, repetitions):
    runs = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for text in texts:
            data = yaml.load(text, Loader=yaml.CSafeLoader)
            yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=True, allow_unicode=True, default_flow_style=False)
        runs.append(time.perf_counter() - start)
    return runs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, default=10)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench-out", "yaml"))
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        sys.exit("PyYAML was built without libyaml: CSafeLoader/CSafeDumper are unavailable")

    total = generate(args.out, args.megabytes)
    files = sorted(os.path.join(args.out, n) for n in os.listdir(args.out))
    texts = [open(p, encoding="utf-8").read() for p in files]
    print(f"corpus: {len(files)} files, {total / 1e6:.2f} MB in {os.path.relpath(args.out, ROOT)}", file=sys.stderr)

    subprocess.run(["swift", "build", "-c", "release", "--product", "hybrid-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    bench = os.path.join(bin_path, "hybrid-bench")

    # Correctness first: PyYAML reads hybrid's canonical output of a sample back as the same data.
    hybrid_bin = os.path.join(bin_path, "hybrid")
    if os.path.exists(hybrid_bin):
        for path in files[:: max(1, len(files) // 25)]:
            canonical = subprocess.run([hybrid_bin, "normalize", "--stdout", path], check=True, capture_output=True).stdout
            if yaml.safe_load(canonical) != yaml.safe_load(open(path, "rb")):
                sys.exit(f"hybrid's canonical form of {path} reads back different data")

    python_runs = python_side(texts, args.repetitions)
    swift = json.loads(subprocess.run([bench, "yaml", args.out, "--repetitions", str(args.repetitions)], check=True,
                                      capture_output=True, text=True).stdout)
    py_median = statistics.median(python_runs)
    sw_median = swift["median_seconds"]
    result = {
        "corpus_files": len(files), "corpus_megabytes": round(total / 1e6, 2), "repetitions": args.repetitions,
        "pyyaml_c_median_seconds": round(py_median, 4), "hybrid_median_seconds": round(sw_median, 4),
        "pyyaml_c_mb_per_second": round(total / 1e6 / py_median, 2), "hybrid_mb_per_second": round(total / 1e6 / sw_median, 2),
        "speedup": round(py_median / sw_median, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
