"""Make the zip `chalice package` wrote smaller and quicker to start (`make package` runs it).

    python -m deploy.slim dist/deployment.zip

1. Files the functions never load are left out (`UNUSED`, each with its reason).
2. The modules a cold start of the API function loads on its way to the first answer
   (learnt by running one, `deploy.first_registration`) are shipped compiled: Lambda's
   /var/task is read-only, so without bytecode every cold start compiles them again
   (what that costs: docs/development.md, "Measured figures"). The service's own modules keep their
   source beside the bytecode (tracebacks quote it); the libraries' are shipped as bytecode
   only, which keeps the zip within its budget: their tracebacks name file and line.
3. botocore's endpoint table (1.2 MB of JSON, every service in every region) is shipped
   trimmed to the services the functions call, and the functions find it through botocore's
   own AWS_DATA_PATH (.chalice/config.json): parsing the whole table costs every cold start,
   for each client the first. The rest of botocore's data stays the runtime's own.
4. The slimmed tree must answer a first registration, hold every library the functions'
   code imports (followed by the standard library's modulefinder, into every function) and
   load every module of the service; otherwise packaging fails.

The original is kept as dist/unslimmed.zip: `make bench` reports both.
"""

from __future__ import annotations

import copy
import json
import modulefinder
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from deploy import DeployError
from deploy.first_registration import lambda_runtime, run

UNUSED = {
    "icalendar/tests": "the library's own test suite",
    "pydantic/v1": "pydantic 1's compatibility layer: nothing imports it",
    "pydantic/mypy.py": "a mypy plugin, for type checking only",
    "pydantic/experimental": "experimental APIs this service does not use",
    "dns": "dnspython: email_validator needs it only to check that a domain receives mail, "
    "which this service never asks for (check_deliverability=False)",
    "dnspython-*.dist-info": "dnspython's metadata: what is not shipped is not claimed either",
}
OWN = ("app.py", "chalicelib")
# Where the function's code lies in Lambda: the name its bytecode gives in a traceback.
TASK_ROOT = "/var/task"
BOTOCORE_DATA = "botocore_data"  # AWS_DATA_PATH is TASK_ROOT/BOTOCORE_DATA
# The services the functions call, by their endpoint prefix (SES's is "email").
SERVICES = ("dynamodb", "email", "sns", "secretsmanager")
# Every entry the same date: the same sources give the same zip, so `make deploy`, which uploads
# by content hash, uploads nothing new when nothing changed.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def slim(package: Path, template: Path) -> Path:
    """Slim `package` in place; returns where the original was kept."""
    runtime = _runtime(template)
    if runtime != f"python{sys.version_info.major}.{sys.version_info.minor}":
        raise DeployError(f"bytecode for {runtime} needs that Python; this is {sys.version.split()[0]}")
    original = package.with_name("unslimmed.zip")
    shutil.copyfile(package, original)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(root)
            modes = {info.filename: info.external_attr for info in archive.infolist()}
        _leave_out_unused(root)
        _leave_out_unreached(root)
        _write_endpoints(root / BOTOCORE_DATA)
        _, modules = run(root)
        _compile(root, [Path(m) for m in modules if Path(m).is_relative_to(root)])
        run(root)  # the slimmed tree still answers
        _import_everything(root)
        _write_zip(root, package, modes)
    return original


# Files of our own that only the command line reads (`cli page`'s jinja2 templates): Lambda has
# no jinja2, and no function opens them. register.css stays: the answer pages inline it.
OWN_UNUSED = ("chalicelib/page/templates/*.j2",)


def _leave_out_unreached(root: Path) -> None:
    """Leave out our own modules no function can import (the command line's: `cli`, `cli page`'s
    renderer, the announcements), found from app.py as `_import_everything` finds them, and
    `OWN_UNUSED`. Measured: the package was over its 3.8 MiB budget with them."""
    finder = modulefinder.ModuleFinder(path=[str(root)])
    finder.run_script(str(root / "app.py"))
    reached = {name for name in finder.modules if name.startswith("chalicelib")}
    for source in (root / "chalicelib").rglob("*.py"):
        parts = source.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in reached:
            source.unlink()
    for pattern in OWN_UNUSED:
        for path in root.glob(pattern):
            path.unlink()


