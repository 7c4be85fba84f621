# typecheck: well-typed
"""`unflatten` undoes `flatten`: the seed's X^5 back to X^4's axes."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(X4: Float[NamedArray, "batch:b channels:16 height:4 width:4"]):
    X5 = tl.flatten(X4, "height width channels", "inp")
    assert X5.sizes["inp"] == 256
    back = tl.unflatten(X5, "inp", {"height": 4, "width": 4, "channels": 16})
    return back - X4
