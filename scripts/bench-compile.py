#!/usr/bin/env python3
"""Benchmark `hybrid compile` against the reference compiler (Python Jinja2 + PyYAML, no cache).

  scripts/bench-compile.py [--clients 100] [--datasets 40] [--charts-per-dataset 4]
                           [--repetitions 3] [--memory-clients 500] [--hybrid PATH] [--work-dir DIR]

Generates the repository with ../shared/bench/gen_repo.py, then in one run measures (medians of
--repetitions, each on a fresh copy of the repository, so every cold run really is cold):

  reference   reference_compile.py REPO --env prod --all-mappings
  cold        hybrid compile --env prod --all-mappings, empty cache and no bundles
  no-op       the same again, nothing changed
  chart edit  one chart template edited (its rendered output changes)
  env var     CACHE_TIMEOUT changed in env/prod.yaml (read only by charts, through a partial)

and checks: only the edited chart's 100 outputs are rewritten (every other file keeps its mtime);
the env change re-renders only chart templates. Peak memory (max RSS) of a cold compile of the
--memory-clients repository is measured with getrusage. Prints a table with ratios and writes
bench-out/compile-bench.json.

Timing on a shared machine is noisy: compare the ratios, which come from one run. Runs write into
fresh directories and delete them at the end (ext4 without a journal makes file creation slow for
a while after mass deletion, so the script never deletes between measurements). That slowness
shows as system time and lasts minutes after any large deletion, including the previous run's
cleanup; for clean figures give --work-dir a freshly made file system, e.g.

  truncate -s 8G /tmp/bench.img && mkfs.ext4 -q /tmp/bench.img && mkdir -p /mnt/bench \
    && mount -o loop /tmp/bench.img /mnt/bench
  python3 scripts/bench-compile.py --repetitions 5 --work-dir /mnt/bench
"""
import argparse, json, os, re, resource, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))


def run(cmd, cwd=None, capture=True):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE if capture else None,
                          stderr=subprocess.PIPE if capture else None, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    return elapsed, done


