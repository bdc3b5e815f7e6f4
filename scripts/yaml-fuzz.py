#!/usr/bin/env python3
"""Differential fuzzing of hybrid's YAML reader + canonical writer against PyYAML.

  python3 scripts/yaml-fuzz.py [--hybrid .build/debug/hybrid] [--count 2000] [--seed 1] [--seconds S]

Each round builds random Python data (strings made of YAML indicators, look-alikes of other
types, line breaks, control and non-ASCII characters; ints of any size; floats from random bits;
dates and timestamps; nested lists and dicts), writes it with PyYAML in a random style (block or
flow, default scalar style, canonical, indent, width, Unicode, explicit start/end, line breaks, %YAML), runs `hybrid normalize --stdout` on that file, and checks that
PyYAML's safe_load of hybrid's output is the same typed data as PyYAML's safe_load of the file
(dict order ignored; rounds where PyYAML's own dump does not read back as its data are counted,
an emitter quirk of PyYAML's) and that normalizing the output again changes nothing. Failing inputs are kept under bench-out/yaml-fuzz/.

  python3 scripts/yaml-fuzz.py --text [--count 2000] [--seed 1]

reads YAML text instead: random strings of YAML fragments (indicators, quotes, block headers,
anchors, tags, directives, markers, tabs, byte-order marks, line breaks), which PyYAML's pure
SafeLoader and hybrid must both read as the same data or both refuse. A round where one reads data
and the other refuses (or the data differs) fails, except where hybrid refuses on purpose (README,
"The YAML layer": duplicate keys, recursive aliases, line-start byte-order marks, surrogate
escapes). Where both refuse at different positions the round counts as a position difference
(libyaml and PyYAML sometimes stop at different tokens); --strict-positions makes those fail too.
"""
import argparse, time, datetime, math, os, random, re, struct, subprocess, sys, tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FRAGMENTS = ["a", "b", "word", " ", "  ", ":", ": ", "#", " #", "-", "- ", "?", "'", '"', "\n", "\n\n", "\t",
             "\\", "é", "😀", "\u2028", "\u2029", "\u0007", "\x00", "\x1b", "\xa0", "\r", "yes", "No", "null",
             "~", "1", "0x1F", "0755", "1_000", "1.5", "1e3", "1.0e+3", ".inf", ".NaN", "1:20", "2024-01-02",
             "2001-12-14 21:59:43", "<<", "=", "---", "...", "[", "]", "{", "}", ",", "&x", "*x", "!", "!!str",
             "|", ">", "%", "@", "`", "\U0010fffd", "\ufffd", "中文"]


def random_string(rng):
    return "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 5)))


TEXT_FRAGMENTS = ["a", "b", "1", "- ", "-", ": ", ":", "? ", "?", ",", "[", "]", "{", "}", "#", " #c", "\n", "\n  ",
                  "\n ", "  ", " ", "'", '"', "|", ">", "|-", ">+", "|2", "&x ", "*x", "!!str ", "!", "%", "%YAML 1.1",
                  "%FOO", "---", "...", "\t", "\\", "\\u00e9", "\ufeff", "\r\n", "\r", "\u2028", "\x85", "~", "yes",
                  "0x1", "1:20", "é", "<<: ", "=", "@", "null", ".5"]

# hybrid's messages for what it refuses on purpose (README, "The YAML layer").
DELIBERATE_REFUSALS = ["duplicate key", "refers to the node that contains it", "byte-order mark at the start of a line",
                       "is a UTF-16 surrogate", "aliases expand to more than"]


def pyyaml_reading(data):
    try:
        return ("value", typed(yaml.load(data, Loader=yaml.SafeLoader)))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return ("error", (mark.line + 1, mark.column + 1))
    except RecursionError:
        return ("error", "recursive")
    except Exception as error:  # noqa: BLE001 - ReaderError, ValueError from datetime(): no position to compare
        return ("error", type(error).__name__)


def hybrid_reading(hybrid, path):
    result = subprocess.run([hybrid, "normalize", "--stdout", path], capture_output=True)
    if result.returncode != 0:
        stderr = result.stderr.decode(errors="replace")
        match = re.search(r":(\d+):(\d+): error: (.*)", stderr)
        if not match:
            return ("crash", stderr.strip()[:200]), ""
        return ("error", (int(match.group(1)), int(match.group(2)))), match.group(3)
    try:
        return ("value", typed(yaml.safe_load(result.stdout))), ""
    except (yaml.YAMLError, RecursionError) as error:
        return ("bad-output", str(error)[:200]), ""


def fuzz_text(args):
    rng = random.Random(args.seed)
    failures = positions = rounds = 0
    keep = os.path.join(ROOT, "bench-out", "yaml-fuzz")
    deadline = time.monotonic() + args.seconds if args.seconds else None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "doc.yaml")
        for round_ in range(args.count):
            if deadline is not None and time.monotonic() > deadline:
                break
            rounds += 1
            data = "".join(rng.choice(TEXT_FRAGMENTS) for _ in range(rng.randint(1, 14))).encode("utf-8")
            with open(path, "wb") as f:
                f.write(data)
            want = pyyaml_reading(data)
            got, message = hybrid_reading(args.hybrid, path)
            if want == got:
                continue
            if want[0] == got[0] == "error":
                if isinstance(want[1], tuple) and args.strict_positions:
                    problem = f"PyYAML refuses at {want[1]}, hybrid at {got[1]}: {message}"
                else:
                    positions += isinstance(want[1], tuple)
                    continue
            elif got[0] == "error" and any(text in message for text in DELIBERATE_REFUSALS):
                continue
            else:
                problem = f"PyYAML {str(want)[:160]}, hybrid {str(got)[:160]} {message}"
            failures += 1
            os.makedirs(keep, exist_ok=True)
            with open(os.path.join(keep, f"text-failure-{args.seed}-{round_}.yaml"), "wb") as f:
                f.write(data)
            print(f"round {round_}: {data!r}: {problem}", file=sys.stderr)
    print(f"yaml-fuzz --text: {rounds - failures}/{rounds} rounds agree with PyYAML (seed {args.seed}); "
          f"{positions} both refuse at different positions")
    sys.exit(1 if failures else 0)


