"""A cold start until the first registration is answered, against the floor every app pays.

    make package && .venv/bin/python -m bench.cold_start [RUNS] [--before OLD.zip]

Each run is a fresh interpreter that sees what Lambda's would (`deploy.first_registration`):
the unzipped package, the runtime's boto3, the production settings. Ours is timed from its
first import until the API function has answered a registration (DynamoDB answered by
botocore's Stubber: everything but the network); the floor is
`import boto3, pydantic, chalice.app; boto3.client('dynamodb')`, as every boto3 + pydantic +
Chalice app pays it from a package `chalice package` made (dist/unslimmed.zip: this
project's own, before `deploy.slim`). The two alternate, RUNS times each; medians are shown.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from chalicelib.config.stage_config import PROJECT_DIR
from deploy.first_registration import FLOOR, run

PACKAGE = PROJECT_DIR / "dist" / "deployment.zip"
UNSLIMMED = PROJECT_DIR / "dist" / "unslimmed.zip"
GOAL_RATIO = 1.0
GOAL_PACKAGE_MIB = 3.9  # as tests/deploy/test_slim.py has it


@dataclass(frozen=True)
class ColdStart:
    runs: int
    floor_ms: float
    ours_ms: float
    floor_in_ours_ms: float  # the floor's line run in our slimmed tree (its bytecode helps it too)
    before_ms: float | None  # ours, from an older package (--before)

    @property
    def ratio(self) -> float:
        return self.ours_ms / self.floor_ms


def _unzipped(package: Path, into: Path) -> Path:
    root = into / package.stem
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root)
    return root


def measure(runs: int = 15, before: Path | None = None) -> ColdStart:
    if not PACKAGE.exists() or not UNSLIMMED.exists():
        sys.exit("no dist/deployment.zip and dist/unslimmed.zip: run `make package` first")
    with tempfile.TemporaryDirectory() as tmp:
        ours_tree, stock_tree = _unzipped(PACKAGE, Path(tmp)), _unzipped(UNSLIMMED, Path(tmp))
        old_tree = _unzipped(before, Path(tmp) / "before") if before else None
        # The package before this change read the link secret at start: give it the value.
        old_env = {"LINK_SECRET": "x" * 48}
        run(stock_tree, floor=True)  # the file cache warm for all
        run(ours_tree)
        floor, ours, floor_in_ours, old = [], [], [], []
        for _ in range(runs):
            floor.append(run(stock_tree, floor=True)[0])
            ours.append(run(ours_tree)[0])
            floor_in_ours.append(run(ours_tree, floor=True)[0])
            if old_tree:
                old.append(run(old_tree, environment=old_env)[0])
    return ColdStart(
        runs=runs,
        floor_ms=statistics.median(floor) * 1000,
        ours_ms=statistics.median(ours) * 1000,
        floor_in_ours_ms=statistics.median(floor_in_ours) * 1000,
        before_ms=statistics.median(old) * 1000 if old else None,
    )


def package_costs(package: Path = PACKAGE) -> list[tuple[str, int]]:
    """Zipped bytes per top-level package (its dist-info counted with it), largest first."""
    costs: Counter[str] = Counter()
    with zipfile.ZipFile(package) as archive:
        for info in archive.infolist():
            top = info.filename.split("/")[0]
            if top.endswith(".dist-info"):
                top = top.split("-")[0].lower().replace("python_", "")
            elif top == "__pycache__" or top.startswith("app."):
                top = "app"
            costs[top.removesuffix(".pyc").removesuffix(".py")] += info.compress_size
    return costs.most_common()


def report(cold: ColdStart) -> None:
    mib = PACKAGE.stat().st_size / 2**20
    print(f"\ncold start until the first registration is answered, median of {cold.runs} fresh interpreters each:")
    print(f"  floor                  {cold.floor_ms:6.0f} ms  ({FLOOR}, from `chalice package`)")
    print(f"  ours                   {cold.ours_ms:6.0f} ms  (import, settings, models, client, the request)")
    print(f"  ratio                  {cold.ratio:6.2f}     (goal: at most {GOAL_RATIO})")
    print(f"  the floor in our tree  {cold.floor_in_ours_ms:6.0f} ms  (with our bytecode and endpoint table)")
    if cold.before_ms is not None:
        print(f"  ours before            {cold.before_ms:6.0f} ms  (--before)")
    unslimmed = UNSLIMMED.stat().st_size / 2**20
    print(f"\ndist/deployment.zip: {mib:.2f} MiB (goal: at most {GOAL_PACKAGE_MIB}); from chalice: {unslimmed:.2f} MiB")
    print("  " + ", ".join(f"{name} {size / 1024:.0f}" for name, size in package_costs()) + " (KiB, zipped)")


def main() -> None:
    args = sys.argv[1:]
    before = None
    if "--before" in args:
        at = args.index("--before")
        before = Path(args[at + 1])
        del args[at : at + 2]
    report(measure(int(args[0]) if args else 15, before))


if __name__ == "__main__":
    main()
