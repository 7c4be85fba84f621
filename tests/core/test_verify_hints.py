"""`tl.verify`'s undecidable errors carry the family of sizes that gets past them."""

import pytest

import typedlenet as tl
from typedlenet import Float, NamedArray, nn
from typedlenet._core import families as core_families
from typedlenet.check import _families as check_families


def unet(x: Float[NamedArray, "batch:b channels:4 height:h width:w"]):
    """Two pools down, one upsampling by 4 back, and a skip connection: the
    heights agree only for multiples of 4."""
    down = nn.MaxPool("height width", 2)(nn.MaxPool("height width", 2)(x))
    up = tl.upsample(down, {"height": 4, "width": 4})
    return tl.concatenate([x, up], "channels")


def test_an_unconstrained_unet_height_gets_the_family_and_the_hinted_form_verifies():
    with pytest.raises(tl.AxisError) as caught:
        tl.verify(unet, constraints=("h >= 4", "w >= 4"))
    error = caught.value
    assert (error.kind, error.op, error.axis) == ("undecidable", "concatenate", "height")
    assert error.families == {"h": "4*m"}
    assert error.hint is not None
    assert 'sizes of the form h = 4*m (m >= 1) get past it: pass `tl.abstract("... height:4*m' in (
        error.hint
    )
    assert "smallest counterexample h = 5" in error.hint
    assert f"  hint: {error.hint}" in error.__notes__
    assert "cannot prove that h == (4*(h // 4))" in str(error)  # printed simplified

    # The hint, followed: the height verifies; the width, still free, is next.
    s = tl.symbols("b m w", constraints=("w >= 4",))
    with pytest.raises(tl.AxisError) as caught:
        tl.verify(unet, tl.abstract("batch:b channels:4 height:4*m width:w", sizes=s))
    assert (caught.value.axis, caught.value.families) == ("width", {"w": "4*m1"})
    assert "width:4*m1" in (caught.value.hint or "")

    report = tl.verify(unet, tl.abstract("batch:b channels:4 height:4*m width:4*m1"))
    assert repr(report.tensor("output")) == "f32[batch:b, channels:8, height:4*m, width:4*m1]"


def test_the_hint_respects_the_declared_constraints():
    with pytest.raises(tl.AxisError) as caught:
        tl.verify(unet, constraints=("h >= 8", "w >= 4"))
    assert caught.value.families == {"h": "4*m + 4"}
    assert "smallest counterexample h = 9" in (caught.value.hint or "")
    report = tl.verify(unet, tl.abstract("batch:b channels:4 height:4*m+4 width:4*n"))
    assert repr(report.tensor("output")) == "f32[batch:b, channels:8, height:4*m + 4, width:4*n]"


def test_a_lower_bound_is_hinted_as_a_constraint():
    def pooled(x: Float[NamedArray, "batch:b height:h"]):
        return nn.MaxPool("height", 3)(x)

    with pytest.raises(tl.AxisError) as caught:
        tl.verify(pooled)
    assert caught.value.families == {"h": "m + 2"}
    assert caught.value.hint == (
        "sizes h >= 3 get past it: add the constraint `h >= 3`; smallest counterexample h = 1"
    )
    assert tl.verify(pooled, constraints=("h >= 3",)).tensor("output") is not None


def test_no_size_that_works_means_no_hint():
    def doubled(x: Float[NamedArray, "height:h"], y: Float[NamedArray, "height:h"]):
        return x + tl.repeat(y, "height", 2)

    with pytest.raises(tl.AxisError) as caught:
        tl.verify(doubled)
    error = caught.value
    assert error.kind == "undecidable" and error.symbols == ("h",)
    assert (error.hint, error.families) == (None, {})
    assert not any("hint:" in note for note in getattr(error, "__notes__", []))


def test_the_checker_and_verify_share_one_family_search():
    assert check_families.family is core_families.family
    assert check_families.search is core_families.search
    found = core_families.Family("h", (4, 8, 12), ())
    assert (found.form, found.size("m")) == (None, None)  # stops short of the window
    window = tuple(range(3, core_families.WINDOW + 1, 4))
    assert core_families.Family("h", window, (1, 2)).size("k") == "4*k - 1"
    assert core_families.line(core_families.Family("h", window, (1, 2))) == (
        "  well-typed for h = 4m - 1 (m >= 1); smallest counterexample h = 1"
    )
