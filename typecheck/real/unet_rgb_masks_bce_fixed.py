# typecheck: well-typed
"""Fix of https://github.com/milesial/Pytorch-UNet/issues/244: the RGB masks are
converted to one grey channel before the binary cross-entropy with the U-Net's
one-channel prediction."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    masks_pred: Float[NamedArray, "batch:1 channels:1 height:256 width:256"],
    true_masks: Float[NamedArray, "batch:1 channels:3 height:256 width:256"],
):
    target = tl.max(true_masks, "channels")
    loss = tl.softplus(masks_pred) - masks_pred * target
    return tl.mean(loss, "batch channels height width")
