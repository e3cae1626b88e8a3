"""TinyCD (Codegoni, Lombardi, Ferrari, "TinyCD: A (Not So) Deep Learning Model For Change Detection", Neural
Computing and Applications 2023, arXiv 2207.13159, https://github.com/AndreaCodegoni/Tiny_model_4_CD), rebuilt from
/work/shared/models/tinycd/ARCHITECTURE.md so that the authors' state dicts (levir_best.pth, whu_best.pth) load
with their own key names. Research / non-commercial use only (see that folder's PROVENANCE.md).

    TinyCD()(before, after)           ImageNet-normalised inputs [N,3,H,W] (H, W multiples of 8) -> probability [N,1,H,W]
    UnitInputTinyCD(net)(before, after)  unit-scaled RGB (uint8 / 255) -> the same; the normalisation is in the graph
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

TINYCD_DIR = os.environ.get("TINYCD_DIR", "/work/shared/models/tinycd")
WEIGHTS = {"levir": os.path.join(TINYCD_DIR, "levir_best.pth"), "whu": os.path.join(TINYCD_DIR, "whu_best.pth")}
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


class Mix(nn.Module):
    """Interleaves the channels of two tensors (x0, y0, x1, y1, ...), then a grouped 3x3 conv (each group sees one
    channel of both dates), PReLU, instance norm (no affine, no running statistics)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self._convmix = nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, groups=c_out), nn.PReLU(),
                                      nn.InstanceNorm2d(c_out))

    def forward(self, x, y):
        n, c, h, w = x.shape
        mixed = torch.stack((x, y), dim=2).reshape(n, 2 * c, h, w)
        return self._convmix(mixed)


class PixelLinear(nn.Module):
    """A chain of 1x1 convs with bias, each followed by PReLU (or, for the last, `last` if given)."""

    def __init__(self, fin, fout, last=None):
        super().__init__()
        n = len(fin)
        self._linears = nn.Sequential(*[
            nn.Sequential(nn.Conv2d(fin[i], fout[i], 1), last if (i == n - 1 and last is not None) else nn.PReLU())
            for i in range(n)
        ])

    def forward(self, x):
        return self._linears(x)


class MaskBlock(nn.Module):
    """PixelLinear(Mix(x, y)): a one-channel spatial mask from a pair of feature maps."""

    def __init__(self, c_in, c_out, fin, fout):
        super().__init__()
        self._mixing = Mix(c_in, c_out)
        self._linear = PixelLinear(fin, fout)

    def forward(self, x, y):
        return self._linear(self._mixing(x, y))


class Up(nn.Module):
    """Bilinear x2 (align_corners), times a one-channel mask, depthwise 3x3 + PReLU + IN, 1x1 + PReLU + IN."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self._convolution = nn.Sequential(
            nn.Conv2d(n_in, n_in, 3, padding=1, groups=n_in), nn.PReLU(), nn.InstanceNorm2d(n_in),
            nn.Conv2d(n_in, n_out, 1), nn.PReLU(), nn.InstanceNorm2d(n_out))

    def forward(self, x, mask):
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return self._convolution(x * mask)


class TinyCD(nn.Module):
    def __init__(self):
        super().__init__()
        # weights=None: no download; the state dict carries the ImageNet-pretrained stem.
        features = torchvision.models.efficientnet_b4(weights=None).features
        self._backbone = nn.ModuleList([features[i] for i in range(4)])
        self._first_mix = MaskBlock(6, 3, [3, 10, 5], [10, 5, 1])
        self._mixing_mask = nn.ModuleList([
            MaskBlock(48, 24, [24, 12, 6], [12, 6, 1]),
            MaskBlock(64, 32, [32, 16, 8], [16, 8, 1]),
            Mix(112, 56),
        ])
        self._up = nn.ModuleList([Up(56, 64), Up(64, 64), Up(64, 32)])
        self._classify = PixelLinear([32, 16, 8], [16, 8, 1], nn.Sigmoid())

    def forward(self, before, after):
        masks = [self._first_mix(before, after)]  # full resolution
        for k, stage in enumerate(self._backbone):
            before, after = stage(before), stage(after)
            if k > 0:  # stages 1, 2, 3 -> masks at 1/2, 1/4 and the 1/8 features
                masks.append(self._mixing_mask[k - 1](before, after))
        x = masks[-1]
        for up, mask in zip(self._up, reversed(masks[:-1])):
            x = up(x, mask)
        return self._classify(x)


class UnitInputTinyCD(nn.Module):
    """The exported model: takes unit-scaled RGB (what ChangeMap feeds after uint8 / 255 or its uint16 stretch)
    and applies TinyCD's ImageNet normalisation inside the graph, so the card's own normalisation is the identity."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, before, after):
        return self.net((before - self.mean) / self.std, (after - self.mean) / self.std)


def load_tinycd(which_or_path):
    """TinyCD in eval mode with the named weights ("levir", "whu") or a state-dict path (.pth or .npz)."""
    path = WEIGHTS.get(which_or_path, which_or_path)
    if path.endswith(".npz"):
        import numpy as np
        z = np.load(path)
        sd = {k: torch.from_numpy(z[k]) for k in z.files}
    else:
        sd = torch.load(path, map_location="cpu")
    net = TinyCD()
    net.load_state_dict(sd, strict=True)
    return net.eval()
