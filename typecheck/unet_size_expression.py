# typecheck: ill-typed
"""A three-level U-Net on images whose side is written as a size expression. Each
level halves `height width` by a 2×2 max-pool, and the way up doubles them with a
stride-2 `ConvTranspose` before concatenating the skip. The annotation admits
sides of `4*m`, which two pools halve exactly but three do not: for an odd `m`
the upsampled map is one row short of its skip."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn

CONSTRAINTS = ("m >= 2",)


def conv(inp: str, out: str, key: jax.Array) -> nn.Conv:
    return nn.Conv("height width", inp, out, 3, padding="same", key=key)


class UNet(eqx.Module):
    downs: list[nn.Conv]
    ups: list[nn.ConvTranspose]
    fuses: list[nn.Conv]
    pool: nn.MaxPool

    def __init__(self, key: jax.Array) -> None:
        ks = jax.random.split(key, 9)
        widths = [f"channels:{c}" for c in (1, 8, 16, 32, 64)]
        self.downs = [conv(widths[i], widths[i + 1], ks[i]) for i in range(4)]
        self.ups = [
            nn.ConvTranspose("height width", widths[i + 1], widths[i], 2, stride=2, key=ks[4 + i])
            for i in (3, 2, 1)
        ]
        self.fuses = [conv(f"channels:{2 * c}", f"channels:{c}", ks[8]) for c in (32, 16, 8)]
        self.pool = nn.MaxPool("height width", 2)

    def __call__(self, x: NamedArray) -> NamedArray:
        skips = []
        for down in self.downs[:3]:
            x = tl.relu(down(x))
            skips.append(x)
            x = self.pool(x)
        x = tl.relu(self.downs[3](x))
        for up, fuse, skip in zip(self.ups, self.fuses, reversed(skips)):
            x = tl.concatenate([up(x), skip], "channels")  # E: cannot prove that (2*(m // 2)) == m
            x = tl.relu(fuse(x))
        return x


def program(images: Float[NamedArray, "batch:b channels:1 height:4*m width:4*m"]):
    return UNet(jax.random.PRNGKey(0))(images)
