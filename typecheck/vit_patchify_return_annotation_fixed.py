# typecheck: well-typed
"""ViT's patchify, checked on its own: a 32×32 RGB image cut into 4×4 patches,
each flattened with its 3 channels into a token of 48 values, as the return
annotation says."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def program(
    images: Float[NamedArray, "batch:b channels:3 height:32 width:32"],
) -> Float[NamedArray, "batch:b patch:64 inp:48"]:
    x = tl.unflatten(images, "height", {"ph": 8, "py": 4})
    x = tl.unflatten(x, "width", {"pw": 8, "px": 4})
    x = tl.flatten(x, "ph pw", "patch")
    return tl.flatten(x, "py px channels", "inp")
