#!/usr/bin/env python3
"""Load benchmark of `hybrid serve` against Superset's own action-log API, in one run.

  scripts/bench-serve.py [--superset-instance .superset-local/8088] [--records 100000]
                         [--duration 10] [--connections 8] [--threads 2] [--repetitions 3]
                         [--postgres-url postgres://...]

Seeds a fresh repository's audit store with --records deploy records (release `hybrid-audit-writer`,
1000 per transaction, spread over 90 days), starts the release `hybrid serve` on it, and starts
Superset's app under gunicorn (2 gthread workers × 4 threads, the instance's own config, so the
comparison is not against Flask's development server) on a free port. Then, per repetition and
alternating the two, `wrk` (Debian's package) with the same threads, connections and duration asks:

  hybrid    GET /api/audit/deploys?limit=50              (first page, newest first)
  hybrid    GET /api/audit/deploys?limit=50&env=prod     (filtered)
  hybrid    GET /api/audit/deploys?limit=50&cursor=...   (a page 50,000 records deep)
  superset  GET /api/v1/log/?q=(page:0,page_size:50,order_column:dttm,order_direction:desc)

Prints requests/s and p50/p99 latency (medians over repetitions) and the throughput ratio
hybrid/superset; writes bench-out/serve-bench.json. With --postgres-url the store is that
PostgreSQL database (HYBRID_AUDIT_URL) instead of SQLite. Needs `scripts/superset-local up` first.
"""
import argparse, json, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOKEN = "bench-serve-token-0123456789abcdef"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, headers=None, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=5) as answer:
                if answer.status == 200:
                    return answer.read()
        except Exception:
            time.sleep(0.3)
    sys.exit(f"not answering: {url}")


def wrk(url, headers, args):
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wrk failed: {done.stderr}")
    text = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))

    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    if errors or socket_errors:
        sys.exit(f"errors under load for {url}:\n{text}")
    return {"rps": rate, "p50_ms": latency(50), "p99_ms": latency(99)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--superset-instance", default=os.path.join(ROOT, ".superset-local", "8088"))
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    instance = os.path.abspath(args.superset_instance)
    config = os.path.join(instance, "superset_config.py")
    if not os.path.exists(config):
        sys.exit(f"no Superset instance at {instance} (scripts/superset-local up --port 8088)")
    venv = os.path.join(ROOT, ".superset-local", "venv")

    for product in ("hybrid", "hybrid-audit-writer"):  # one --product per build (SwiftPM keeps only the last)
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                       capture_output=True)
    binaries = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    hybrid, writer = os.path.join(binaries, "hybrid"), os.path.join(binaries, "hybrid-audit-writer")

    work = tempfile.mkdtemp(prefix="hybrid-bench-serve-")
    repository = os.path.join(work, "repo")
    subprocess.run([hybrid, "init", repository], check=True, capture_output=True)
    env = dict(os.environ, HYBRID_SERVE_TOKEN=TOKEN, NO_COLOR="1")
    env.pop("HYBRID_AUDIT_URL", None)
    if args.postgres_url:
        env["HYBRID_AUDIT_URL"] = args.postgres_url
    started = time.perf_counter()
    subprocess.run([writer, repository, str(args.records), "bench", "1000", "90"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    seeded = time.perf_counter() - started
    print(f"seeded {args.records} records in {seeded:.1f} s ({'PostgreSQL' if args.postgres_url else 'SQLite'})")

    processes = []
    try:
        hybrid_port = free_port()
        processes.append(subprocess.Popen([hybrid, "serve", "--port", str(hybrid_port)], cwd=repository, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        hybrid_url = f"http://127.0.0.1:{hybrid_port}"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        first = json.loads(wait_http(hybrid_url + "/api/audit/deploys?limit=500", auth))
        cursor = first["next_cursor"]
        for _ in range(99):  # 50,000 records deep
            cursor = json.loads(wait_http(hybrid_url + f"/api/audit/deploys?limit=500&cursor={cursor}", auth))["next_cursor"]

        superset_port = free_port()
        superset_env = dict(os.environ, SUPERSET_CONFIG_PATH=config, SUPERSET_HOME=instance)
        processes.append(subprocess.Popen(
            [os.path.join(venv, "bin", "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4", "-b",
             f"127.0.0.1:{superset_port}", "--timeout", "120", "superset.app:create_app()"],
            env=superset_env, cwd=instance, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        superset_url = f"http://127.0.0.1:{superset_port}"
        wait_http(superset_url + "/health")
        login = urllib.request.Request(
            superset_url + "/api/v1/security/login", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"username": os.environ.get("HYBRID_SUPERSET_USERNAME", "admin"),
                             "password": os.environ.get("HYBRID_SUPERSET_PASSWORD", "admin"),
                             "provider": "db"}).encode())
        with urllib.request.urlopen(login) as answer:
            superset_auth = {"Authorization": "Bearer " + json.loads(answer.read())["access_token"]}
        log_page = "/api/v1/log/?q=(order_column:dttm,order_direction:desc,page:0,page_size:50)"
        log_count = json.loads(wait_http(superset_url + log_page, superset_auth))["count"]

        targets = {
            "hybrid first page": (hybrid_url + "/api/audit/deploys?limit=50", auth),
            "hybrid env=prod": (hybrid_url + "/api/audit/deploys?limit=50&env=prod", auth),
            "hybrid 50,000 deep": (hybrid_url + f"/api/audit/deploys?limit=50&cursor={cursor}", auth),
            "superset /api/v1/log/": (superset_url + log_page, superset_auth),
        }
        # Warm both up.
        for url, headers in targets.values():
            subprocess.run(["wrk", "-t1", "-c1", "-d2s", *sum((["-H", f"{k}: {v}"] for k, v in headers.items()), []), url],
                           capture_output=True)
        results = {name: [] for name in targets}
        for repetition in range(args.repetitions):
            for name, (url, headers) in targets.items():
                results[name].append(wrk(url, headers, args))
                print(f"  [{repetition + 1}/{args.repetitions}] {name}: {results[name][-1]}", flush=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(work, ignore_errors=True)

    summary = {}
    for name, runs in results.items():
        summary[name] = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms")}
    superset = summary["superset /api/v1/log/"]
    print(f"\n{args.records} audit records; Superset's log holds {log_count} events; wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s, medians of {args.repetitions}")
    print(f"{'target':26} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'× superset':>11}")
    for name, figures in summary.items():
        ratio = figures["rps"] / superset["rps"] if superset["rps"] else float("nan")
        print(f"{name:26} {figures['rps']:10.0f} {figures['p50_ms']:9.2f} {figures['p99_ms']:9.2f} {ratio:10.1f}×")
    os.makedirs(os.path.join(ROOT, "bench-out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench-out", "serve-bench.json"), "w") as out:
        json.dump({"records": args.records, "superset_log_events": log_count, "store":
                   "postgres" if args.postgres_url else "sqlite", "summary": summary, "runs": results}, out, indent=2)


if __name__ == "__main__":
    main()
