"""Sessions: `nox` runs lint, typecheck and tests; `nox -s NAME` runs one."""

import os
import shutil

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.error_on_missing_interpreters = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def group(name: str) -> list[str]:
    """The pinned requirements of dependency group `name` in pyproject.toml."""
    return list(nox.project.dependency_groups(PYPROJECT, name))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting; import-linter: the layering of the parts
    (pyproject.toml's [tool.importlinter])."""
    session.install(*group("lint"))
    session.install("--no-deps", ".")  # import-linter reads the installed package's imports
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    """pyright over src/, tests/, typecheck/ and examples/ (no errors allowed), then the
    typecheck/ corpus: each program verified abstractly against its marks."""
    session.install(".[train]", *group("test"), *group("typecheck"))
    session.run("pyright", "src", "tests", "typecheck", "examples")
    session.run("python", "typecheck/run.py")


def install_chromium(session: nox.Session) -> None:
    """Debian's Chromium, for the test of the documentation site in a browser
    (tests/docs/test_site.py), when it is missing and this process can install it: as
    root, with apt-get (CI's container). Elsewhere that test skips, and this says so."""
    if shutil.which("chromium"):
        return
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        apt = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", env=apt, external=True)
        session.run("apt-get", "install", "-y", "chromium", env=apt, external=True)
    else:
        session.log("no chromium, and no root with apt-get to install it: the browser test skips")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (pytest on two workers; arguments after `--` go to pytest).

    `nox -s tests -- -m "not slow"` is the quick tier (about 2.5 minutes on 2 cores).
    Most of a test's time is XLA compiling, on one core: two workers keep both busy.
    The docs group and Chromium are for the documentation site's browser test."""
    session.install(".[train]", *group("test"), *group("docs"))
    install_chromium(session)
    session.run("pytest", "-n", "2", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs-material + mkdocstrings), built strictly into
    site/: a warning, a broken link or a public name without a docstring fails it."""
    session.install(".[train]", *group("docs"))
    session.run("python", "docs/check_docstrings.py")
    session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Speed against a positional equinox LeNet and PyTorch eager (not part of `nox`).

    Writes BENCHMARKS.md and bench/results.json, the same step with each variant
    alone in its own process (bench/processes.py), adds the cost of a device mesh
    on forced CPU devices (bench/sharding.json), then times training to 88% on
    Fashion-MNIST (bench/fashion.json) where the dataset is installed, the
    Transformer against positional JAX, the language server's latency and
    `typedlenet check` against jaxtyc on the corpus (bench/checkers.json); arguments
    after `--` go to bench/run.py (`--quick`, `--repeats N`).
    """
    session.install(".[train]", "torch==2.13.0", "jaxtyc==0.7.2")
    session.run("python", "bench/run.py", *session.posargs)
    session.run("python", "bench/processes.py")
    session.run("python", "bench/sharding.py")
    session.run("python", "bench/fashion.py")
    session.run("python", "bench/transformer.py")
    session.run("python", "bench/lsp.py")
    session.run("python", "bench/checkers.py")
