#!/usr/bin/env python3
"""Benchmark `hybrid compile` against the reference compiler (Python Jinja2 + PyYAML, no cache).

  scripts/bench-compile.py [--clients 100] [--datasets 40] [--charts-per-dataset 4]
                           [--repetitions 3] [--memory-clients 500] [--hybrid PATH] [--work-dir DIR]
                           [--baseline OTHER_HYBRID] [--dynamic]

Builds hybrid as it is shipped: a release build with the Swift runtime linked in
(`swift build -c release --static-swift-stdlib --scratch-path .build-static`; no PIE, no libcurl);
it starts in ~7 ms instead of ~22 ms. --dynamic measures the plain `swift build -c release` binary
instead.

Generates the repository with ../shared/bench/gen_repo.py, then in one run measures (medians of
--repetitions, each on a fresh copy of the repository, so every cold run really is cold; every
timed run, the reference's too, starts after a `sync`, so it does not pay for the writeback of
the step before):

  reference   reference_compile.py REPO --env prod --all-mappings
  cold        hybrid compile --env prod --all-mappings, empty cache and no bundles
  no-op       the same again, nothing changed
  chart edit  one chart template edited (its rendered output changes)
  env var     CACHE_TIMEOUT changed in env/prod.yaml (read only by charts, through a partial)

and checks: only the edited chart's 100 outputs are rewritten (every other file keeps its mtime);
the env change re-renders only chart templates. Peak memory (max RSS) of a cold compile of the
--memory-clients repository is measured with getrusage. Prints a table with ratios and writes
compile-bench.json into the work directory.

With --baseline, a second binary (an earlier build) runs the same hybrid measurements in the same
repetitions, the two taking turns going first, and the script reports both and their ratios.

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
    # The previous step's writes go to disk first (not timed): a run must not pay for the kernel's
    # writeback of the one before (23,000 files just written by a cold compile, say).
    os.sync()
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


def measure(hybrid, source, repo, rep, templates):
    """Cold, no-op, one chart edited, an env var changed: one binary on a fresh copy of the repository."""
    compile_cmd = [hybrid, "compile", "--env", "prod", "--all-mappings"]
    timings, checks = {}, {}
    shutil.copytree(source, repo)
    timings["cold"], _ = run(compile_cmd, cwd=repo)
    checks["outputs"] = sum(1 for line in snapshot(os.path.join(repo, "bundles")) if line.endswith(".yaml"))
    timings["noop"], _ = run(compile_cmd, cwd=repo)

    before = snapshot(os.path.join(repo, "bundles"))
    chart = os.path.join(repo, "assets", "charts", "chart_0000_0.yaml.j2")
    with open(chart) as f:
        text = f.read()
    with open(chart, "w") as f:
        f.write(text.replace("row_limit: {{ ROW_LIMIT | default(1000) }}",
                             f"row_limit: {{{{ ROW_LIMIT | default({2000 + rep}) }}}}"))
    timings["chart_edit"], _ = run(compile_cmd + ["--format", "json"], cwd=repo)
    after = snapshot(os.path.join(repo, "bundles"))
    changed = sorted(p for p in after if after[p] != before.get(p) and not p.endswith(".hybrid-bundle.json"))
    checks["chart_edit_rewritten"] = len(changed)
    checks["chart_edit_only_that_chart"] = all(p.endswith("charts/chart_0000_0.yaml") for p in changed)

    env_file = os.path.join(repo, "env", "prod.yaml")
    with open(env_file) as f:
        env_text = f.read()
    with open(env_file, "w") as f:
        f.write(re.sub(r"CACHE_TIMEOUT: \d+", f"CACHE_TIMEOUT: {7200 + rep}", env_text))
    timings["env_var"], done = run(compile_cmd + ["--explain", "--format", "json"], cwd=repo)
    renders = [line for line in json.loads(done.stdout)["explanations"] if line.startswith("render ")]
    checks["env_var_renders"] = len(renders)
    checks["env_var_only_charts"] = all(line.startswith("render assets/charts/") for line in renders)
    checks["chart_templates"] = templates
    return timings, checks


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--charts-per-dataset", type=int, default=4)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--memory-clients", type=int, default=500, help="0 to skip the memory measurement")
    ap.add_argument("--hybrid", help="the binary (default: .build-static/release/hybrid, or .build/release/hybrid "
                                     "with --dynamic)")
    ap.add_argument("--dynamic", action="store_true", help="build and measure without --static-swift-stdlib")
    ap.add_argument("--no-build", action="store_true", help="use --hybrid as is (default: build it first)")
    ap.add_argument("--baseline", help="another hybrid binary measured in the same run, taking turns with --hybrid "
                                       "(an A/B against an earlier build)")
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "bench-out"),
                    help="where the repositories and outputs are written (default: bench-out)")
    a = ap.parse_args()

    scratch = ".build" if a.dynamic else ".build-static"
    if not a.no_build:
        build = ["swift", "build", "-c", "release", "--product", "hybrid"]
        if not a.dynamic:
            build += ["--static-swift-stdlib", "--scratch-path", scratch]
        run(build, cwd=ROOT, capture=False)
    hybrid = os.path.abspath(a.hybrid or os.path.join(ROOT, scratch, "release", "hybrid"))
    work = os.path.join(os.path.abspath(a.work_dir), f"compile-bench-{os.getpid()}")
    os.makedirs(work)
    source = os.path.join(work, "repo")
    run([sys.executable, os.path.join(SHARED, "gen_repo.py"), source, "--datasets", str(a.datasets),
         "--charts-per-dataset", str(a.charts_per_dataset), "--clients", str(a.clients)])
    templates = sum(len(f) for _, _, f in os.walk(os.path.join(source, "assets", "charts")))
    compile_cmd = [hybrid, "compile", "--env", "prod", "--all-mappings"]
    results = {"clients": a.clients, "datasets": a.datasets, "charts_per_dataset": a.charts_per_dataset}
    binaries = {"hybrid": hybrid}
    if a.baseline:
        binaries["baseline"] = os.path.abspath(a.baseline)
    try:
        reference = []
        runs = {name: {"cold": [], "noop": [], "chart_edit": [], "env_var": []} for name in binaries}
        checks = {}
        for rep in range(a.repetitions):
            out = os.path.join(work, f"reference-{rep}")
            elapsed, _ = run([sys.executable, os.path.join(SHARED, "reference_compile.py"), source, "--env", "prod",
                              "--all-mappings", "--out", out])
            reference.append(elapsed)
            # With a baseline, the two binaries take turns going first.
            order = list(binaries) if rep % 2 == 0 else list(reversed(list(binaries)))
            for name in order:
                timings, found = measure(binaries[name], source, os.path.join(work, f"{name}-{rep}"), rep, templates)
                for key, value in timings.items():
                    runs[name][key].append(value)
                if name == "hybrid":
                    checks = found

        med = {"reference": statistics.median(reference)}
        med.update({key: statistics.median(values) for key, values in runs["hybrid"].items()})
        results.update({"seconds": med, "runs": {"reference": reference, **runs["hybrid"]}, "checks": checks})
        results["ratios"] = {
            "cold_speedup": med["reference"] / med["cold"],
            "noop_fraction": med["noop"] / med["reference"],
            "chart_edit_fraction": med["chart_edit"] / med["reference"],
            "env_var_fraction": med["env_var"] / med["reference"],
        }
        if a.baseline:
            base = {key: statistics.median(values) for key, values in runs["baseline"].items()}
            results["baseline"] = {"binary": binaries["baseline"], "seconds": base, "runs": runs["baseline"],
                                   "hybrid_over_baseline": {key: med[key] / base[key] for key in base}}

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
    print(f"{'hybrid cold':<34}{s['cold']:>10.3f}   {r['cold_speedup']:.1f}x faster (aim >= 15x)")
    print(f"{'hybrid no-op':<34}{s['noop']:>10.3f}   1/{1 / r['noop_fraction']:.0f} (aim <= 1/250)")
    print(f"{'hybrid one chart edited':<34}{s['chart_edit']:>10.3f}   1/{1 / r['chart_edit_fraction']:.0f} (aim <= 1/150)")
    print(f"{'hybrid env var (charts only)':<34}{s['env_var']:>10.3f}   1/{1 / r['env_var_fraction']:.0f}")
    print(f"chart edit: {c['chart_edit_rewritten']} files rewritten, only that chart: {c['chart_edit_only_that_chart']}")
    print(f"env var: {c['env_var_renders']} renders, all charts: {c['env_var_only_charts']} "
          f"({c['chart_templates']} chart templates)")
    if "memory" in results:
        m = results["memory"]
        print(f"peak memory, cold compile at {m['clients']} clients ({m['outputs']} outputs): "
              f"{m['peak_rss_mb']:.0f} MB (aim < 250 MB)")
    if "baseline" in results:
        b = results["baseline"]
        print(f"baseline {b['binary']} in the same run (medians; hybrid / baseline):")
        for key in ("cold", "noop", "chart_edit", "env_var"):
            print(f"  {key:<12}{b['seconds'][key]:>10.3f}   hybrid {s[key]:.3f}   ratio {b['hybrid_over_baseline'][key]:.3f}")
    os.makedirs(a.work_dir, exist_ok=True)
    with open(os.path.join(a.work_dir, "compile-bench.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {os.path.join(a.work_dir, 'compile-bench.json')}")


if __name__ == "__main__":
    main()
