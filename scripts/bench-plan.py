#!/usr/bin/env python3
"""`hybrid plan` on the 100-tenant benchmark repository after one chart template edit.

Generates `../shared/bench/gen_repo.py OUT --datasets 40 --charts-per-dataset 4 --clients 100`
(each tenant a bundle of 228 assets), gives each tenant's dashboards a slug of its own (the
generated slugs are shared by every tenant, which one Superset refuses: see hybrid validate
--all-mappings), applies every tenant bundle of `prod` to a local Superset (not measured; the
second apply compares every asset once and remembers its `changed_on`), then, per repetition,
edits one chart template's row_limit and times `hybrid plan --env prod --all-mappings`, checking
that it shows exactly that attribute for each tenant. Also times a plan with nothing changed.

  scripts/superset-local up && python3 scripts/bench-plan.py [--clients 100] [--repetitions 5]
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")


def timed(cmd, cwd, env, check=True):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if check and done.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8090")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep a repository already applied by an earlier run")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "hybrid"], cwd=ROOT, check=True)
    env = dict(os.environ)
    env.setdefault("HYBRID_SUPERSET_USERNAME", "admin")
    env.setdefault("HYBRID_SUPERSET_PASSWORD", "admin")
    work = os.path.join(ROOT, "bench-out", "plan-bench")
    repo = os.path.join(work, "repo")
    hybrid = [os.path.abspath(a.hybrid)]
    base = ["--env", "prod", "--all-mappings", "--url", a.url]
    if not (a.reuse and os.path.isdir(repo)):
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "gen_repo.py"), repo, "--datasets", str(a.datasets),
                        "--charts-per-dataset", "4", "--clients", str(a.clients)], check=True, capture_output=True)
        with open(os.path.join(repo, "hybrid.yaml"), "a") as f:
            f.write("uuid_namespace: 5f1b2c3d-0000-4000-8000-00000000be0d\n")
        dashboards = os.path.join(repo, "assets", "dashboards")
        for name in os.listdir(dashboards):
            path = os.path.join(dashboards, name)
            text = open(path).read()
            text = re.sub(r'^slug: "(.*)"$', lambda m: 'slug: "' + m.group(1) + "{{ SLUG_SUFFIX | default('') }}\"",
                          text, flags=re.M)
            open(path, "w").write(text)
        mappings = os.path.join(repo, "mappings")
        for name in os.listdir(mappings):
            with open(os.path.join(mappings, name), "a") as f:
                f.write(f"vars:\n  SLUG_SUFFIX: \"-{name.split('.')[0]}\"\n")
        elapsed, done = timed(hybrid + ["validate"] + base[:3], repo, env)
        if done.returncode != 0:
            sys.exit(f"validate failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        for step in ("first apply", "second apply (compares each asset once)"):
            elapsed, done = timed(hybrid + ["apply"] + base, repo, env)
            print(f"{step}: {elapsed:.1f} s", flush=True)
    runs = {"plan_one_edit": [], "plan_nothing_changed": []}
    chart = os.path.join(repo, "assets", "charts", "chart_0000_0.yaml.j2")
    shown = None
    for rep in range(a.repetitions):
        text = open(chart).read()
        old = text.split("ROW_LIMIT | default(")[1].split(")")[0]
        new = str(5000 + rep) if old != str(5000 + rep) else str(6000 + rep)
        open(chart, "w").write(text.replace(f"ROW_LIMIT | default({old})", f"ROW_LIMIT | default({new})"))
        # Compile first so that the plan's time is the runtime's, then plan.
        timed(hybrid + ["compile"] + base[:3], repo, env)
        elapsed, done = timed(hybrid + ["plan"] + base + ["--format", "json"], repo, env)
        runs["plan_one_edit"].append(elapsed)
        plan = json.loads(done.stdout)
        changed = [p for p in plan if p["change"] != "unchanged"]
        if len(changed) != a.clients or any(p["path"] != "charts/chart_0000_0.yaml" for p in changed):
            sys.exit(f"expected charts/chart_0000_0.yaml in each of {a.clients} tenants, got "
                     f"{[(p['path'], p['change']) for p in changed][:10]}")
        lines = {f"{c['path']}: {c.get('old')} → {c.get('new')}" for p in changed for c in p["attributes"]}
        if lines != {f"params.row_limit: {old} → {new}"}:
            sys.exit(f"expected exactly the row_limit attribute, got {lines}")
        shown = lines
        # Apply it, so that the next repetition starts from a server in sync.
        timed(hybrid + ["apply"] + base, repo, env)
        elapsed, done = timed(hybrid + ["plan"] + base, repo, env)
        runs["plan_nothing_changed"].append(elapsed)
        if "0 to create, 0 to update" not in done.stdout:
            sys.exit(f"expected an empty plan, got {done.stdout[-2000:]}")
    med = {k: statistics.median(v) for k, v in runs.items()}
    assets = sum(len(files) for _, _, files in os.walk(os.path.join(repo, "bundles", "prod"))) - a.clients
    print(f"repository: gen_repo.py --datasets {a.datasets} --charts-per-dataset 4 --clients {a.clients} "
          f"({assets} assets in {a.clients} tenant bundles); Superset at {a.url}; medians of {a.repetitions}")
    print(f"hybrid plan after one chart template edit   {med['plan_one_edit']:8.3f} s   shows {sorted(shown)}")
    print(f"hybrid plan, nothing changed                {med['plan_nothing_changed']:8.3f} s")
    os.makedirs(os.path.join(ROOT, "bench-out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench-out", "plan-bench.json"), "w") as f:
        json.dump({"seconds": med, "runs": runs, "assets": assets}, f, indent=2)


if __name__ == "__main__":
    main()
