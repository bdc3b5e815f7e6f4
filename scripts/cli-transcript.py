#!/usr/bin/env python3
"""Record what a `hybrid` binary prints and writes, so two builds can be compared byte for byte.

  scripts/cli-transcript.py OUT [--hybrid PATH] [--clients 20] [--no-bench]

Runs a fixed list of commands (every `--help`, compile / validate / graph / render / normalize /
init / cache, their JSON forms, and bad inputs) on a fresh copy of this repository's example
(hybrid.yaml with its Superset URL pointing at a closed port, assets/, env/, mappings/) and on the benchmark repository of
../shared/bench/gen_repo.py (--clients tenants), and writes into OUT:

  commands.txt   each command with its exit status, standard output and standard error
  files.txt      the SHA-256 of every file the commands left in the repositories (bundles, status)

Durations (`in 0.12 s`, `"seconds" : 0.12`) and the temporary paths are masked, so two runs of the
same binary give the same transcript. Compare two builds with

  scripts/cli-transcript.py /tmp/before --hybrid OLD/hybrid
  scripts/cli-transcript.py /tmp/after  --hybrid .build/release/hybrid
  diff -r /tmp/before /tmp/after
"""
import argparse, hashlib, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GENERATOR = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py"))

SUBCOMMANDS = ["init", "normalize", "render", "compile", "validate", "plan", "apply", "export", "drift-plan",
               "promote", "graph", "cache", "cache stats", "cache clean"]

EXAMPLE = [
    "--help", "--version", "help compile",
    *[f"{name} --help" for name in SUBCOMMANDS],
    "normalize --check",
    "normalize --check --format json",
    "render assets/charts/revenue_over_time.yaml.j2 --env prod",
    "render charts/revenue_over_time.yaml.j2 --env dev --format json",
    "render charts/revenue_over_time.yaml.j2 --env dev --var CACHE_TIMEOUT=0755",
    "render charts/nope.yaml.j2 --env dev",
    "render charts/revenue_over_time.yaml.j2 --env nope",
    "compile --env prod",
    "compile --env prod",
    "compile --env prod --format json",
    "compile --env dev --all-mappings --explain --jobs 1",
    "compile --env dev --mapping client_a --format json",
    "compile --env nope",
    "compile --env dev --mapping nope",
    "compile --all-mappings --mapping client_a",
    "compile --jobs 0",
    "validate --env prod",
    "validate --env dev --all-mappings",
    "validate --env dev --all-mappings --format json",
    "validate --env staging --format github",
    "graph --env prod",
    "graph --env dev --all-mappings --format json",
    "plan --env prod --url http://127.0.0.1:9",
    "apply --env prod --url http://127.0.0.1:9",
    "drift-plan --env prod --url http://127.0.0.1:9",
    "export --env prod --url http://127.0.0.1:9 --out hybrid.yaml",
    "promote --chain local",
    "init scaffold",
    "init scaffold --format json",
    "cache stats --format json",
]

BENCH = [
    "compile --env prod --all-mappings",
    "compile --env prod --all-mappings --format json",
    "compile --env dev --mapping client_0003 --explain --jobs 1",
    "validate --env prod --all-mappings",
    "validate --env staging --all-mappings --format json",
    "graph --env staging --mapping client_0001 --format json",
]

MASKS = [
    (re.compile(r"in \d+\.\d+ s"), "in X s"),
    (re.compile(r'"seconds" : [0-9.e-]+'), '"seconds" : X'),
    (re.compile(r'"bytes" : \d+'), '"bytes" : X'),
    (re.compile(r'"timestamp":"[^"]*"'), '"timestamp":"X"'),
    (re.compile(r'"duration_seconds":[0-9.e-]+'), '"duration_seconds":X'),
]


def mask(text, repository):
    text = text.replace(repository, "$REPO")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def run_all(hybrid, repository, commands, out):
    env = dict(os.environ, NO_COLOR="1", HYBRID_SUPERSET_USERNAME="admin", HYBRID_SUPERSET_PASSWORD="admin",
               GIT_CEILING_DIRECTORIES=os.path.dirname(repository))
    for command in commands:
        done = subprocess.run([hybrid] + command.split(), cwd=repository, env=env, capture_output=True,
                              text=True, timeout=600)
        out.write(f"$ hybrid {command}\nexit {done.returncode}\n")
        out.write("--- stdout\n" + mask(done.stdout, repository) + "\n")
        out.write("--- stderr\n" + mask(done.stderr, repository) + "\n")


def file_hashes(repository, out, label):
    for base, directories, files in os.walk(repository):
        directories[:] = sorted(d for d in directories if d != ".hybrid-cache")
        for name in sorted(files):
            path = os.path.join(base, name)
            relative = os.path.relpath(path, repository)
            if relative.startswith(("assets/", "env/", "mappings/")):
                continue
            with open(path, "rb") as handle:
                content = handle.read()
            if relative == os.path.join(".hybrid", "audit.jsonl"):
                content = mask(content.decode(), repository).encode()
            digest = hashlib.sha256(content).hexdigest()
            out.write(f"{label}/{relative} {digest}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "release", "hybrid"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--no-bench", action="store_true", help="only the example repository")
    args = parser.parse_args()
    hybrid = os.path.abspath(args.hybrid)
    if not os.access(hybrid, os.X_OK):
        sys.exit(f"error: {hybrid} is not an executable (build it with swift build -c release)")
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="hybrid-transcript-")
    try:
        example = os.path.join(work, "example")
        os.makedirs(example)
        with open(os.path.join(ROOT, "hybrid.yaml")) as source, open(os.path.join(example, "hybrid.yaml"), "w") as copy:
            # Runtime commands meet a port nothing listens on, whatever Superset runs on this machine.
            copy.write(re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:9", source.read()))
        for folder in ("assets", "env", "mappings"):
            shutil.copytree(os.path.join(ROOT, folder), os.path.join(example, folder))
        with open(os.path.join(args.out, "commands.txt"), "w") as commands, \
                open(os.path.join(args.out, "files.txt"), "w") as files:
            run_all(hybrid, example, EXAMPLE, commands)
            file_hashes(example, files, "example")
            if not args.no_bench:
                bench = os.path.join(work, "bench")
                subprocess.run([sys.executable, GENERATOR, bench, "--clients", str(args.clients)], check=True,
                               capture_output=True)
                run_all(hybrid, bench, BENCH, commands)
                file_hashes(bench, files, "bench")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {args.out}/commands.txt and {args.out}/files.txt")


if __name__ == "__main__":
    main()
