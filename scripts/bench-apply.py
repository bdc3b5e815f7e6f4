#!/usr/bin/env python3
"""Benchmark `hybrid apply` against `superset-cli sync native` (preset-cli) on a real Superset.

  scripts/bench-apply.py [--url http://127.0.0.1:8088] [--repetitions 3] [--datasets 40]
                         [--charts-per-dataset 4] [--hybrid PATH] [--superset-cli PATH]

Needs a running Superset (`scripts/superset-local up`) and HYBRID_SUPERSET_USERNAME/PASSWORD
(default admin/admin). Generates `../shared/bench/gen_repo.py OUT --clients 0` (the repository of
issue 5), applies it once, then per repetition, in one run:

  1. edits one chart template (its rendered output changes);
  2. `hybrid apply --env prod` (compile included; default refresh from the server) — timed;
  3. `superset-cli sync native DIR` of the same compiled bundle — timed (preset-cli re-renders and
     re-imports everything on every run; DIR is the bundle plus the `chartId` placeholders
     Superset's import needs, which hybrid adds in transport);
  4. `hybrid apply --env prod` with nothing changed — timed;
  5. `hybrid apply --env prod --no-refresh` with nothing changed — timed.

Prints medians and the ratio superset-cli / hybrid for the one-template case, and writes
bench-out/apply-bench.json.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))


def timed(cmd, cwd, env):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return elapsed, done


def sync_native_dir(bundle, out):
    """The compiled bundle as a directory superset-cli can import (chartId placeholders added)."""
    if os.path.exists(out):
        shutil.rmtree(out)
    shutil.copytree(bundle, out, ignore=shutil.ignore_patterns(".*"))
    for base, _, files in os.walk(os.path.join(out, "dashboards")):
        for name in files:
            path = os.path.join(base, name)
            with open(path) as f:
                doc = yaml.safe_load(f)
            for node in (doc.get("position") or {}).values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    node.setdefault("meta", {}).setdefault("chartId", 0)
            with open(path, "w") as f:
                yaml.safe_dump(doc, f, sort_keys=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=os.environ.get("HYBRID_SUPERSET_URL", "http://127.0.0.1:8088"))
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--charts-per-dataset", type=int, default=4)
    ap.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    ap.add_argument("--superset-cli", default=os.path.join(ROOT, ".superset-local", "venv", "bin", "superset-cli"))
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "hybrid"], cwd=ROOT, check=True)
    env = dict(os.environ)
    env.setdefault("HYBRID_SUPERSET_USERNAME", "admin")
    env.setdefault("HYBRID_SUPERSET_PASSWORD", "admin")
    user, password = env["HYBRID_SUPERSET_USERNAME"], env["HYBRID_SUPERSET_PASSWORD"]
    work = os.path.join(ROOT, "bench-out", "apply-bench")
    shutil.rmtree(work, ignore_errors=True)
    repo = os.path.join(work, "repo")
    subprocess.run([sys.executable, os.path.join(SHARED, "gen_repo.py"), repo, "--datasets", str(a.datasets),
                    "--charts-per-dataset", str(a.charts_per_dataset), "--clients", "0"], check=True)
    with open(os.path.join(repo, "hybrid.yaml"), "a") as f:
        f.write("uuid_namespace: 5f1b2c3d-0000-4000-8000-00000000be0c\n")
    hybrid = [os.path.abspath(a.hybrid)]
    apply_cmd = hybrid + ["apply", "--env", "prod", "--url", a.url]
    timed(apply_cmd, repo, env)  # initial deploy (not measured)
    sync_dir = os.path.join(work, "sync-native")
    sync_cmd = [os.path.abspath(a.superset_cli), "-u", user, "-p", password, a.url, "sync", "native", sync_dir]

    runs = {"hybrid_one_edit": [], "superset_cli_sync_native": [], "hybrid_noop_after_sync_native": [],
            "hybrid_noop": [], "hybrid_noop_no_refresh": []}
    imported = []
    chart = os.path.join(repo, "assets", "charts", "chart_0000_0.yaml.j2")
    for rep in range(a.repetitions):
        with open(chart) as f:
            text = f.read()
        old = text.split("ROW_LIMIT | default(")[1].split(")")[0]
        with open(chart, "w") as f:
            f.write(text.replace(f"ROW_LIMIT | default({old})", f"ROW_LIMIT | default({3000 + rep})"))
        elapsed, done = timed(apply_cmd + ["--format", "json"], repo, env)
        runs["hybrid_one_edit"].append(elapsed)
        report = json.loads(done.stdout)[0]
        if [c["path"] for c in report["changes"]] != ["charts/chart_0000_0.yaml"]:
            sys.exit(f"expected only the edited chart to change, got {report['changes']}")
        imported.append({"changed": [c["path"] for c in report["changes"]], "imported": report["imported"],
                         "calls": report["importCalls"]})
        sync_native_dir(os.path.join(repo, "bundles", "prod"), sync_dir)
        elapsed, _ = timed(sync_cmd, repo, env)
        runs["superset_cli_sync_native"].append(elapsed)
        # sync native re-imported everything (same content, new changed_on): hybrid's next apply
        # re-verifies those assets against the server and must still import nothing.
        elapsed, done = timed(apply_cmd, repo, env)
        runs["hybrid_noop_after_sync_native"].append(elapsed)
        if "no import call" not in done.stdout:
            sys.exit(f"expected a no-op apply, got:\n{done.stdout}")
        elapsed, done = timed(apply_cmd, repo, env)
        runs["hybrid_noop"].append(elapsed)
        elapsed, _ = timed(apply_cmd + ["--no-refresh"], repo, env)
        runs["hybrid_noop_no_refresh"].append(elapsed)

    med = {k: statistics.median(v) for k, v in runs.items()}
    ratio = med["superset_cli_sync_native"] / med["hybrid_one_edit"]
    assets = sum(len(files) for _, _, files in os.walk(os.path.join(repo, "bundles", "prod"))) - 1
    print(f"repository: gen_repo.py --datasets {a.datasets} --charts-per-dataset {a.charts_per_dataset} "
          f"--clients 0 ({assets} assets); Superset at {a.url}; medians of {a.repetitions}")
    print(f"{'run':<48}{'seconds':>9}")
    print(f"{'superset-cli sync native (everything)':<48}{med['superset_cli_sync_native']:>9.3f}")
    print(f"{'hybrid apply after one template edit':<48}{med['hybrid_one_edit']:>9.3f}   "
          f"{ratio:.1f}x faster (aim >= 5x)")
    print(f"{'hybrid apply, nothing changed':<48}{med['hybrid_noop']:>9.3f}")
    print(f"{'  (right after sync native touched every asset)':<48}{med['hybrid_noop_after_sync_native']:>9.3f}")
    print(f"{'hybrid apply --no-refresh, nothing changed':<48}{med['hybrid_noop_no_refresh']:>9.3f}")
    print(f"one edit imported: {imported[-1]}")
    os.makedirs(os.path.join(ROOT, "bench-out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench-out", "apply-bench.json"), "w") as f:
        json.dump({"seconds": med, "runs": runs, "ratio": ratio, "imported": imported, "assets": assets}, f, indent=2)


if __name__ == "__main__":
    main()