def _runtime(template: Path) -> str:
    functions = json.loads(template.read_text())["Resources"].values()
    runtimes = {f["Properties"]["Runtime"] for f in functions if f.get("Type") == "AWS::Serverless::Function"}
    if len(runtimes) != 1:
        raise DeployError(f"expected one runtime in {template}, found {sorted(runtimes)}")
    return runtimes.pop()


def _leave_out_unused(root: Path) -> None:
    for relative in UNUSED:
        paths = list(root.glob(relative))
        if not paths:
            # A library changed its layout: the list must be looked at again, not trusted.
            raise DeployError(f"{relative} is not in the package any more: review deploy/slim.py")
        for path in paths:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    # `chalice package` copies this machine's caches (checked against its files' times), and
    # each RECORD lists files and hashes that slimming made untrue; nothing reads them at run time.
    for cache in list(root.rglob("__pycache__")):
        shutil.rmtree(cache)
    for record in root.glob("*.dist-info/RECORD"):
        record.unlink()


def trimmed_endpoints(endpoints: dict[str, Any]) -> dict[str, Any]:
    """botocore's endpoint table with only `SERVICES` in each partition; all else as it was."""
    trimmed = copy.deepcopy(endpoints)
    for partition in trimmed["partitions"]:
        partition["services"] = {k: v for k, v in partition["services"].items() if k in SERVICES}
    return trimmed


def _write_endpoints(folder: Path) -> None:
    import botocore

    full = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    folder.mkdir()
    (folder / "endpoints.json").write_text(json.dumps(trimmed_endpoints(full), separators=(",", ":")))


def _compile(root: Path, modules: list[Path]) -> None:
    for source in modules:
        if source.suffix != ".py":
            continue
        relative = source.relative_to(root)
        shown = f"{TASK_ROOT}/{relative.as_posix()}"
        # Stamped with the source's hash, not its time, and never checked (/var/task never
        # changes): the same sources give the same bytes.
        mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
        if relative.parts[0] in OWN:  # beside the source, in __pycache__
            py_compile.compile(str(source), dfile=shown, invalidation_mode=mode, doraise=True)
        else:
            target = str(source.with_suffix(".pyc"))
            py_compile.compile(str(source), cfile=target, dfile=shown, invalidation_mode=mode, doraise=True)
            source.unlink()


def _import_everything(root: Path) -> None:
    """Every library the functions' code imports, also inside a function that runs only in the
    mail, due, feedback or admin path, is in the slimmed tree (or the runtime), and every
    chalicelib module app.py can reach loads from it."""
    runtime = lambda_runtime()
    stdlib = [p for p in sys.path if p and "site-packages" not in p]
    finder = modulefinder.ModuleFinder(path=[str(root), str(runtime), *stdlib])
    finder.run_script(str(root / "app.py"))
    missing, _ = finder.any_missing_maybe()
    # `from pydantic import BaseModel` names an attribute, not a module: only a missing package counts.
    gone = sorted(
        name
        for name in missing
        if name.split(".")[0] not in finder.modules
        and any(by == "__main__" or by.startswith("chalicelib") for by in finder.badmodules[name])
    )
    if gone:
        raise DeployError(f"the slimmed package lacks what the functions import: {', '.join(gone)}")
    names = sorted(name for name in finder.modules if name.startswith("chalicelib"))
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    env = {"PYTHONPATH": os.pathsep.join([str(root), str(runtime)]), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-S", "-c", code, *names], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DeployError(f"the slimmed package cannot import what the functions use:\n{result.stderr}")


def _write_zip(root: Path, package: Path, modes: dict[str, int]) -> None:
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            source = name[: -len("c")] if name.endswith(".pyc") and "__pycache__" not in name else name
            info.external_attr = modes.get(source, 0o644 << 16)
            archive.writestr(info, path.read_bytes(), compresslevel=9)


def main() -> None:
    package = Path(sys.argv[1] if len(sys.argv) > 1 else "dist/deployment.zip")
    try:
        original = slim(package, package.with_name("sam.json"))
    except DeployError as exc:
        sys.exit(f"deploy.slim: {exc}")
    before, after = original.stat().st_size / 2**20, package.stat().st_size / 2**20
    print(f"{package}: {before:.2f} MiB -> {after:.2f} MiB (the original: {original})")


if __name__ == "__main__":
    main()
