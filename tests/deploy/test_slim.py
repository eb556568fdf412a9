"""`make package` slims what `chalice package` made: the result still answers, is smaller,
ships the cold start's modules compiled and is the same zip for the same sources."""

from __future__ import annotations

import json
import marshal
import shutil
import subprocess
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import botocore
import pytest
from botocore.regions import EndpointResolver

from deploy.slim import SERVICES, UNUSED, slim, trimmed_endpoints
from tests.factories import PROJECT_DIR

pytestmark = pytest.mark.package

DIST = PROJECT_DIR / "dist"
# 3.8 until the live list, English pages and announcements (+75 KB of our own code; the command
# line's own code is left out of the package since).
BUDGET_MIB = 3.9


@pytest.fixture(scope="module")
def slimmed(tmp_path_factory) -> Path:
    """dist/unslimmed.zip (made by `make package` if missing) slimmed afresh, twice: both zips."""
    if not (DIST / "unslimmed.zip").exists():
        subprocess.run(["make", "package"], cwd=PROJECT_DIR, check=True, capture_output=True)
    work = tmp_path_factory.mktemp("slim")
    for name in ("first", "second"):
        (work / name).mkdir()
        shutil.copyfile(DIST / "unslimmed.zip", work / name / "deployment.zip")
        shutil.copyfile(DIST / "sam.json", work / name / "sam.json")
        slim(work / name / "deployment.zip", work / name / "sam.json")
    return work


def test_the_same_sources_make_the_same_zip(slimmed):
    # `make deploy` uploads by content hash: an unchanged package is not uploaded again.
    first, second = (slimmed / n / "deployment.zip" for n in ("first", "second"))
    assert first.read_bytes() == second.read_bytes()


def test_the_package_keeps_within_its_budget_and_leaves_out_the_unused(slimmed):
    package = slimmed / "first" / "deployment.zip"
    assert package.stat().st_size <= BUDGET_MIB * 2**20
    assert package.stat().st_size < (slimmed / "first" / "unslimmed.zip").stat().st_size
    names = zipfile.ZipFile(package).namelist()
    for unused in UNUSED:
        assert not any(fnmatch(n, unused) or fnmatch(n, unused + "/*") for n in names), unused
    assert not any(n.endswith("dist-info/RECORD") for n in names)
    assert any(n.endswith("dist-info/METADATA") for n in names)  # licences and metadata stay
    assert any(n.startswith("icalendar/") for n in names)  # the mail path's library is still there


def test_the_command_lines_own_code_stays_out_and_what_the_functions_read_stays_in(slimmed):
    names = set(zipfile.ZipFile(slimmed / "first" / "deployment.zip").namelist())
    for cli_only in ("chalicelib/cli.py", "chalicelib/page/render.py", "chalicelib/admin/announcements.py"):
        assert cli_only not in names, cli_only
    assert not [n for n in names if n.endswith(".j2")]  # `cli page`'s templates
    # The answer pages inline the stylesheet; the live list and the mail path are the functions'.
    assert {"chalicelib/page/templates/register.css", "chalicelib/api/live_list.py", "chalicelib/mail/ics.py"} <= names


def test_the_cold_start_modules_are_compiled_and_name_their_lambda_path(slimmed):
    archive = zipfile.ZipFile(slimmed / "first" / "deployment.zip")
    names = set(archive.namelist())
    # Libraries: bytecode only; their tracebacks name /var/task, not the machine that packaged.
    assert "pydantic/main.pyc" in names
    assert "pydantic/main.py" not in names
    code = marshal.loads(archive.read("pydantic/main.pyc")[16:])
    assert code.co_filename == "/var/task/pydantic/main.py"
    # The service's own: the source, and its bytecode beside it.
    assert {"app.py", "chalicelib/api/intake.py"} <= names
    assert any(n.startswith("chalicelib/api/__pycache__/intake.") for n in names)
    # A library no registration loads (the mail function's) stays source.
    assert "icalendar/__init__.py" in names
    assert "icalendar/__init__.pyc" not in names


def test_the_trimmed_endpoint_table_resolves_as_botocores_own():
    full = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    trimmed = trimmed_endpoints(full)
    assert len(json.dumps(trimmed)) < len(json.dumps(full)) / 20
    whole, ours = EndpointResolver(full), EndpointResolver(trimmed)
    regions = [region for partition in full["partitions"] for region in partition["regions"]]
    for service in SERVICES:
        for region in regions:
            assert ours.construct_endpoint(service, region) == whole.construct_endpoint(service, region)


@pytest.mark.parametrize(
    ("left_out", "refusal"),
    [
        # A folder a library no longer has: the list of what is left out must be reviewed.
        ("nowhere/gone", "nowhere/gone is not in the package any more"),
        # icalendar is imported only inside a function the mail function runs: importing the
        # modules would not notice it gone, following every import does.
        ("icalendar", "lacks what the functions import: icalendar"),
    ],
)
def test_a_wrong_list_of_what_is_left_out_stops_the_packaging(tmp_path, monkeypatch, left_out, refusal):
    from deploy import DeployError
    from deploy import slim as slim_module

    shutil.copyfile(DIST / "sam.json", tmp_path / "sam.json")
    shutil.copyfile(DIST / "unslimmed.zip", tmp_path / "deployment.zip")
    monkeypatch.setitem(slim_module.UNUSED, left_out, "left out by mistake")
    with pytest.raises(DeployError, match=refusal):
        slim(tmp_path / "deployment.zip", tmp_path / "sam.json")
