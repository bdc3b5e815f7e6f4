#!/usr/bin/env python3
"""Generate Tests/HybridYAMLTests/Fixtures/float-repr.json: doubles with Python's repr() and
PyYAML's representation of each, so `swift test` checks PythonFloatFormat without Python.

  python3 scripts/float-oracle.py [--check]

Deterministic (fixed seed). Covers random bit patterns, random decimals, powers of ten at the
fixed/exponent boundaries, subnormals and the extremes.
"""
import json, os, random, struct, sys
import yaml

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "HybridYAMLTests", "Fixtures", "float-repr.json")


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def values():
    rng = random.Random(20261128)
    out = [0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.1 + 0.2, 1 / 3, 2 / 3, 100.0, 1e16, 1e15, 9999999999999998.0,
           1e-4, 1e-5, 0.00012345, 123456789012345678.0, 5e-324, 2.2250738585072014e-308,
           1.7976931348623157e308, float("inf"), float("-inf"), 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 63, 2.0 ** 64,
           1e22, 1e23, 4.35, 0.3, 2.675, 1.005]
    for e in range(-30, 31):
        out.append(10.0 ** e)
        out.append(-(1.5 * 10.0 ** e))
    for _ in range(1500):
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if x == x:
            out.append(x)
    for _ in range(1500):
        digits = rng.randint(1, 17)
        mantissa = rng.randint(1, 10 ** digits - 1)
        exponent = rng.randint(-25, 25)
        out.append(float(f"{mantissa}e{exponent}"))
    return out


def main():
    cases = []
    for x in values():
        dumped = yaml.safe_dump(x)
        represented = dumped.split("\n")[0]
        cases.append({"bits": f"{bits(x):016x}", "repr": repr(x), "yaml": represented})
    header = json.dumps({"python": sys.version.split()[0], "pyyaml": yaml.__version__})[:-1]
    lines = ",\n".join("  " + json.dumps(case, sort_keys=True) for case in cases)
    text = header + ', "cases": [\n' + lines + "\n]}\n"
    if "--check" in sys.argv:
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != text:
            print("float-repr.json is out of date; run scripts/float-oracle.py", file=sys.stderr)
            sys.exit(1)
        return
    with open(OUT, "w") as f:
        f.write(text)
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
