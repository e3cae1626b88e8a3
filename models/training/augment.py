"""Batch augmentations in torch (run on whatever device trains, so a GPU is not starved by a CPU data loader)."""
import math

import torch


def rand(g, n, lo, hi, device):
    return torch.rand(n, generator=g, device="cpu").to(device) * (hi - lo) + lo


def radiometric_jitter(x, g, p=0.8, strength=1.0):
    """Per sample and band: gain, contrast, brightness, gamma, noise — what differs between two acquisitions.
    x: [B,C,H,W] in unit range (may exceed 0..1 a little)."""
    b, c = x.shape[:2]
    dev = x.device
    s = strength
    on = (torch.rand(b, generator=g) < p).float().to(dev).view(b, 1, 1, 1)
    gain = torch.exp(rand(g, b * c, -0.1 * s, 0.1 * s, dev)).view(b, c, 1, 1)
    common = torch.exp(rand(g, b, -0.15 * s, 0.15 * s, dev)).view(b, 1, 1, 1)
    contrast = torch.exp(rand(g, b, -0.25 * s, 0.25 * s, dev)).view(b, 1, 1, 1)
    bright = rand(g, b, -0.08 * s, 0.08 * s, dev).view(b, 1, 1, 1)
    gamma = torch.exp(rand(g, b, -0.3 * s, 0.3 * s, dev)).view(b, 1, 1, 1)
    noise = rand(g, b, 0.0, 0.02 * s, dev).view(b, 1, 1, 1)
    y = x * gain * common
    m = y.mean(dim=(1, 2, 3), keepdim=True)
    y = (y - m) * contrast + m + bright
    y = torch.sign(y) * torch.abs(y).clamp_min(1e-6) ** gamma
    y = y + noise * torch.randn(y.shape, generator=g).to(dev)
    return (on * y + (1 - on) * x).clamp(-0.5, 1.5)


def dihedral(xs, k, flip):
    """Same rot90 (k) and optional horizontal flip for every tensor in xs ([C,H,W] each)."""
    out = []
    for x in xs:
        x = torch.rot90(x, k, dims=(-2, -1)) if k else x
        out.append(torch.flip(x, dims=(-1,)) if flip else x)
    return out


def ellipse_mask(h, w, device):
    yy = (torch.arange(h, device=device).float() + 0.5) / h * 2 - 1
    xx = (torch.arange(w, device=device).float() + 0.5) / w * 2 - 1
    return ((yy.view(-1, 1) ** 2 + xx.view(1, -1) ** 2) <= 1.0).float()


def log_uniform(g, lo, hi):
    return math.exp(torch.empty(1).uniform_(math.log(lo), math.log(hi), generator=g).item())
