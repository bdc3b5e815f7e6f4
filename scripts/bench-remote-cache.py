#!/usr/bin/env python3
"""Benchmark the shared remote cache (HYBRID_REMOTE_CACHE) against local builds, in one run.

  scripts/bench-remote-cache.py [--clients 100] [--datasets 40] [--charts-per-dataset 4]
                                [--repetitions 5] [--port 8191] [--hybrid PATH] [--work-dir DIR]

Generates the repository with ../shared/bench/gen_repo.py, starts a real remote cache (nginx with
WebDAV, `scripts/remote-cache-local up --port P`; stopped again at the end, also on failure) and
measures, medians of --repetitions, each run on a fresh copy of the repository (a fresh runner: no
.hybrid-cache/, no bundles/):

  local cold      hybrid compile --env prod --all-mappings, no cache, no bundles, no remote
  writer          the same with HYBRID_REMOTE_CACHE_WRITE=1: warms the remote (once, before the
                  repetitions; its time, requests and uploaded bytes and bundles are reported)
  fresh runner    the same on a fresh copy with HYBRID_REMOTE_CACHE set (a reader): checks that every
                  output was fetched and that its bundles/ tree is byte for byte the local cold one's
  no-op           compile again in the finished local cold repository
  write floor     `cp -r` of a finished bundles/ tree into a fresh folder: what writing the files
                  alone costs on this file system, for context
  shard i/4       --shard i/4 cold on fresh copies, no remote; the union of the four bundles/ trees
                  (without bundles/.hybrid-status/) must be the full build's, file for file
  validate        hybrid validate --env prod --all-mappings on a fresh runner without and with the
                  remote, after a writer ran validate once (its own prefix, so the writer really
                  compiles and checks everything); with the remote both the bundles and the
                  validation records come from it. Exit status 1 (the generated tenants share
                  dashboard slugs: duplicate errors) is fine; the findings must be the same with
                  and without the remote.

Each run of the script uses its own URL prefix (/bench-<pid>-<time>/compile and .../validate), so
entries left by an earlier run never make a "warm" measurement lie. Request counts and bytes come
from hybrid's JSON (`remote`) for compile and from nginx's access log for validate (whose JSON has no
request statistics); the log also cross-checks compile's figures. MB are 10^6 bytes.

Prints a table (seconds, ratio to local cold, remote figures) with the aims (a fresh runner with a
warm remote takes at most 1/3 of a local cold build; each of 4 shards at most 35% of the full build)
and writes remote-cache-bench.json into the work directory. The binary is used as it is (build it
first: swift build -c release --product hybrid).

As in bench-compile.py: runs write into fresh directories and the script never deletes between
measurements (ext4 creates files slowly for minutes after a mass deletion); everything is deleted at
the end. One repetition writes about six full outputs trees (22,900 files each at the default size),
so the file system needs roughly 150,000 free inodes per repetition: the script checks before it
starts. For clean figures give --work-dir a freshly made file system with enough inodes, e.g.

  truncate -s 16G /tmp/bench.img && mkfs.ext4 -q -N 2000000 /tmp/bench.img && mkdir -p /mnt/bench \\
    && mount -o loop /tmp/bench.img /mnt/bench
  python3 scripts/bench-remote-cache.py --work-dir /mnt/bench
"""
import argparse, collections, hashlib, json, os, re, resource, shutil, socket, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))
SHARDS = 4
FRESH_AIM = 1 / 3      # fresh runner with a warm remote / local cold
SHARD_AIM = 0.35       # each shard / the full local cold build
# What a crash leaves on stderr (Swift runtime traps, signals); validate's exit 1 is fine, these are not.
CRASH = re.compile(r"Fatal error|Stack dump|Segmentation fault|Illegal instruction|Trace/breakpoint|"
                   r"Assertion failed|Aborted|Bus error")


def run(cmd, cwd=None, env=None, ok=(0,)):
    """Runs cmd; returns (seconds, user+system CPU seconds of the child, the CompletedProcess).
    Stops the script on an exit status not in ok, on a signal, or on a crash report on stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok or CRASH.search(done.stderr):
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)} in {cwd}\n{done.stderr[-4000:]}")
    cpu = {"user": after.ru_utime - before.ru_utime, "system": after.ru_stime - before.ru_stime}
    return elapsed, cpu, done


def hybrid_env(url=None, write=False):
    """The environment of one hybrid run: only this script's remote settings (none inherited).
    Without url the remote is off, even if hybrid.yaml names one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYBRID_REMOTE_CACHE")}
    env["HYBRID_REMOTE_CACHE"] = url or "off"
    if write:
        env["HYBRID_REMOTE_CACHE_WRITE"] = "1"
    return env


