"""Every example of the documentation runs as written, with sybil.

- The `>>>` examples of the docstrings of src/typedlenet (the API reference shows
  them): each file's examples run in order, in one namespace that starts with the
  module's own names and `jax`, `jnp`, `np`, `tl` and `nn` (as the API reference's index
  says), and each printed output must match.
- The ```python blocks of the pages docs/*.md: each page's blocks run in order, in
  one fresh namespace. A block that cannot run here (a training run of minutes) is
  marked `<!-- skip: next "why" -->` on its page, which sybil reads.

docs/transformer.md is left out: tests/core/test_named_models.py runs its block
and trains the model it defines. The README's blocks are tests/docs/test_readme.py's.
"""

from __future__ import annotations

import doctest
import pathlib
import unittest
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sybil import Document, Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser

import typedlenet as tl

ROOT = pathlib.Path(__file__).parents[2]
SOURCE = ROOT / "src" / "typedlenet"
PAGES = ROOT / "docs"
RUN_ELSEWHERE = {"transformer.md"}  # tests/core/test_named_models.py

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _setup(namespace: dict[str, Any]) -> None:
    namespace.update(jax=jax, jnp=jnp, np=np, tl=tl, nn=tl.nn)


DOCSTRINGS = Sybil(
    parsers=[DocTestParser(optionflags=FLAGS)],
    patterns=["*.py"],
    path=str(SOURCE),
)
MARKDOWN = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md"],
    path=str(PAGES),
)

SOURCES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in SOURCE.rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)
PAGE_FILES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in PAGES.glob("*.md")
    if "```python" in path.read_text(encoding="utf-8") and path.name not in RUN_ELSEWHERE
)


def _run(document: Document) -> tuple[int, int]:
    """Evaluate the examples of `document` in order; how many ran and were skipped."""
    ran = skipped = 0
    for example in document:
        try:
            example.evaluate()
        except unittest.SkipTest:
            skipped += 1
        else:
            ran += 1
    return ran, skipped


@pytest.mark.parametrize("path", SOURCES)
def test_docstring_examples_run(path: str) -> None:
    document = DOCSTRINGS.parse(ROOT / path)
    _setup(document.namespace)
    ran, _ = _run(document)
    assert ran > 0, f"{path}: no docstring example ran"


@pytest.mark.parametrize("path", PAGE_FILES)
def test_page_blocks_run(path: str) -> None:
    document = MARKDOWN.parse(ROOT / path)
    ran, _ = _run(document)
    assert ran > 0, f"{path}: every block is skipped"


def test_examples_are_found() -> None:
    """The collection above is not empty by mistake (a moved folder, a new fence)."""
    assert len(SOURCES) >= 10 and len(PAGE_FILES) >= 8
