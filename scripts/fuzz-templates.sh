#!/usr/bin/env bash
# Fuzz the template engine (lexer, parser, evaluator) with libFuzzer.
#
#   scripts/fuzz-templates.sh [SECONDS]        (default 600)
#
# Builds the hybrid-fuzz target with -sanitize=fuzzer into .build-fuzz/, seeds the corpus with
# every conformance-suite template, and runs until SECONDS have passed. A crash, a hang (over 5 s
# on one input) or a run over 4 GiB stops it and leaves the input as crash-*/timeout-*/oom-* in
# bench-out/fuzz-findings/; replay one with `swift run hybrid-fuzz FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
corpus=bench-out/fuzz-corpus
findings=bench-out/fuzz-findings
mkdir -p "$corpus" "$findings"

swift build -c release --product hybrid-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING --scratch-path .build-fuzz

python3 - "$corpus" <<'PY'
import glob, os, sys
import yaml
out = sys.argv[1]
for path in glob.glob("Tests/HybridTemplatesTests/Fixtures/Conformance/cases/*.yaml"):
    for case in yaml.safe_load(open(path, encoding="utf-8")):
        with open(os.path.join(out, case["name"] + ".j2"), "w", encoding="utf-8") as f:
            f.write(case["template"])
PY

# Swift's own crash backtracer would catch the trap before libFuzzer saves the input.
SWIFT_BACKTRACE=enable=no exec .build-fuzz/release/hybrid-fuzz -max_total_time="$seconds" -timeout=5 -rss_limit_mb=4096 \
    -artifact_prefix="$findings/" -print_final_stats=1 "$corpus"