def fresh_copy(source, dest):
    """A fresh runner: the repository without .hybrid-cache/ and bundles/."""
    shutil.copytree(source, dest, ignore=lambda d, names: [n for n in names if d == source
                                                            and n in (".hybrid-cache", "bundles")])
    return dest


def tree(directory, skip_status=False):
    """Relative path -> sha256 of every file under directory; skip_status leaves out .hybrid-status/
    (per-bundle status JSON, not bundle files)."""
    files = {}
    for base, dirs, names in os.walk(directory):
        if skip_status and base == directory and ".hybrid-status" in dirs:
            dirs.remove(".hybrid-status")
        for name in names:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                files[os.path.relpath(path, directory)] = hashlib.sha256(f.read()).hexdigest()
    return files


def tree_difference(expected, found):
    """A short description of how two trees differ ('' when they are the same)."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(p for p in set(expected) & set(found) if expected[p] != found[p])
    if not (missing or extra or changed):
        return ""
    return (f"{len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}, "
            f"{len(changed)} with other bytes {changed[:3]}")


def usage(directory):
    """(inodes, bytes on disk) under directory."""
    inodes, size = 0, 0
    for base, dirs, names in os.walk(directory):
        for name in dirs + names:
            st = os.lstat(os.path.join(base, name))
            inodes += 1
            size += st.st_blocks * 512
    return inodes, size


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class AccessLog:
    """nginx's access log (one line per request: port method uri status bytes_sent request_length):
    the requests under one URL prefix since the last call."""

    def __init__(self, path):
        self.path = path
        self.offset = os.path.getsize(path) if os.path.exists(path) else 0

    def since(self, prefix):
        time.sleep(0.1)  # nginx logs a request once its answer is sent: let the last line land
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            text = f.read().decode()
            self.offset = f.tell()
        summary = collections.Counter()
        for line in text.splitlines():
            parts = line.split()
            if len(parts) != 6 or not parts[2].startswith(prefix + "/"):
                continue
            _, method, _, status, sent, length = parts
            summary["requests"] += 1
            summary[method.lower()] += 1
            if method == "GET":
                summary["hits" if status == "200" else "misses"] += 1
                summary["bytes_down"] += int(sent) if status == "200" else 0
            if method == "PUT":
                summary["bytes_up_with_headers"] += int(length)
            if status.startswith("5"):
                summary["server_errors"] += 1
        return dict(summary)


def remote_line(requests, down=0, up=0, extra=""):
    parts = [f"{requests} requests"]
    if down:
        parts.append(f"{down / 1e6:.1f} MB down")
    if up:
        parts.append(f"{up / 1e6:.1f} MB up")
    return ", ".join(parts) + (f" {extra}" if extra else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--datasets", type=int, default=40)
    ap.add_argument("--charts-per-dataset", type=int, default=4)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--port", type=int, default=8191,
                    help="first port of the remote cache (remote-cache-local uses P to P+7; default 8191)")
    ap.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    ap.add_argument("--work-dir", default=os.path.join(ROOT, "bench-out"),
                    help="where the repositories and outputs are written (default: bench-out)")
    a = ap.parse_args()

    hybrid = os.path.abspath(a.hybrid)
    if not os.access(hybrid, os.X_OK):
        sys.exit(f"no hybrid binary at {hybrid} (swift build -c release --product hybrid)")
    # Never take over (and at the end stop) a server someone else started on these ports.
    busy = [p for p in range(a.port, a.port + 8) if port_open(p)]
    if busy:
        sys.exit(f"ports {busy} are in use: choose another --port (remote-cache-local uses P to P+7)")

    work = os.path.join(os.path.abspath(a.work_dir), f"remote-cache-bench-{os.getpid()}")
    os.makedirs(work)
    source = os.path.join(work, "repo")
    compile_cmd = [hybrid, "compile", "--env", "prod", "--all-mappings", "--format", "json"]
    validate_cmd = [hybrid, "validate", "--env", "prod", "--all-mappings", "--format", "json"]
    remote_cache = os.path.join(HERE, "remote-cache-local")
    prefix = f"/bench-{os.getpid()}-{int(time.time())}"
    results = {"clients": a.clients, "datasets": a.datasets, "charts_per_dataset": a.charts_per_dataset,
               "repetitions": a.repetitions, "hybrid": hybrid, "prefix": prefix,
               "version": run([hybrid, "--version"])[2].stdout.strip()}
    runs = collections.defaultdict(list)      # scenario -> seconds, one per repetition
    cpu = collections.defaultdict(list)       # scenario -> {"user", "system"}, one per repetition
    checks = collections.defaultdict(list)    # check -> one value per repetition (all must hold)
    remote = {}                               # scenario -> request and byte figures

    def timed(name, cmd, cwd, env, ok=(0,)):
        elapsed, used, done = run(cmd, cwd=cwd, env=env, ok=ok)
        runs[name].append(elapsed)
        cpu[name].append(used)
        return done

    started = False
    try:
        run([sys.executable, os.path.join(SHARED, "gen_repo.py"), source, "--datasets", str(a.datasets),
             "--charts-per-dataset", str(a.charts_per_dataset), "--clients", str(a.clients)])
        # Enough room for every run? Without deleting in between, a repetition writes about six outputs
        # trees (cold, fresh runner, write floor, the shards together, two validations) and the writers two
        # more; a tree holds a file per template and tenant plus folders, status files and .hybrid-cache/.
        # Checked before anything large is written (a refused run then leaves no mass deletion behind).
        templates = sum(1 for base, _, names in os.walk(os.path.join(source, "assets")) if "_partials" not in base
                        for name in names if name.endswith(".j2"))
        tenants = sum(1 for name in os.listdir(os.path.join(source, "mappings")) if name.endswith(".yaml"))
        per_tree = int(tenants * (templates + 7) * 1.05) + usage(source)[0]
        need_inodes = per_tree * (7 * a.repetitions + 2)
        need_bytes = need_inodes * 4600  # measured: a tree's files average about 4 KB on disk
        fs = os.statvfs(work)
        if fs.f_favail < need_inodes or fs.f_bavail * fs.f_frsize < need_bytes:
            sys.exit(f"{a.work_dir}: {fs.f_favail} free inodes and {fs.f_bavail * fs.f_frsize / 1e9:.1f} GB, but "
                     f"{a.repetitions} repetitions need about {need_inodes} inodes and {need_bytes / 1e9:.1f} GB "
                     f"(about {per_tree} a tree); see the docstring for a big enough file system")
        results["space_estimate"] = {"inodes_a_tree": per_tree, "inodes": need_inodes, "bytes": need_bytes}
        fs_before = os.statvfs(work)

        started = True
        done = run([remote_cache, "up", "--port", str(a.port)])[2]
        variables = dict(re.findall(r"^export (\w+)=(.*)$", done.stdout, re.M))
        base_url = variables["HYBRID_TEST_REMOTE_CACHE_URL"]
        data = variables["HYBRID_TEST_REMOTE_CACHE_DATA"]
        log = AccessLog(variables["HYBRID_TEST_REMOTE_CACHE_ACCESS_LOG"])
        compile_url, validate_url = base_url + prefix + "/compile", base_url + prefix + "/validate"

        # Warm the remote once: a writer compiles cold and uploads every bundle.
        repo = fresh_copy(source, os.path.join(work, "writer"))
        writer = json.loads(timed("writer", compile_cmd, repo, hybrid_env(compile_url, write=True)).stdout)
        outputs = sum(b["outputs"] for b in writer["bundles"])
        bundles = len(writer["bundles"])
        remote["writer"] = {"client": writer["remote"], "uploaded_bundles": writer["uploaded"],
                            "server": log.since(prefix + "/compile")}
        if writer["uploaded"] != bundles or writer["remote"]["corrupt"]:
            sys.exit(f"the writer uploaded {writer['uploaded']} of {bundles} bundles: {writer['remote']}")

        # A writer validates once under its own prefix: it compiles, checks, and uploads
        # both the bundles and the validation records.
        repo = fresh_copy(source, os.path.join(work, "validate-writer"))
        done = timed("validate_writer", validate_cmd, repo, hybrid_env(validate_url, write=True), ok=(0, 1))
        vwriter = json.loads(done.stdout)
        remote["validate_writer"] = {"uploaded_bundles": vwriter["bundlesUploaded"],
                                     "server": log.since(prefix + "/validate")}
        findings = vwriter["findings"]
        checks["validate_no_compile_errors"].append(not vwriter["compile"])
        checks["validate_writer_uploaded_all"].append(vwriter["bundlesUploaded"] == bundles)

        for rep in range(a.repetitions):
            # Local cold, then the no-op in the same directory.
            cold_repo = fresh_copy(source, os.path.join(work, f"cold-{rep}"))
            cold = json.loads(timed("cold", compile_cmd, cold_repo, hybrid_env()).stdout)
            checks["cold_no_remote"].append("remote" not in cold and cold["fetched"] == 0)
            checks["cold_complete"].append(all(b["state"] == "complete" for b in cold["bundles"]))
            noop = json.loads(timed("noop", compile_cmd, cold_repo, hybrid_env()).stdout)
            checks["noop_wrote_nothing"].append(noop["written"] == 0 and noop["removed"] == 0)
            full = tree(os.path.join(cold_repo, "bundles"))

            # The write floor: copying a finished bundles/ tree into a fresh folder.
            timed("cp_floor", ["cp", "-r", os.path.join(cold_repo, "bundles"), os.path.join(work, f"cp-{rep}")],
                  work, None)

            # A fresh runner with the warm remote: every output fetched, the same bytes.
            repo = fresh_copy(source, os.path.join(work, f"fresh-{rep}"))
            fresh = json.loads(timed("fresh_remote", compile_cmd, repo, hybrid_env(compile_url)).stdout)
            server = log.since(prefix + "/compile")
            remote.setdefault("fresh_remote", []).append({"client": fresh["remote"], "server": server})
            checks["fresh_fetched_all"].append(fresh["fetched"] == outputs and fresh["written"] == cold["written"])
            checks["fresh_no_misses_or_corrupt"].append(fresh["remote"]["misses"] == 0
                                                        and fresh["remote"]["corrupt"] == 0)
            checks["fresh_never_uploads"].append(fresh["remote"]["uploads"] == 0 and not server.get("put"))
            checks["fresh_server_agrees"].append(server.get("requests") == fresh["remote"]["requests"]
                                                 and server.get("bytes_down", 0) == fresh["remote"]["bytesDownloaded"])
            difference = tree_difference(full, tree(os.path.join(repo, "bundles")))
            if difference:
                sys.exit(f"fresh runner's bundles/ differ from the local cold build's: {difference}")
            checks["fresh_identical_bundles"].append(True)

            # Four shards, cold, no remote; their union is the full build, file for file.
            union = {}
            for shard in range(1, SHARDS + 1):
                repo = fresh_copy(source, os.path.join(work, f"shard-{rep}-{shard}"))
                part = json.loads(timed(f"shard_{shard}", compile_cmd + ["--shard", f"{shard}/{SHARDS}"], repo,
                                        hybrid_env()).stdout)
                checks["shards_complete"].append(all(b["state"] == "complete" for b in part["bundles"]))
                files = tree(os.path.join(repo, "bundles"), skip_status=True)
                overlap = set(files) & set(union)
                if overlap:
                    sys.exit(f"shard {shard}/{SHARDS} wrote files another shard wrote: {sorted(overlap)[:3]}")
                union.update(files)
            difference = tree_difference({p: h for p, h in full.items() if not p.startswith(".hybrid-status/")},
                                         union)
            if difference:
                sys.exit(f"the union of the {SHARDS} shards differs from the full build: {difference}")
            checks["shards_union_is_full_build"].append(True)

            # validate on a fresh runner, without and then with the warm remote.
            repo = fresh_copy(source, os.path.join(work, f"validate-local-{rep}"))
            local = json.loads(timed("validate_local", validate_cmd, repo, hybrid_env(), ok=(0, 1)).stdout)
            repo = fresh_copy(source, os.path.join(work, f"validate-remote-{rep}"))
            done = timed("validate_remote", validate_cmd, repo, hybrid_env(validate_url), ok=(0, 1))
            fetched = json.loads(done.stdout)
            server = log.since(prefix + "/validate")
            remote.setdefault("validate_remote", []).append({"bundles_fetched": fetched["bundlesFetched"],
                                                             "server": server})
            checks["validate_no_compile_errors"].append(not local["compile"] and not fetched["compile"])
            checks["validate_same_findings"].append(local["findings"] == findings == fetched["findings"])
            checks["validate_remote_all_fetched"].append(
                fetched["bundlesFetched"] == bundles and fetched["documentsChecked"] == 0
                and not server.get("put") and not server.get("misses"))
            difference = tree_difference(full, tree(os.path.join(repo, "bundles")))
            if difference:
                sys.exit(f"validate's fresh runner's bundles/ differ from the local cold build's: {difference}")
            checks["validate_remote_identical_bundles"].append(True)
            print(f"repetition {rep + 1}/{a.repetitions}: cold {runs['cold'][-1]:.3f} s, "
                  f"fresh runner {runs['fresh_remote'][-1]:.3f} s", file=sys.stderr)

        fs_after = os.statvfs(work)
        results["file_system"] = {"inodes_used": fs_before.f_favail - fs_after.f_favail,
                                  "bytes_used": (fs_before.f_bavail - fs_after.f_bavail) * fs_after.f_frsize}
        # What the remote holds under this run's prefix.
        results["remote_store"] = {name: dict(zip(("inodes", "bytes"), usage(os.path.join(data, prefix[1:], name))))
                                   for name in ("compile", "validate")}
    finally:
        if started:
            subprocess.run([remote_cache, "down", "--port", str(a.port)], stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)

    med = {name: statistics.median(values) for name, values in runs.items()}
    ratio = {name: value / med["cold"] for name, value in med.items()}
    failed = sorted(name for name, values in checks.items() if not all(values))
    fresh_client = remote["fresh_remote"][-1]["client"]
    vremote = remote["validate_remote"][-1]["server"]
    shard_max = max(ratio[f"shard_{i}"] for i in range(1, SHARDS + 1))
    aims = {"fresh_runner_at_most_a_third": ratio["fresh_remote"] <= FRESH_AIM,
            "each_shard_at_most_35_percent": shard_max <= SHARD_AIM}
    results.update({"outputs": outputs, "files": cold["written"], "bundles": bundles, "seconds": med,
                    "ratio_to_local_cold": ratio, "runs": dict(runs), "cpu": dict(cpu), "remote": remote,
                    "findings": len(findings), "checks": {k: all(v) for k, v in checks.items()},
                    "aims": aims})

    rules = collections.Counter(f"{f['finding']['severity']} {f['finding']['rule']}" for f in findings)
    w = remote["writer"]
    print(f"repository: {a.datasets} datasets, {a.charts_per_dataset} charts each, {a.clients} clients "
          f"({outputs} outputs, {cold['written']} files in {bundles} bundles); medians of {a.repetitions}")
    print(f"{'scenario':<40}{'seconds':>9}{'vs cold':>9}   remote")
    rows = [
        ("local cold (no cache, no remote)", "cold", ""),
        ("writer: cold + upload (1 run)", "writer",
         remote_line(w["client"]["requests"], up=w["client"]["bytesUploaded"],
                     extra=f"({w['uploaded_bundles']} bundles uploaded)")),
        ("fresh runner, warm remote", "fresh_remote",
         remote_line(fresh_client["requests"], down=fresh_client["bytesDownloaded"],
                     extra=f"({fresh['fetched']} outputs fetched)")),
        ("no-op (after local cold)", "noop", ""),
        ("write floor: cp -r bundles/", "cp_floor", ""),
    ] + [(f"shard {i}/{SHARDS} cold, no remote", f"shard_{i}", "") for i in range(1, SHARDS + 1)] + [
        ("validate writer: cold + upload (1 run)", "validate_writer",
         remote_line(remote["validate_writer"]["server"].get("requests", 0),
                     up=remote["validate_writer"]["server"].get("bytes_up_with_headers", 0),
                     extra=f"(with headers; {remote['validate_writer']['uploaded_bundles']} bundles)")),
        ("validate, fresh runner, no remote", "validate_local", ""),
        ("validate, fresh runner, warm remote", "validate_remote",
         remote_line(vremote.get("requests", 0), down=vremote.get("bytes_down", 0),
                     extra=f"({remote['validate_remote'][-1]['bundles_fetched']} bundles fetched)")),
    ]
    for label, key, figures in rows:
        print(f"{label:<40}{med[key]:>9.3f}{ratio[key]:>9.3f}   {figures}".rstrip())
    print(f"aim: fresh runner <= 1/3 of local cold: {ratio['fresh_remote']:.3f} "
          f"({'met' if aims['fresh_runner_at_most_a_third'] else 'not met'})")
    print(f"aim: each shard <= 35% of the full build: largest {shard_max:.3f} "
          f"({'met' if aims['each_shard_at_most_35_percent'] else 'not met'})")
    print(f"validate with the remote / without: {med['validate_remote'] / med['validate_local']:.3f}; "
          f"findings {len(findings)} ({', '.join(f'{n} {r}' for r, n in sorted(rules.items()))}), "
          f"the same with and without the remote")
    print(f"remote store under {prefix}: compile {results['remote_store']['compile']['bytes'] / 1e6:.1f} MB, "
          f"validate {results['remote_store']['validate']['bytes'] / 1e6:.1f} MB on disk")
    print(f"checks: {len(checks) - len(failed)} of {len(checks)} hold" + (f"; FAILED: {', '.join(failed)}" if failed else
          " (fresh runner fetched every output, bundles byte-identical; shards' union = full build)"))
    os.makedirs(a.work_dir, exist_ok=True)
    with open(os.path.join(a.work_dir, "remote-cache-bench.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {os.path.join(a.work_dir, 'remote-cache-bench.json')}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