def peak_rss_mb(cmd, cwd):
    """Max RSS of one child process, in MB (getrusage of a fresh child via a wrapper)."""
    code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[2:], cwd=sys.argv[1], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")
    done = subprocess.run([sys.executable, "-c", code, cwd] + cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return int(done.stdout.strip()) / 1024


def snapshot(directory):
    times = {}
    for base, _, files in os.walk(directory):
        for name in files:
            path = os.path.join(base, name)
            times[os.path.relpath(path, directory)] = os.stat(path).st_mtime_ns
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--charts-per-dataset", type=int, default=4)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--memory-clients", type=int, default=500, help="0 to skip the memory measurement")
    ap.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    ap.add_argument("--no-build", action="store_true", help="use --hybrid as is (default: swift build -c release)")
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "bench-out"),
                    help="where the repositories and outputs are written (default: bench-out)")
    a = ap.parse_args()

    if not a.no_build:
        run(["swift", "build", "-c", "release", "--product", "hybrid"], cwd=ROOT, capture=False)
    hybrid = os.path.abspath(a.hybrid)
    work = os.path.join(os.path.abspath(a.work_dir), f"compile-bench-{os.getpid()}")
    os.makedirs(work)
    source = os.path.join(work, "repo")
    run([sys.executable, os.path.join(SHARED, "gen_repo.py"), source, "--datasets", str(a.datasets),
         "--charts-per-dataset", str(a.charts_per_dataset), "--clients", str(a.clients)])
    templates = sum(len(f) for _, _, f in os.walk(os.path.join(source, "assets", "charts")))
    compile_cmd = [hybrid, "compile", "--env", "prod", "--all-mappings"]
    results = {"clients": a.clients, "datasets": a.datasets, "charts_per_dataset": a.charts_per_dataset}
    try:
        reference, cold, noop, edit, envvar = [], [], [], [], []
        checks = {}
        for rep in range(a.repetitions):
            out = os.path.join(work, f"reference-{rep}")
            elapsed, _ = run([sys.executable, os.path.join(SHARED, "reference_compile.py"), source, "--env", "prod",
                              "--all-mappings", "--out", out])
            reference.append(elapsed)

            repo = os.path.join(work, f"hybrid-{rep}")
            shutil.copytree(source, repo)
            elapsed, done = run(compile_cmd, cwd=repo)
            cold.append(elapsed)
            outputs = sum(1 for line in snapshot(os.path.join(repo, "bundles")) if line.endswith(".yaml"))
            checks["outputs"] = outputs
            elapsed, _ = run(compile_cmd, cwd=repo)
            noop.append(elapsed)

            before = snapshot(os.path.join(repo, "bundles"))
            chart = os.path.join(repo, "assets", "charts", "chart_0000_0.yaml.j2")
            with open(chart) as f:
                text = f.read()
            with open(chart, "w") as f:
                f.write(text.replace("row_limit: {{ ROW_LIMIT | default(1000) }}",
                                     f"row_limit: {{{{ ROW_LIMIT | default({2000 + rep}) }}}}"))
            elapsed, done = run(compile_cmd + ["--format", "json"], cwd=repo)
            edit.append(elapsed)
            after = snapshot(os.path.join(repo, "bundles"))
            changed = sorted(p for p in after if after[p] != before.get(p) and not p.endswith(".hybrid-bundle.json"))
            checks["chart_edit_rewritten"] = len(changed)
            checks["chart_edit_only_that_chart"] = all(p.endswith("charts/chart_0000_0.yaml") for p in changed)

            env_file = os.path.join(repo, "env", "prod.yaml")
            with open(env_file) as f:
                env_text = f.read()
            with open(env_file, "w") as f:
                f.write(re.sub(r"CACHE_TIMEOUT: \d+", f"CACHE_TIMEOUT: {7200 + rep}", env_text))
            elapsed, done = run(compile_cmd + ["--explain", "--format", "json"], cwd=repo)
            envvar.append(elapsed)
            renders = [line for line in json.loads(done.stdout)["explanations"] if line.startswith("render ")]
            checks["env_var_renders"] = len(renders)
            checks["env_var_only_charts"] = all(line.startswith("render assets/charts/") for line in renders)
            checks["chart_templates"] = templates

        med = {name: statistics.median(v) for name, v in
               [("reference", reference), ("cold", cold), ("noop", noop), ("chart_edit", edit), ("env_var", envvar)]}
        results.update({"seconds": med, "runs": {"reference": reference, "cold": cold, "noop": noop,
                                                   "chart_edit": edit, "env_var": envvar}, "checks": checks})
        results["ratios"] = {
            "cold_speedup": med["reference"] / med["cold"],
            "noop_fraction": med["noop"] / med["reference"],
            "chart_edit_fraction": med["chart_edit"] / med["reference"],
            "env_var_fraction": med["env_var"] / med["reference"],
        }

        if a.memory_clients:
            big = os.path.join(work, "memory-repo")
            run([sys.executable, os.path.join(SHARED, "gen_repo.py"), big, "--datasets", str(a.datasets),
                 "--charts-per-dataset", str(a.charts_per_dataset), "--clients", str(a.memory_clients)])
            results["memory"] = {"clients": a.memory_clients,
                                 "peak_rss_mb": peak_rss_mb(compile_cmd, big),
                                 "outputs": sum(1 for p in snapshot(os.path.join(big, "bundles")) if p.endswith(".yaml"))}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    r, s, c = results["ratios"], results["seconds"], results["checks"]
    print(f"repository: {a.datasets} datasets, {a.charts_per_dataset} charts each, {a.clients} clients "
          f"({c['outputs']} outputs); medians of {a.repetitions}")
    print(f"{'run':<34}{'seconds':>10}   vs reference")
    print(f"{'reference_compile.py (Python)':<34}{s['reference']:>10.3f}")
    print(f"{'hybrid cold':<34}{s['cold']:>10.3f}   {r['cold_speedup']:.1f}x faster (aim >= 10x)")
    print(f"{'hybrid no-op':<34}{s['noop']:>10.3f}   1/{1 / r['noop_fraction']:.0f} (aim <= 1/100)")
    print(f"{'hybrid one chart edited':<34}{s['chart_edit']:>10.3f}   1/{1 / r['chart_edit_fraction']:.0f} (aim <= 1/50)")
    print(f"{'hybrid env var (charts only)':<34}{s['env_var']:>10.3f}   1/{1 / r['env_var_fraction']:.0f}")
    print(f"chart edit: {c['chart_edit_rewritten']} files rewritten, only that chart: {c['chart_edit_only_that_chart']}")
    print(f"env var: {c['env_var_renders']} renders, all charts: {c['env_var_only_charts']} "
          f"({c['chart_templates']} chart templates)")
    if "memory" in results:
        m = results["memory"]
        print(f"peak memory, cold compile at {m['clients']} clients ({m['outputs']} outputs): "
              f"{m['peak_rss_mb']:.0f} MB (aim < 250 MB)")
    with open(os.path.join(ROOT, "bench-out", "compile-bench.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
