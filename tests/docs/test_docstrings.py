"""Every public name has a docstring and an entry in the API reference: the check
`nox -s docs` runs (docs/check_docstrings.py), in-process."""

import importlib.util
import pathlib
import sys

import pytest

SCRIPT = pathlib.Path(__file__).parents[2] / "docs" / "check_docstrings.py"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("check_docstrings", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_every_public_name_has_a_docstring(check):
    assert check.undocumented(check.public_names()) == []


def test_every_public_name_is_in_the_api_reference(check):
    assert check.unreferenced(check.public_names()) == []


def test_the_walk_reaches_lazy_names_methods_and_constants(check):
    paths = {item.path for item in check.public_names()}
    assert {
        "typedlenet.train.RunConfig",  # loaded lazily by `typedlenet.train.__getattr__`
        "typedlenet.NamedArray.align",
        "typedlenet.nn.Linear.__call__",
        "typedlenet.lenet.TENSORS",
    } <= paths


def test_a_name_without_a_docstring_is_reported(check):
    def undocumented_function():
        pass

    found = [check.Public("typedlenet.undocumented_function", undocumented_function)]
    assert check.undocumented(found) == ["typedlenet.undocumented_function"]


def test_a_missing_entry_and_a_broken_one_are_reported(check, tmp_path):
    (tmp_path / "notation.md").write_text("::: typedlenet.named\n\n::: typedlenet.no_such_name\n")
    names = [
        item for item in check.public_names() if item.path in {"typedlenet.named", "typedlenet.dot"}
    ]
    assert check.unreferenced(names, tmp_path) == [
        "typedlenet.dot",
        "typedlenet.no_such_name (an entry of api/notation.md that names nothing)",
    ]


def test_the_script_exits_0_when_complete(check, capsys):
    assert check.main() == 0
    assert "each documented and in the API reference" in capsys.readouterr().out
