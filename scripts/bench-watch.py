#!/usr/bin/env python3
"""Save-to-bundles latency of `hybrid watch`, against `hybrid compile` run after each save.

  scripts/bench-watch.py [--clients 100] [--datasets 40] [--charts-per-dataset 4] [--saves 30]
                         [--env-saves 30] [--pause 0.3] [--hybrid PATH] [--work-dir DIR]

Generates the repository with ../shared/bench/gen_repo.py, compiles it once, starts
`hybrid watch --all-mappings --format json` in it, and in one run measures, per save, the time
from just before the save to the watcher's `rebuild` event (printed after the last file is
written), then checks the outputs on disk:

  chart in place     assets/charts/chart_0001_0.yaml.j2 rewritten in place (open, truncate, write)
  chart temp+rename  the same written to a temporary file renamed over it (VS Code, JetBrains)
  chart vim          vim's backup-rename save: the 4913 probe, the file renamed to x~, a new file
                     written, the backup removed
  env value          ROW_LIMIT in env/dev.yaml changed (read by every chart: 16,000 outputs)
  mapping            one tenant's metric rename in mappings/client_003.yaml (that tenant's datasets)

After each chart save, all 100 tenant outputs of the chart must hold the new value; after an env
save, every chart output sampled; after a mapping save, the tenant's datasets. Then the watcher
is stopped (SIGINT: exit 0 expected) and the same saves (in place) are measured as save +
`hybrid compile --all-mappings`, which is what an author does without watch mode.

Prints p50/p95/max per scenario and the ratio of the compile loop to the watcher, and writes
watch-bench.json into the work directory. Timing on a shared machine is noisy: compare within a run.
"""
import argparse, json, os, select, shutil, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))
CHART = "assets/charts/chart_0001_0.yaml.j2"
ENV = "env/dev.yaml"
MAPPING = "mappings/client_003.yaml"


def percentile(values, fraction):
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))  # nearest rank
    return ordered[rank - 1]


