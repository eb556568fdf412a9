"""Cold import of the packaged app against the floor every boto3 + pydantic + Chalice app pays.

    make package && .venv/bin/python -m bench.cold_start [RUNS]

Both are imported from the unzipped dist/deployment.zip (boto3 from the
environment, as the Lambda runtime provides it), each in a fresh interpreter,
alternating, and timed inside the interpreter so its own start is left out.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from chalicelib.stage_config import PROJECT_DIR

PACKAGE = PROJECT_DIR / "dist" / "deployment.zip"
TIMED = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
FLOOR = "import boto3, pydantic, chalice.app; boto3.client('dynamodb')"
APP = "import app"
# What a cold start pays before its first registration can be answered: the imports, the
# deferred pydantic models and the DynamoDB client. The headline figure: deferring hides nothing.
FIRST_REQUEST = (
    "import app; from chalicelib.events import Event; from chalicelib.submission import Submission; "
    "Event.model_rebuild(); Submission.model_rebuild(); app.store.table.client()"
)
# What the Lambda runtime would hand the function (the values are placeholders).
LAMBDA_ENVIRONMENT = {
    "TABLE_NAME": "registrations",
    "SENDER_EMAIL": "anmeldung@example.org",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "LINK_SECRET": "x" * 48,
    "AWS_ACCESS_KEY_ID": "cold",
    "AWS_SECRET_ACCESS_KEY": "cold",
}


def timed(code: str, root: Path) -> float:
    env = {**os.environ, **LAMBDA_ENVIRONMENT, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", TIMED.format(code=code)], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def zipped_size(packages: list[str]) -> int:
    """Bytes these installed packages would add to the deployment zip."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for package in packages:
            for path in (site / package).rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts:
                    archive.write(path, path.relative_to(site))
    return len(buffer.getvalue())


def main(runs: int = 15) -> None:
    if not PACKAGE.exists():
        sys.exit("no dist/deployment.zip: run `make package` first")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        zipfile.ZipFile(PACKAGE).extractall(root)
        timed(FLOOR, root)  # warm the file cache once for both
        timed(APP, root)
        floor, ours, first = [], [], []
        for _ in range(runs):
            floor.append(timed(FLOOR, root))
            ours.append(timed(APP, root))
            first.append(timed(FIRST_REQUEST, root))
    mib = PACKAGE.stat().st_size / 2**20
    boto = zipped_size(["boto3", "botocore", "s3transfer", "jmespath"]) / 2**20
    print(f"\ndeployment.zip: {mib:.2f} MiB (limit 5 MiB); bundling boto3 would add {boto:.1f} MiB")
    print(f"cold start, median of {runs} fresh interpreters each, alternating:")
    print(f"  floor                {statistics.median(floor) * 1000:6.0f} ms  ({FLOOR})")
    print(f"  first registration   {statistics.median(first) * 1000:6.0f} ms  (imports, models, client)")
    print(f"  ratio                {statistics.median(first) / statistics.median(floor):6.2f}  (goal: at most 1.0)")
    print(f"  `import app` alone   {statistics.median(ours) * 1000:6.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
