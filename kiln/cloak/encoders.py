"""Tiny autoencoder modules (TAESD family) whose weights the cloak attacks.

The modules are written here from the layout in the models README; only the state
dicts are loaded, with ``weights_only=True``, so a weight file can never run code.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

# The torch-free part lives in kiln.cloak.weights (web processes import only that).
from kiln.cloak.weights import (  # noqa: F401 - re-exported
    WEIGHT_FILES,
    WEIGHT_SHA256,
    CloakUnavailable,
    availability,
    models_dir,
    weight_path,
)


def conv(n_in: int, n_out: int, **kwargs) -> nn.Conv2d:
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kwargs)


class Clamp(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    """Residual block; with ``gn`` a GroupNorm "pool" branch is added to the input first."""

    def __init__(self, n: int = 64, gn: bool = False):
        super().__init__()
        self.conv = nn.Sequential(conv(n, n), nn.ReLU(), conv(n, n), nn.ReLU(), conv(n, n))
        self.pool = None
        if gn:
            self.pool = nn.Sequential(
                nn.Conv2d(n, 4 * n, 1, bias=False),
                nn.GroupNorm(4, 4 * n),
                nn.ReLU(),
                nn.Conv2d(4 * n, n, 1, bias=False),
            )
        self.fuse = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool is not None:
            x = x + self.pool(x)
        return self.fuse(self.conv(x) + x)


def _down() -> nn.Conv2d:
    return conv(64, 64, stride=2, bias=False)


def taef2_encoder() -> nn.Sequential:
    """RGB in [0, 1], H and W multiples of 8 -> 32 x H/8 x W/8."""
    return nn.Sequential(
        conv(3, 64),
        Block(),
        _down(),
        *[Block() for _ in range(3)],
        _down(),
        *[Block() for _ in range(3)],
        _down(),
        *[Block(gn=True) for _ in range(3)],
        conv(64, 32),
    )


def taef2_decoder() -> nn.Sequential:
    """32 x h x w latents -> RGB 3 x 8h x 8w (roughly in [0, 1])."""

    def up() -> list[nn.Module]:
        return [nn.Upsample(scale_factor=2, mode="nearest"), conv(64, 64, bias=False)]

    return nn.Sequential(
        Clamp(),
        conv(32, 64),
        nn.ReLU(),
        *[Block(gn=True) for _ in range(3)],
        *up(),
        *[Block() for _ in range(3)],
        *up(),
        *[Block() for _ in range(3)],
        *up(),
        Block(),
        conv(64, 3),
    )


def taesana_encoder() -> nn.Sequential:
    """RGB in [0, 1], H and W multiples of 32 -> 32 x H/32 x W/32.

    Two strided stem convolutions (indices 0 and 2, with weightless ReLUs at 1 and 3)
    then three stride-2 stages make the factor 32 the DC-AE f32c32 latent needs.
    """
    return nn.Sequential(
        conv(3, 32, stride=2),
        nn.ReLU(),
        conv(32, 64, stride=2),
        nn.ReLU(),
        Block(),
        _down(),
        *[Block() for _ in range(3)],
        _down(),
        *[Block() for _ in range(3)],
        _down(),
        *[Block() for _ in range(3)],
        conv(64, 32),
    )


BUILDERS = {
    "taef2_encoder": taef2_encoder,
    "taef2_decoder": taef2_decoder,
    "taesana_encoder": taesana_encoder,
}


def load_module(name: str, device: torch.device | str = "cpu") -> nn.Module:
    """Build the module, load its weights (tensors only), freeze it and set eval mode."""
    path = weight_path(name)
    if not path.is_file():
        raise CloakUnavailable(
            f"model file {path.name} is missing from {path.parent}. "
            "Run `python manage.py fetch_models` to download it."
        )
    module = BUILDERS[name]()
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        module.load_state_dict(state, strict=True)
    except Exception as exc:  # corrupt or foreign file
        raise CloakUnavailable(f"model file {path.name} could not be loaded: {exc}") from exc
    module.eval().requires_grad_(False)
    # channels_last weights and inputs let oneDNN use its fast (AMX / AVX-512) conv kernels.
    return module.to(device).to(memory_format=torch.channels_last)


@dataclass
class Models:
    encoders: dict[str, nn.Module]
    decoder: nn.Module | None
    device: torch.device


_CACHE: dict[tuple, Models] = {}


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_models(device: torch.device | str | None = None, decoder: bool = True) -> Models:
    """Both encoders (and the taef2 decoder), cached per process and models dir."""
    dev = torch.device(device) if device is not None else default_device()
    key = (str(models_dir()), str(dev), decoder)
    if key not in _CACHE:
        encs = {n: load_module(n, dev) for n in ("taef2_encoder", "taesana_encoder")}
        dec = load_module("taef2_decoder", dev) if decoder else None
        _CACHE[key] = Models(encoders=encs, decoder=dec, device=dev)
    return _CACHE[key]
