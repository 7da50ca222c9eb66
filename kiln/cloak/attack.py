"""The cloak: projected gradient descent on the image under an L-infinity budget.

The image's latent is pushed away from its own latent (and optionally towards the latent
of a procedurally generated texture, Mist's "textural" mode), averaged over the transforms a
trainer applies (kiln.cloak.transforms). Speed comes from spending most steps where a trainer
looks: a fixed, seeded pool of downscaled draws whose reference latents are encoded once,
and a third of the steps at full resolution, mostly through a JPEG re-save, the last one as
uploaded; L2 steps instead of sign steps; bf16 autocast with channels_last where the
hardware has bf16 kernels (CUDA, AMX / AVX-512 bf16 CPUs; float32 elsewhere); and few,
even tiles, which also bound memory for the 2048 px master.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from .encoders import Models, load_models
from .transforms import IDENTITY, SCALES, Transform, sample_transform

INTENSITY_EPS = {"low": 4, "default": 6, "high": 8}  # L-inf budget in 1/255 units

ProgressFn = Callable[[float], None]
CancelFn = Callable[[], bool]


class CloakCancelled(Exception):
    """Raised when the cancel callback asks the attack to stop."""


@dataclass
class CloakConfig:
    eps: int = 6  # L-inf budget, 1/255 units (integer so the 8-bit bound is exact)
    # Attack steps (after coarse_steps at half resolution, if any). 36 fit the 60 s/MP target
    # on 2 cores with bf16 kernels (AVX-512 bf16, AMX, CUDA); float32-only CPUs take ~2.8x.
    steps: int = 36
    mode: str = "away"  # "away" | "target" | "both"
    encoders: tuple[str, ...] = ("taef2_encoder", "taesana_encoder")
    encoder_weights: dict[str, float] = field(
        default_factory=lambda: {"taef2_encoder": 1.0, "taesana_encoder": 0.5}
    )
    optimizer: str = "l2"  # "adam" | "l2" (momentum on L2-normalised gradients)
    lr: float = 0.6  # Adam: step as a fraction of eps; l2: step as a fraction of the L2 ball
    mask: bool = True  # perceptual mask: less change where the picture is flat
    mask_floor: float = 0.4
    mask_scale: float = 0.04  # local std at which the full budget is allowed
    tile: int = 1024
    overlap: int = 64
    # bf16 autocast: None picks it where the hardware has bf16 kernels (CUDA, or a CPU with
    # AVX-512 bf16 / AMX). Elsewhere it is emulated and far slower than float32: on the
    # AMD EPYC without AVX-512 one taef2 forward+backward at 256 px took over 300 s in bf16
    # against 1.4 s in float32.
    bf16: bool | None = None
    ssim_floor: float | None = 0.96  # hinge penalty keeps SSIM above this
    ssim_weight: float = 30.0
    psnr_floor: float | None = 36.5  # L2 ball: keep the mean change below this PSNR
    stop_shift: float | None = 1.0  # stop early once the taef2 shift passes this
    min_steps: int = 6
    init: float = 0.5  # random start, fraction of the bound
    # Steps at half resolution first (a quarter of the cost each). Off by default: the pool's
    # downscaled draws do the same work on the full-resolution perturbation.
    coarse_steps: int = 0
    # Expectation over transformation: each step draws one trainer-like transform
    # (kiln.cloak.transforms); momentum over steps is the running average over draws.
    eot: bool = True
    # Without a pool: the share of draws that are the image as uploaded. With a pool: the
    # share of full-resolution steps (see full_draws), spread evenly, the last step one.
    p_identity: float = 1 / 3
    # Low-resolution parameterisation: the step is the gradient averaged over lowpass x
    # lowpass blocks and upsampled, plus lowpass_detail of the full-resolution gradient. A
    # perturbation built of such steps is smooth, so a trainer's downscale keeps it.
    lowpass: int = 1
    lowpass_detail: float = 0.0
    # Early stop judged on the draws at or below this scale (None: on every draw), so an
    # image is not left once it moves as uploaded but not after the trainer's downscale.
    stop_scale: float | None = None
    # A fixed pool of transforms per tile, drawn once (seeded): the original's latent under
    # each is encoded once and cached instead of at every step. 0 draws afresh every step.
    pool: int = 6
    # Pool draws are at most this scale (a step at scale s costs about s^2 of a full one);
    # trainer_sizes adds the bucket scales a fine-tune uses (area size^2 of the whole image).
    pool_max_scale: float = 0.625
    trainer_sizes: tuple[int, ...] = (512,)
    # With a pool: full-resolution steps, spread evenly among the steps with share
    # p_identity, cycle through these draws (a JPEG quality, or None: as uploaded); the
    # other steps cycle through the pool.
    full_draws: tuple[int | None, ...] = (85, 85, None)
    seed: int = 0

    @classmethod
    def for_intensity(cls, intensity: str, **kw) -> CloakConfig:
        if intensity not in INTENSITY_EPS:
            raise ValueError(f"intensity must be one of {', '.join(INTENSITY_EPS)}")
        return cls(eps=INTENSITY_EPS[intensity], **kw)


def pick_threads() -> None:
    """Use every core we were given, or KILN_CLOAK_THREADS (1 is kinder on a busy machine)."""
    import os

    n = os.environ.get("KILN_CLOAK_THREADS")
    if n and n.isdigit():
        torch.set_num_threads(max(1, int(n)))
        return
    with contextlib.suppress(AttributeError, OSError):
        torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))


def texture_target(h: int, w: int, seed: int = 0) -> torch.Tensor:
    """A busy, high-contrast texture (oriented gratings + blobs) in [0, 1], 1x3xhxw."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(
        torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij"
    )
    out = torch.zeros(3, h, w)
    for c in range(3):
        acc = torch.zeros(h, w)
        for _ in range(4):
            theta = float(torch.rand(1, generator=g)) * math.pi
            period = 6 + float(torch.rand(1, generator=g)) * 18
            phase = float(torch.rand(1, generator=g)) * 2 * math.pi
            acc += torch.sin(
                (xx * math.cos(theta) + yy * math.sin(theta)) * 2 * math.pi / period + phase
            )
        out[c] = torch.sigmoid(2.0 * acc)
    return out[None]


