# typecheck: ill-typed
"""ViT's patchify, checked on its own: a 32×32 RGB image cut into 4×4 patches,
each flattened into a token. The return annotation promises 64 patches of 16
values, counting the pixels of a patch but forgetting its 3 channels (48 values):
the broken annotation is reported at the `return`."""

import typedlenet as tl
from typedlenet import Float, NamedArray


@tl.typechecked
def program(
    images: Float[NamedArray, "batch:b channels:3 height:32 width:32"],
) -> Float[NamedArray, "batch:b patch:64 inp:16"]:
    x = tl.unflatten(images, "height", {"ph": 8, "py": 4})
    x = tl.unflatten(x, "width", {"pw": 8, "px": 4})
    x = tl.flatten(x, "ph pw", "patch")
    return tl.flatten(x, "py px channels", "inp")  # E: return value, axis `inp`
