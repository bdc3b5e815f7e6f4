#!/usr/bin/env bash
# Fuzz the template engine (lexer, parser, evaluator) with libFuzzer.
#
#   scripts/fuzz-templates.sh [SECONDS]        (default 600)
#
# Builds the hybrid-fuzz target with -sanitize=fuzzer into .build-fuzz/, seeds the corpus with
# every conformance-suite template, and runs until SECONDS have passed. A crash, a hang (over 5 s
# on one input) or a run over 4 GiB stops it and leaves the input as crash-*/timeout-*/oom-* in
# bench-out/fuzz-findings/; replay one with `swift run hybrid-fuzz FILE`. The corpus also gets the
# growth-heavy seeds of Tests/HybridTemplatesTests/Fixtures/FuzzSeeds (memory bombs), and the run is
# held to an address space of HYBRID_FUZZ_ADDRESS_SPACE bytes (default 6 GiB, `prlimit --as`): an
# allocation the render's memory budget lets through would end the run as a crash.
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
cp Tests/HybridTemplatesTests/Fixtures/FuzzSeeds/*.j2 "$corpus"/

# Swift's own crash backtracer would catch the trap before libFuzzer saves the input.
SWIFT_BACKTRACE=enable=no exec prlimit --as="${HYBRID_FUZZ_ADDRESS_SPACE:-6442450944}" .build-fuzz/release/hybrid-fuzz -max_total_time="$seconds" -timeout=5 -rss_limit_mb=4096 \
    -artifact_prefix="$findings/" -print_final_stats=1 "$corpus"
