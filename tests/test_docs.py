"""The guide in docs/: its links resolve, and the helpers it names exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from awsmon import Cloud

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.glob("*.md"))
LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")
#: ``cloud.<service>.<name>`` written in the guide.
HELPER = re.compile(r"\bcloud\.(\w+)\.(\w+)")


def test_every_service_has_a_page() -> None:
    """The index links one page per service, the FAQ and the teaching page."""
    names = {page.name for page in PAGES}
    assert {"README.md", "faq.md", "teaching.md", "cloudwatch.md", "logs.md", "events.md",
            "schemas.md", "xray.md", "cloudtrail.md", "neighbours.md"} <= names  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_resolve(page: Path) -> None:
    """Every relative link of the page names a file of the repository."""
    for target in LINK.findall(page.read_text()):
        if not target.startswith(("http://", "https://")):
            assert (page.parent / target).exists(), f"{page.name} links {target}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_named_helpers_exist(page: Path) -> None:
    """Each ``cloud.<service>.<helper>`` the page names is an attribute of that service."""
    cloud = Cloud()
    for service, name in HELPER.findall(page.read_text()):
        assert hasattr(getattr(cloud, service), name), f"{page.name} names cloud.{service}.{name}"
