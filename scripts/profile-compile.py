#!/usr/bin/env python3
"""Where a compile's CPU time goes, by phase: `perf record -g` of one hybrid binary on the
benchmark repository, each sample's stack attributed to the first phase it names.

  scripts/profile-compile.py [--hybrid PATH] [--scenario noop|edit|cold] [--clients 100]
                             [--work-dir DIR] [--frequency 20000] [--runs 5]

Generates the repository with ../shared/bench/gen_repo.py (40 datasets, 4 charts each, --clients
tenants), compiles it once, then per run: for `edit`, changes one chart template's row_limit
default; for `cold`, starts from a fresh copy. Prints, summed over --runs, each phase's share of
the samples and its CPU milliseconds per run (samples / frequency / runs; both cores count, so
the sum exceeds the wall time), and the median wall time of the same compiles without perf.
Works on any hybrid binary (an older build gives the "before" column): phases are matched by
symbol names that have not changed.
"""
import argparse, collections, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py"))

# (phase, any of these in a stack frame's symbol); the first phase a stack names wins. A Swift
# symbol's own type is spelled with its module (`14HybridCompiler11RenderStageC…`), a parameter's
# type is not, so a function that merely takes a RenderStage is not counted as the render stage.
PHASES = [
    ("startup: dynamic linking", ["_dl_", "dl_main"]),
    ("startup: argument parsing", ["s14ArgumentParser"]),
    ("inputs: mapping files", ["14HybridCompiler11BuildTargetV", "14HybridCompiler13TenantMappingV"]),
    ("inputs: env, assets", ["14HybridCompiler10CompileRunV10readInputs", "14HybridCompiler12AssetCatalogV",
                             "14HybridCompiler17TemplateVariablesV"]),
    ("render (cache lookups, renders)", ["14HybridCompiler11RenderStageC"]),
    ("bundles: stat of outputs", ["fstatat"]),
    ("bundles: record read/decode", ["StoreC10readRecord", "14HybridCompiler16BundleRecordViewV",
                                     "14HybridCompiler12BundleRecordV", "14HybridCompiler12BundleStatusV4load"]),
    ("bundles: link, normalize, emit", ["14HybridCompiler13BundleBuilderV16linkAndNormalize",
                                        "14HybridCompiler13BundleBuilderV7prepare", "14HybridCompiler9LinkTableV"]),
    ("bundles: write outputs, records, status", ["14HybridCompiler12StagedWritesC", "StoreC11writeRecord",
                                                 "14HybridCompiler17BundleTransactionV", "commitStored"]),
    ("bundles: other", ["14HybridCompiler13BundleBuilderV", "14HybridCompiler10CompileRunV12buildBundles"]),
]


def edit(repo, value):
    path = os.path.join(repo, "assets", "charts", "chart_0000_0.yaml.j2")
    text = open(path).read()
    text = re.sub(r"ROW_LIMIT \| default\(\d+\)", f"ROW_LIMIT | default({value})", text, count=1)
    open(path, "w").write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    ap.add_argument("--scenario", choices=["noop", "edit", "cold"], default="noop")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "bench-out"))
    ap.add_argument("--frequency", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    hybrid = os.path.abspath(a.hybrid)
    os.makedirs(a.work_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="profile-compile-", dir=a.work_dir)
    try:
        source = os.path.join(work, "source")
        subprocess.run([sys.executable, GEN, source, "--datasets", "40", "--charts-per-dataset", "4",
                        "--clients", str(a.clients)], check=True, stdout=subprocess.DEVNULL)
        command = [hybrid, "compile", "--env", "prod", "--all-mappings"]
        repo = os.path.join(work, "repo")
        shutil.copytree(source, repo)
        subprocess.run(command, cwd=repo, check=True, capture_output=True)
        counts, total, walls = collections.Counter(), 0, []
        for run in range(a.runs):
            for perf in (False, True):
                if a.scenario == "cold":
                    shutil.rmtree(repo)
                    shutil.copytree(source, repo)
                elif a.scenario == "edit":
                    edit(repo, 3000 + 2 * run + int(perf))
                if not perf:
                    start = time.perf_counter()
                    subprocess.run(command, cwd=repo, check=True, capture_output=True)
                    walls.append(time.perf_counter() - start)
                    continue
                data = os.path.join(work, "perf.data")
                subprocess.run(["perf", "record", "-q", "-F", str(a.frequency), "-g", "-o", data, "--"] + command,
                               cwd=repo, check=True, capture_output=True)
                script = subprocess.run(["perf", "script", "-i", data], capture_output=True, text=True).stdout
                for stack in script.split("\n\n"):
                    frames = stack.strip().split("\n")[1:]
                    if not frames:
                        continue
                    total += 1
                    phase = next((name for name, keys in PHASES if any(k in f for f in frames for k in keys)), "other")
                    counts[phase] += 1
        print(f"{os.path.basename(hybrid)} ({hybrid}), {a.scenario}, {a.clients} tenants, {a.runs} runs")
        print(f"wall time without perf: median {statistics.median(walls) * 1000:.1f} ms")
        print(f"{'phase':<42}{'share':>8}{'CPU ms/run':>12}")
        for name, _ in PHASES + [("other", [])]:
            share = counts[name] / max(total, 1)
            print(f"{name:<42}{share * 100:>7.1f}%{counts[name] / a.frequency / a.runs * 1000:>12.1f}")
        print(f"{'total':<42}{100:>7.1f}%{total / a.frequency / a.runs * 1000:>12.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
