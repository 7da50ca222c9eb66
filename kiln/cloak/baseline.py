"""The reference attack issue 3 measured against: sign-gradient PGD towards a texture latent."""

from __future__ import annotations

import time

import numpy as np
import torch

from .attack import CloakConfig, CloakResult, _encode, _pad_to, quantise, texture_target, to_tensor
from .encoders import Models


def naive_baseline(
    original: np.ndarray,
    models: Models,
    eps: int = 4,
    steps: int = 30,
    seed: int = 0,
    fast: bool = False,
) -> CloakResult:
    """The reference attack the issue measures: sign-gradient PGD towards a texture latent.

    Plain float32 and the default memory format unless ``fast`` (to separate the gain
    of the algorithm from the gain of the kernels).  Step size 2.5 * eps / steps (Madry).
    """
    t0 = time.perf_counter()
    x, _, _ = _pad_to(to_tensor(original).to(models.device), 32)
    enc = models.encoders["taef2_encoder"]
    if fast:
        x = x.contiguous(memory_format=torch.channels_last)
    e = eps / 255.0
    alpha = 2.5 * e / steps
    with torch.no_grad():
        tex = texture_target(*x.shape[-2:], seed=seed).to(x.device)
        zt = _encode(enc, tex, fast)
    delta = torch.zeros_like(x, requires_grad=True)
    for _ in range(steps):
        z = _encode(enc, (x + delta).clamp(0, 1), fast)
        loss = (z - zt).square().mean()
        (grad,) = torch.autograd.grad(loss, delta)
        with torch.no_grad():
            delta -= alpha * grad.sign()
            delta.clamp_(-e, e)
            delta.copy_((x + delta).clamp(0, 1) - x)
    h, w = original.shape[:2]
    out = quantise((x + delta).detach()[:, :, :h, :w], original, eps)
    cfg = CloakConfig(eps=eps, steps=steps, mode="target", encoders=("taef2_encoder",))
    return CloakResult(cloaked=out, seconds=time.perf_counter() - t0, config=cfg)
