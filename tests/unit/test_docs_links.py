"""The docs stand on their own: every relative link in README.md and docs/*.md reaches a file
(and, with a #fragment, a heading) in this repository, and no code points to a page that
is not here."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target); a target may carry a "title".
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"`[^`]*`")


def prose(page: Path) -> list[str]:
    """The page's lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    for line in prose(page):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(2))
            name, n = base, 0
            while name in found:  # a repeated heading gets -1, -2, ...
                n += 1
                name = f"{base}-{n}"
            found.add(name)
    return found


def relative_links(page: Path) -> list[str]:
    targets = []
    for line in prose(page):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # https:, http:, mailto: ...
            targets.append(target)
    return targets


def test_there_are_pages_to_check():
    assert ROOT / "README.md" in PAGES
    assert ROOT / "docs/development.md" in PAGES


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path_part, _, fragment = target.partition("#")
        destination = (page.parent / unquote(path_part)).resolve() if path_part else page
        shown = destination.relative_to(ROOT) if destination.is_relative_to(ROOT) else destination
        if not destination.exists():
            broken.append(f"{target}: no file {shown}")
        elif not destination.is_relative_to(ROOT):
            broken.append(f"{target}: outside the repository")
        elif fragment and destination.suffix == ".md" and unquote(fragment).lower() not in anchors(destination):
            broken.append(f"{target}: no heading #{fragment} in {destination.relative_to(ROOT)}")
    assert broken == []


# Pages that once lived outside the repository; the docs in docs/ say what they said.
FOREIGN = ("CONTRACT" + ".md", "DESIGN" + ".md", "../shared" + "/")
MENTIONED_PAGE = re.compile(r"\b((?:docs/)?[\w.-]+\.md)\b")
CODE_SUFFIXES = {".py", ".json", ".js", ".html", ".css", ".toml", ".txt", ".md"}
SKIPPED_DIRS = {"dist", "__pycache__", "node_modules"}


def code_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        if path.is_file() and (path.suffix in CODE_SUFFIXES or path.name == "Makefile"):
            files.append(path)
    return files


def test_nothing_points_to_a_page_outside_the_repository():
    found = []
    for path in code_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}: {name}" for name in FOREIGN if name in text]
    assert found == []


def test_every_page_the_code_names_is_here():
    missing = []
    for path in code_files():
        if path.suffix == ".md":
            continue  # the pages' own links are checked above
        for name in MENTIONED_PAGE.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not (ROOT / name).exists():
                missing.append(f"{path.relative_to(ROOT)}: {name}")
    assert missing == []
