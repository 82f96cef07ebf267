"""The documentation's relative links and images resolve, and the README stays a short landing page.

Reads README.md, CHANGELOG.md and every docs/*.md; every ``[text](path)`` and ``![alt](path)`` whose
target is not a web or mail address, nor a pure ``#anchor``, must name a file (or folder) that
exists relative to the page it is on. Code (fenced blocks and inline spans) is not Markdown link
syntax and is skipped.
"""
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_LINES = 200

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
# [text](target) or ![alt](target), with an optional "title"; the text may hold one level of brackets.
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # http:, https:, mailto:, any scheme


def _pages():
    pages = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [p for p in pages if p.exists()]


def _targets(text):
    text = FENCE.sub("", text)
    text = INLINE_CODE.sub("code", text)
    for m in LINK.finditer(text):
        target = m.group(1).strip("<>")
        if not target or target.startswith("#") or EXTERNAL.match(target):
            continue
        yield unquote(target.split("#", 1)[0].split("?", 1)[0])


def test_the_pages_exist():
    names = {p.name for p in _pages()}
    assert {"README.md", "CHANGELOG.md"} <= names
    assert len(list((ROOT / "docs").glob("*.md"))) >= 1


@pytest.mark.parametrize("page", _pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    missing = [t for t in _targets(page.read_text(encoding="utf-8")) if not (page.parent / t).exists()]
    assert not missing, f"{page.relative_to(ROOT)}: links to missing files: {missing}"


def test_readme_is_short():
    n = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert n <= README_MAX_LINES, f"README.md has {n} lines (at most {README_MAX_LINES}); move detail to docs/"


def test_the_link_finder():
    text = ("[a](docs/x.md#part) ![b](img.png) [c](https://e.org) [d](mailto:a@b) [e](#top) `[f](no.md)`\n"
            "```\n[g](no2.md)\n```\n[h `code`](y.md \"title\")")
    assert list(_targets(text)) == ["docs/x.md", "img.png", "y.md"]
