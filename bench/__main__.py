"""`make bench`: every benchmark, then the three figures the project holds itself to.

    make bench            (or: make package && .venv/bin/python -m bench [--before OLD.zip])

Nothing is asserted: the figures are printed beside their goals, for people to read and
quote (docs/development.md, "Benchmarks"). `--before` times an older package's cold start
in the same run (e.g. one `make package` made at an earlier commit).
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import cold_start, mail_latency, rush, throughput

GOAL_WRITES = 1.5
GOAL_P95_RATIO = 3.0


def main(argv: list[str]) -> None:
    before = Path(argv[argv.index("--before") + 1]) if "--before" in argv else None
    crowd = throughput.main()
    rushes = rush.main()
    mail_latency.main()
    cold = cold_start.measure(15, before)
    cold_start.report(cold)
    mib = cold_start.PACKAGE.stat().st_size / 2**20
    print("\nthe goals, from this run:")
    print(
        f"  cold start until the first registration is answered: {cold.ours_ms:.0f} ms against the floor's"
        f" {cold.floor_ms:.0f} ms = {cold.ratio:.2f}× (goal ≤ {cold_start.GOAL_RATIO:.1f}×)"
    )
    print(
        f"  a crowd of {throughput.LEVELS[-1]} all landing on the waiting list: {crowd['writes']:.2f} DynamoDB writes"
        f" per registration (goal ≤ {GOAL_WRITES}), p95 {crowd['p95_ms']:.0f} ms = {crowd['p95_ratio']:.1f}×"
        f" the unlimited-seats p95 of {crowd['unlimited_p95_ms']:.0f} ms (goal ≤ {GOAL_P95_RATIO:.0f}×)"
    )
    print(f"  dist/deployment.zip: {mib:.2f} MiB (goal ≤ {cold_start.GOAL_PACKAGE_MIB} MiB)")
    print(f"  {rush.summary(rushes)}")


if __name__ == "__main__":
    main(sys.argv[1:])