def texture_mask(x: torch.Tensor, cfg: CloakConfig) -> torch.Tensor:
    """Per-pixel share of the budget in [floor, 1]: full where the picture is busy."""
    if not cfg.mask:
        return torch.ones_like(x[:, :1])
    lum = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3]).float()
    k = 7
    mu = F.avg_pool2d(lum, k, 1, k // 2, count_include_pad=False)
    var = F.avg_pool2d(lum * lum, k, 1, k // 2, count_include_pad=False) - mu * mu
    std = var.clamp_min(0).sqrt()
    m = (std / cfg.mask_scale).clamp(cfg.mask_floor, 1.0)
    # Smooth so the budget does not jump at edges (a jump is itself visible).
    return F.avg_pool2d(m, 5, 1, 2, count_include_pad=False)


def _gauss1d(size: int = 11, sigma: float = 1.5) -> torch.Tensor:
    c = torch.arange(size, dtype=torch.float32) - size // 2
    g = torch.exp(-(c**2) / (2 * sigma**2))
    return g / g.sum()


def _blur(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    c = x.shape[1]
    k = g.to(x.device)
    x = F.conv2d(x, k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(x, k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def ssim_torch(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Differentiable mean SSIM (Gaussian 11x11, sigma 1.5) for images in [0, 1]."""
    g = _gauss1d()
    c1, c2 = 0.01**2, 0.03**2
    x, y = x.float().contiguous(), y.float().contiguous()
    mx, my = _blur(x, g), _blur(y, g)
    sxx = _blur(x * x, g) - mx * mx
    syy = _blur(y * y, g) - my * my
    sxy = _blur(x * y, g) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return s.mean()


def _pad_to(x: torch.Tensor, mult: int) -> tuple[torch.Tensor, int, int]:
    h, w = x.shape[-2:]
    ph, pw = (-h) % mult, (-w) % mult
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="replicate")
    return x, ph, pw


def _prep(x: torch.Tensor) -> torch.Tensor:
    """Encoder input: padded to a multiple of 32 (taesana's factor), channels_last."""
    return _pad_to(x, 32)[0].contiguous(memory_format=torch.channels_last)


def bf16_is_fast(device: torch.device | str) -> bool:
    """Whether bf16 autocast runs on real bf16 kernels on this device."""
    if torch.device(device).type == "cuda":
        return torch.cuda.is_bf16_supported()
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def uses_bf16(cfg: CloakConfig, device: torch.device | str) -> bool:
    """The config's choice, or (None) whether this device has bf16 kernels."""
    return cfg.bf16 if cfg.bf16 is not None else bf16_is_fast(device)


def _encode(enc, x: torch.Tensor, bf16: bool) -> torch.Tensor:
    dev = x.device.type
    with torch.autocast(dev, dtype=torch.bfloat16, enabled=bf16):
        return enc(x).float()


def _smooth(t: torch.Tensor, factor: int, detail: float) -> torch.Tensor:
    """Block-average t by factor and upsample it back (bilinear), plus detail * t."""
    if factor <= 1:
        return t
    h, w = t.shape[-2:]
    low = F.avg_pool2d(t, factor, ceil_mode=True)
    up = F.interpolate(low, size=(h, w), mode="bilinear", align_corners=False)
    return up + detail * t if detail else up


def _plan(cfg: CloakConfig, steps: int, image_hw: tuple[int, int]) -> list[Transform]:
    """The transform each step applies (seeded, so a run is reproducible)."""
    if not cfg.eot:
        return [IDENTITY] * steps
    g = torch.Generator().manual_seed(cfg.seed + 1)
    if not cfg.pool:
        return [sample_transform(g, cfg.p_identity) for _ in range(steps)]
    h, w = image_hw
    # Not capped by pool_max_scale: an image under the bucket's area is seen at full size.
    trainer = [min(1.0, size / math.sqrt(h * w)) for size in cfg.trainer_sizes]
    scales = [s for s in SCALES if s <= cfg.pool_max_scale] or [min(SCALES)]
    pool = []
    for i in range(cfg.pool):
        t = sample_transform(g, 0.0)
        if trainer and i % 2 == 0:  # half the pool at the trainer's buckets, bicubic as theirs
            t = dataclasses.replace(t, scale=trainer[(i // 2) % len(trainer)], mode="bicubic")
        else:
            k = int(float(torch.rand(1, generator=g)) * len(scales)) % len(scales)
            t = dataclasses.replace(t, scale=scales[k])
        pool.append(t)
    full = [IDENTITY if q is None else Transform(quality=q) for q in cfg.full_draws] or [IDENTITY]
    # Full-resolution steps: share p_identity (at least one), spread evenly, the last one
    # included so the final perturbation is tuned on the image the artist publishes.
    n_full = max(1, round(steps * cfg.p_identity)) if cfg.p_identity > 0 else 0
    plan, k_full, k_pool = [], 0, 0
    for i in range(steps):
        if ((i + 1) * n_full) // steps > (i * n_full) // steps:
            plan.append(full[k_full % len(full)])
            k_full += 1
        else:
            plan.append(pool[k_pool % len(pool)])
            k_pool += 1
    return plan


def _cost(t: Transform) -> float:
    """A step's share of a full-resolution step: the encoders' cost goes with the pixels."""
    top, left, bottom, right = t.crop
    return t.scale**2 * (1 - top - bottom) * (1 - left - right)


def _attack_tile(
    x: torch.Tensor,
    models: Models,
    cfg: CloakConfig,
    plan: list[Transform],
    delta0: torch.Tensor | None,
    tick: Callable[[float], None],
) -> torch.Tensor:
    """Optimise a perturbation for one tile (1x3xHxW, multiples of 32), one step per draw of
    the plan (the same for every tile of an image); returns delta."""
    eps = cfg.eps / 255.0
    bound = eps * texture_mask(x, cfg)
    cl = torch.channels_last
    x = x.contiguous(memory_format=cl)
    tex = None
    if cfg.mode in ("target", "both"):
        tex = texture_target(*x.shape[-2:], seed=cfg.seed).to(x.device)
    cache: dict[Transform, dict] = {}

    @torch.no_grad()
    def references(t: Transform) -> dict:
        """Latents of the transformed original (and texture): what the step pushes away from.

        Cached per transform: a pool's draws recur, and the original never changes."""
        if t in cache:
            return cache[t]
        xt = _prep(t(x))
        out = {}
        for name in cfg.encoders:
            enc = models.encoders[name]
            z0 = _encode(enc, xt, cfg.bf16)
            zt = None if tex is None else _encode(enc, _prep(t(tex)), cfg.bf16)
            out[name] = (z0, zt, z0.square().sum().clamp_min(1e-6))
        cache[t] = out
        return out

    if delta0 is None:
        # A random start: the "away" loss has zero gradient at delta = 0.
        g = torch.Generator().manual_seed(cfg.seed)
        noise = torch.rand(x.shape, generator=g) * 2 - 1
        if cfg.lowpass > 1:  # a smooth start too, rescaled to fill the box again
            noise = _smooth(noise, cfg.lowpass, 0.0)
            noise = noise / noise.abs().amax().clamp_min(1e-12)
        delta = noise.to(x.device) * bound * cfg.init
    else:
        delta = delta0.clone()
    delta = delta.contiguous(memory_format=cl).requires_grad_(True)
    max_rms = None if cfg.psnr_floor is None else 10 ** (-cfg.psnr_floor / 20)
    opt = None
    if cfg.optimizer == "adam":
        opt = torch.optim.Adam([delta], lr=cfg.lr * eps, betas=(0.5, 0.9))
    momentum = torch.zeros_like(delta)
    avg_shift = None  # running mean of the shift over the (judged) draws, for the early stop
    for step, t in enumerate(plan):
        refs = references(t)
        xa = (x + delta).clamp(0, 1)
        xt = _prep(t(xa))
        loss = 0.0
        shift = None
        for name in cfg.encoders:
            z = _encode(models.encoders[name], xt, cfg.bf16)
            z0, zt, n0 = refs[name]
            wgt = cfg.encoder_weights.get(name, 1.0)
            if shift is None:  # the first encoder (taef2) is the one the report leads with
                shift = float(((z.detach() - z0).square().sum() / n0).sqrt())
            if cfg.mode in ("away", "both"):
                loss = loss - wgt * (z - z0).square().sum() / n0
            if cfg.mode in ("target", "both"):
                loss = loss + wgt * (z - zt).square().sum() / n0
        if cfg.stop_scale is None or (t is not IDENTITY and t.scale <= cfg.stop_scale):
            avg_shift = shift if avg_shift is None else 0.8 * avg_shift + 0.2 * shift
        stop = cfg.stop_shift and avg_shift is not None and step >= cfg.min_steps
        if stop and avg_shift >= cfg.stop_shift:
            # Far past the target already: spend the time on images that need it.
            tick(sum(_cost(rest) for rest in plan[step:]))
            break
        (grad,) = torch.autograd.grad(loss, delta)
        if cfg.ssim_floor is not None:
            # Glaze-style perceptual bound: penalise only once SSIM drops below the floor.
            # Checked without a graph first: above the floor the hinge has no gradient.
            with torch.no_grad():
                low = float(ssim_torch(xa, x)) < cfg.ssim_floor
            if low:
                d = delta.detach().requires_grad_(True)
                pen = cfg.ssim_weight * F.relu(cfg.ssim_floor - ssim_torch((x + d).clamp(0, 1), x))
                grad = grad + torch.autograd.grad(pen, d)[0]
        if opt is not None:
            delta.grad = grad
            opt.step()
        else:
            with torch.no_grad():
                grad = _smooth(grad, cfg.lowpass, cfg.lowpass_detail)
                # Steepest descent in L2 spends the budget where the gradient is large,
                # instead of spreading it evenly as sign or Adam steps do.
                momentum.mul_(0.75).add_(grad / grad.norm().clamp_min(1e-12))
                radius = (max_rms or eps) * math.sqrt(delta.numel())
                delta.sub_(cfg.lr * radius * momentum / momentum.norm().clamp_min(1e-12))
        with torch.no_grad():
            delta.copy_(torch.maximum(torch.minimum(delta, bound), -bound))
            delta.copy_((x + delta).clamp(0, 1) - x)
            if max_rms is not None:
                # Scaling towards 0 keeps the box constraint and bounds the PSNR.
                rms = delta.square().mean().sqrt()
                if rms > max_rms:
                    delta.mul_(max_rms / rms)
        tick(_cost(t))
    return delta.detach().contiguous()


def _tiles(n: int, tile: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """(start, end, keep_start, keep_end) along one axis; tiles overlap, cores do not.

    As few tiles as cover n with the overlap, all of one size (a multiple of 32, at most
    tile), spread evenly: every step's cost goes with the pixels processed, and fixed
    tile-sized strides processed a 2048 px side as three 1024 px tiles (1.5x the pixels)."""
    if n <= tile:
        return [(0, n, 0, n)]
    k = math.ceil((n - overlap) / (tile - overlap))
    size = min(tile, math.ceil((n + (k - 1) * overlap) / k / 32) * 32)
    # Starts on the 16 px grid of a JPEG's 4:2:0 blocks, so the differentiable JPEG of a
    # tile quantises the same blocks as the real one of the whole image.
    starts = [round(i * (n - size) / (k - 1) / 16) * 16 for i in range(k - 1)] + [n - size]
    # Each core ends in the middle of its overlap with the next tile.
    cuts = [0] + [(starts[i + 1] + starts[i] + size) // 2 for i in range(k - 1)] + [n]
    return [(s, s + size, cuts[i], cuts[i + 1]) for i, s in enumerate(starts)]


def cloak_tensor(
    x: torch.Tensor,
    cfg: CloakConfig,
    models: Models | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> torch.Tensor:
    """Return the continuous perturbed image (1x3xHxW in [0, 1]) before quantisation."""
    models = models or load_models(decoder=False)
    cfg = dataclasses.replace(cfg, bf16=uses_bf16(cfg, models.device))
    x = x.to(models.device)
    H, W = x.shape[-2:]
    xp, _, _ = _pad_to(x, 32)
    tile = max(64, cfg.tile - cfg.tile % 32)
    ov = cfg.overlap - cfg.overlap % 32
    ys, xs = _tiles(xp.shape[-2], tile, ov), _tiles(xp.shape[-1], tile, ov)
    # Progress counts full-resolution step equivalents, so the ETA holds while cheap
    # downscaled steps and full ones alternate.
    coarse = dataclasses.replace(cfg, lowpass=max(1, cfg.lowpass // 2))
    plan = _plan(cfg, cfg.steps, (H, W))
    coarse_plan = _plan(coarse, cfg.coarse_steps, (H // 2, W // 2)) if cfg.coarse_steps else []
    per_tile = sum(map(_cost, plan)) + sum(map(_cost, coarse_plan)) / 4
    total = len(ys) * len(xs) * per_tile
    done = [0.0]

    def tick(w: float) -> None:
        if cancel is not None and cancel():
            raise CloakCancelled()
        done[0] += w
        if progress is not None:
            progress(min(1.0, done[0] / total))

    delta_full = torch.zeros_like(xp)
    for y0, y1, ky0, ky1 in ys:
        for x0, x1, kx0, kx1 in xs:
            t = xp[:, :, y0:y1, x0:x1]
            d0 = None
            if cfg.coarse_steps:
                small = F.interpolate(t, scale_factor=0.5, mode="area")
                small, _, _ = _pad_to(small, 32)
                # Half the resolution already halves the perturbation's frequencies.
                ds = _attack_tile(
                    small,
                    models,
                    coarse,
                    coarse_plan,
                    None,
                    lambda w: tick(w / 4),
                )
                d0 = F.interpolate(ds, scale_factor=2, mode="bilinear", align_corners=False)
                d0 = d0[:, :, : t.shape[-2], : t.shape[-1]]
            d = _attack_tile(t, models, cfg, plan, d0, tick)
            delta_full[:, :, ky0:ky1, kx0:kx1] = d[:, :, ky0 - y0 : ky1 - y0, kx0 - x0 : kx1 - x0]
    return (xp + delta_full).clamp(0, 1)[:, :, :H, :W]


def to_tensor(arr: np.ndarray) -> torch.Tensor:
    """HxWx3 uint8 -> 1x3xHxW float in [0, 1]."""
    return torch.from_numpy(np.array(arr, copy=True)).permute(2, 0, 1)[None].float() / 255.0


def to_uint8(t: torch.Tensor) -> np.ndarray:
    return (t[0].permute(1, 2, 0).clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()


def quantise(x_adv: torch.Tensor, original: np.ndarray, eps: int) -> np.ndarray:
    """8-bit result whose every channel value is within ``eps`` of the original, exactly."""
    adv = (x_adv[0].permute(1, 2, 0).detach().cpu().double().numpy() * 255.0).round()
    orig = original.astype(np.int16)
    out = np.clip(adv.astype(np.int16), orig - eps, orig + eps)  # clip after quantising
    return np.clip(out, 0, 255).astype(np.uint8)


@dataclass
class CloakResult:
    cloaked: np.ndarray  # HxWx3 uint8
    seconds: float
    config: CloakConfig


def cloak_array(
    original: np.ndarray,
    cfg: CloakConfig,
    models: Models | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
) -> CloakResult:
    """Cloak an HxWx3 uint8 RGB array; the input array is never modified."""
    if original.dtype != np.uint8 or original.ndim != 3 or original.shape[2] != 3:
        raise ValueError("expected an HxWx3 uint8 RGB array")
    if min(original.shape[:2]) < 32:
        raise ValueError("image too small to cloak (needs at least 32 px on each side)")
    t0 = time.perf_counter()
    with torch.inference_mode(False):
        x_adv = cloak_tensor(to_tensor(original), cfg, models, progress, cancel)
    out = quantise(x_adv, original, cfg.eps)
    return CloakResult(cloaked=out, seconds=time.perf_counter() - t0, config=cfg)