def random_scalar(rng):
    kind = rng.randrange(9)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-10 ** rng.randint(1, 30), 10 ** rng.randint(1, 30))
    if kind == 3:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        return 0.0 if math.isnan(x) else x
    if kind == 4:
        return datetime.date(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 5:
        tz = None if rng.random() < 0.5 else datetime.timezone(datetime.timedelta(minutes=rng.randint(-1439, 1439)))
        return datetime.datetime(rng.randint(1900, 2100), 3, 7, rng.randint(0, 23), 5, 9, rng.randint(0, 999999), tzinfo=tz)
    return random_string(rng)


def random_data(rng, depth):
    kind = 0 if depth == 0 else rng.randrange(4)
    if kind == 1:
        return [random_data(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    if kind == 2:
        out = {}
        for _ in range(rng.randint(0, 4)):
            key = random_string(rng) if rng.random() < 0.7 else rng.randint(2, 50)
            out[key] = random_data(rng, depth - 1)
        return out
    return random_scalar(rng)


def random_style(rng):
    """Every emitter option of PyYAML's safe_dump that changes the text, at random."""
    style = dict(allow_unicode=rng.random() < 0.5, default_flow_style=rng.choice([False, True, None]),
                 width=rng.choice([1, 20, 80, 1000, 10 ** 6]), sort_keys=rng.random() < 0.5,
                 default_style=rng.choice([None, None, None, "'", '"', "|", ">"]), canonical=rng.random() < 0.15,
                 indent=rng.choice([None, 2, 3, 4, 9]), explicit_start=rng.random() < 0.3,
                 explicit_end=rng.random() < 0.3, line_break=rng.choice([None, "\n", "\r", "\r\n"]))
    if rng.random() < 0.2:
        style["version"] = (1, 1)
    return style


def typed(v):
    if v is None or isinstance(v, bool):
        return (type(v).__name__, v)
    if isinstance(v, (int, str)):
        return (type(v).__name__, v)
    if isinstance(v, float):
        return ("float", struct.pack("<d", v))
    if isinstance(v, datetime.datetime):
        return ("datetime", v.isoformat())
    if isinstance(v, datetime.date):
        return ("date", v.isoformat())
    if isinstance(v, list):
        return ("list", tuple(typed(x) for x in v))
    if isinstance(v, dict):
        return ("dict", frozenset((typed(k), typed(x)) for k, x in v.items()))
    return ("other", repr(v))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hybrid", default=os.path.join(ROOT, ".build", "debug", "hybrid"))
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, help="stop after this long (with a large --count: a timed run)")
    parser.add_argument("--text", action="store_true", help="fuzz the reader with random YAML text")
    parser.add_argument("--strict-positions", action="store_true", help="with --text: error positions must match")
    args = parser.parse_args()
    if args.text:
        fuzz_text(args)
    rng = random.Random(args.seed)
    failures = 0
    keep = os.path.join(ROOT, "bench-out", "yaml-fuzz")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "doc.yaml")
        deadline = time.monotonic() + args.seconds if args.seconds else None
        rounds = 0
        emitter_losses = 0
        for round_ in range(args.count):
            if deadline is not None and time.monotonic() > deadline:
                break
            rounds += 1
            data = random_data(rng, rng.randint(0, 4))
            text = yaml.safe_dump(data, **random_style(rng))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            result = subprocess.run([args.hybrid, "normalize", "--stdout", path], capture_output=True)
            problem = None
            if result.returncode != 0:
                problem = "hybrid failed: " + result.stderr.decode(errors="replace").strip()
            else:
                try:
                    # The reference is what PyYAML reads from the text: its own emitter does not always
                    # give back its data (a double-quoted string folded at a small width can gain a
                    # backslash), and that is PyYAML's, not hybrid's, round trip.
                    expected = yaml.safe_load(text)
                    if typed(expected) != typed(data):
                        emitter_losses += 1
                    if typed(yaml.safe_load(result.stdout)) != typed(expected):
                        problem = "PyYAML reads hybrid's output as different data"
                except yaml.YAMLError as error:
                    problem = f"PyYAML cannot read hybrid's output: {error}"
                if problem is None:
                    with open(path, "wb") as f:
                        f.write(result.stdout)
                    again = subprocess.run([args.hybrid, "normalize", "--stdout", path], capture_output=True)
                    if again.stdout != result.stdout:
                        problem = "normalizing the output again changed it"
            if problem:
                failures += 1
                os.makedirs(keep, exist_ok=True)
                with open(os.path.join(keep, f"failure-{args.seed}-{round_}.yaml"), "w", encoding="utf-8") as f:
                    f.write(text)
                print(f"round {round_}: {problem}", file=sys.stderr)
    print(f"yaml-fuzz: {rounds - failures}/{rounds} rounds agree with PyYAML (seed {args.seed}); in "
          f"{emitter_losses} PyYAML's own dump did not read back as its data")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