def write_in_place(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def write_temp_rename(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


def write_vim(path, text):
    folder = os.path.dirname(path)
    probe = os.path.join(folder, "4913")
    open(probe, "w").close()
    os.unlink(probe)
    os.rename(path, path + "~")
    with open(path, "w") as handle:
        handle.write(text)
    os.unlink(path + "~")


STYLES = {"in place": write_in_place, "temp+rename": write_temp_rename, "vim": write_vim}


class Watcher:
    def __init__(self, hybrid, repo):
        self.process = subprocess.Popen(
            [hybrid, "watch", "--all-mappings", "--format", "json"], cwd=repo,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.pending = b""
        self.wait_for(lambda event: event.get("event") == "watching", timeout=600)

    def wait_for(self, accept, timeout=60):
        deadline = time.perf_counter() + timeout
        descriptor = self.process.stdout.fileno()
        while time.perf_counter() < deadline:
            while b"\n" in self.pending:
                line, self.pending = self.pending.split(b"\n", 1)
                event = json.loads(line)
                if accept(event):
                    return event, time.perf_counter()
            ready, _, _ = select.select([descriptor], [], [], max(0, deadline - time.perf_counter()))
            if not ready:
                break
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                sys.exit("the watcher ended early")
            self.pending += chunk
        sys.exit("no event from the watcher within %d s" % timeout)

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        if code != 0:
            sys.exit(f"the watcher exited {code} on SIGINT (expected 0)")


def chart_text(base, value):
    return base.replace("default(1000)", f"default({value})")


def check_chart(repo, clients, value):
    for client in range(clients):
        path = os.path.join(repo, f"bundles/dev/client_{client:03d}/charts/chart_0001_0.yaml")
        if f"row_limit: {value}\n" not in open(path).read():
            return f"{path} does not hold row_limit {value}"
    return None


def check_env(repo, clients, value):
    for client in range(0, clients, 9):
        for chart in ("chart_0000_0", "chart_0017_2", "chart_0039_3"):
            path = os.path.join(repo, f"bundles/dev/client_{client:03d}/charts/{chart}.yaml")
            if f"row_limit: {value}\n" not in open(path).read():
                return f"{path} does not hold row_limit {value}"
    return None


def check_mapping(repo, datasets, value):
    for index in range(datasets):
        path = os.path.join(repo, f"bundles/dev/client_003/datasets/fact_{index:04d}.yaml")
        if value not in open(path).read():
            return f"{path} does not hold {value}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--datasets", type=int, default=40)
    parser.add_argument("--charts-per-dataset", type=int, default=4)
    parser.add_argument("--saves", type=int, default=30, help="saves per chart style and for the mapping")
    parser.add_argument("--env-saves", type=int, default=30)
    parser.add_argument("--pause", type=float, default=0.3,
                        help="seconds between one save's rebuild and the next save (an author's pace)")
    parser.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    parser.add_argument("--work-dir", default=None)
    args = parser.parse_args()
    hybrid = os.path.abspath(args.hybrid)
    work = tempfile.mkdtemp(prefix="hybrid-watch-bench-", dir=args.work_dir)
    repo = os.path.join(work, "repo")
    subprocess.run([sys.executable, os.path.join(SHARED, "gen_repo.py"), repo, "--datasets", str(args.datasets),
                    "--charts-per-dataset", str(args.charts_per_dataset), "--clients", str(args.clients)],
                   check=True)
    chart_path, env_path, mapping_path = (os.path.join(repo, p) for p in (CHART, ENV, MAPPING))
    chart_base = open(chart_path).read()
    env_base = open(env_path).read()
    mapping_base = open(mapping_path).read()
    subprocess.run([hybrid, "compile", "--all-mappings"], cwd=repo, check=True, capture_output=True)

    results = {}
    inside = {}  # the watcher's own time per rebuild (from the batch to the event), for the split
    counter = [2000]

    def next_value():
        counter[0] += 1
        return counter[0]

    def measure(name, saves, save, check, relative):
        latencies = []
        rebuilds = []
        for _ in range(saves):
            value = next_value()
            started = time.perf_counter()
            save(value)
            while True:
                event, at = watcher.wait_for(
                    lambda e: e.get("event") == "rebuild" and any(
                        relative == p or relative.startswith(p + "/") for p in e["changed"]) or e.get("rescan"))
                problem = check(value)
                if problem is None:
                    break
            latencies.append((at - started) * 1000)
            rebuilds.append(event.get("milliseconds", 0))
            time.sleep(args.pause)
        results["watch " + name] = latencies
        inside["watch " + name] = rebuilds

    watcher = Watcher(hybrid, repo)
    for style, writer in STYLES.items():
        measure(f"chart {style}", args.saves, lambda v, w=writer: w(chart_path, chart_text(chart_base, v)),
                lambda v: check_chart(repo, args.clients, v), CHART)
    measure("env value", args.env_saves, lambda v: write_in_place(env_path, env_base + f"ROW_LIMIT: {v}\n"),
            lambda v: check_env(repo, args.clients, v), ENV)
    write_in_place(env_path, env_base)  # ROW_LIMIT would hide the chart edits' default from now on
    watcher.wait_for(lambda e: e.get("event") == "rebuild" and ENV in e["changed"])
    measure("mapping", args.saves,
            lambda v: write_in_place(mapping_path, mapping_base.replace("Client 003 Rows", f"Client 003 Rows {v}")),
            lambda v: check_mapping(repo, args.datasets, f"Client 003 Rows {v}"), MAPPING)
    watcher.stop()

    def compile_loop(name, saves, save, check):
        latencies = []
        for _ in range(saves):
            value = next_value()
            started = time.perf_counter()
            save(value)
            subprocess.run([hybrid, "compile", "--all-mappings"], cwd=repo, capture_output=True)
            latencies.append((time.perf_counter() - started) * 1000)
            problem = check(value)
            if problem:
                sys.exit("compile loop: " + problem)
        results["compile " + name] = latencies

    compile_loop("chart in place", args.saves, lambda v: write_in_place(chart_path, chart_text(chart_base, v)),
                 lambda v: check_chart(repo, args.clients, v))
    compile_loop("env value", args.env_saves, lambda v: write_in_place(env_path, env_base + f"ROW_LIMIT: {v}\n"),
                 lambda v: check_env(repo, args.clients, v))
    write_in_place(env_path, env_base)
    subprocess.run([hybrid, "compile", "--all-mappings"], cwd=repo, check=True, capture_output=True)
    compile_loop("mapping", args.saves,
                 lambda v: write_in_place(mapping_path, mapping_base.replace("Client 003 Rows", f"Client 003 Rows {v}")),
                 lambda v: check_mapping(repo, args.datasets, f"Client 003 Rows {v}"))

    print(f"\n{args.clients} tenants, {args.datasets * args.charts_per_dataset} charts; ms from save to all outputs written")
    print(f"{'scenario':<28}{'saves':>6}{'p50':>9}{'p95':>9}{'max':>9}{'rebuild p50':>13}")
    summary = {}
    for name, values in results.items():
        row = {"saves": len(values), "p50": statistics.median(values), "p95": percentile(values, 0.95),
               "max": max(values)}
        rebuild = ""
        if name in inside:
            row["rebuild_p50"] = statistics.median(inside[name])
            rebuild = f"{row['rebuild_p50']:>13.1f}"
        summary[name] = row
        print(f"{name:<28}{row['saves']:>6}{row['p50']:>9.1f}{row['p95']:>9.1f}{row['max']:>9.1f}{rebuild}")
    print("\ncompile loop / watch (p50, p95):")
    for scenario, watched in (("chart in place", "chart in place"), ("env value", "env value"),
                              ("mapping", "mapping")):
        loop, hot = summary["compile " + scenario], summary["watch " + watched]
        print(f"  {scenario:<18} {loop['p50'] / hot['p50']:6.1f}x {loop['p95'] / hot['p95']:6.1f}x")
    with open(os.path.join(work, "watch-bench.json"), "w") as handle:
        json.dump(summary, handle, indent=2)
    print(f"\nwrote {os.path.join(work, 'watch-bench.json')}")
    shutil.rmtree(repo, ignore_errors=True)


if __name__ == "__main__":
    main()
