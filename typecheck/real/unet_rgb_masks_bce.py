# typecheck: ill-typed
"""Port of https://github.com/milesial/Pytorch-UNet/issues/244: training the U-Net
for one class with `BCEWithLogitsLoss` fails with `Target size (torch.Size([1, 3,
256, 256])) must be the same as input size (torch.Size([1, 1, 256, 256]))`: the
masks were saved as RGB images."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    masks_pred: Float[NamedArray, "batch:1 channels:1 height:256 width:256"],
    true_masks: Float[NamedArray, "batch:1 channels:3 height:256 width:256"],
):
    target = true_masks
    loss = tl.softplus(masks_pred) - masks_pred * target  # E: axis `channels` has size 1
    return tl.mean(loss, "batch channels height width")
