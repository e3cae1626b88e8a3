"""Network definitions for the ChangeMap change detector and land-cover classifier.

Both are deliberately small: the app runs them with onnxruntime on ordinary laptops (2-4 CPU threads),
so the budget is roughly 10-20 k multiply-adds per output pixel for change and <100 M per patch for land cover.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, stride=1, k=3):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SiamEncoder(nn.Module):
    """Shared by both dates. Returns features at 1, 1/2, 1/4, 1/8, 1/16 of the input size."""

    def __init__(self, widths):
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        # Full resolution gets a single cheap conv: it only has to keep small (few-pixel) changes localised.
        self.s0 = conv_bn_relu(3, w0)
        self.s1 = nn.Sequential(conv_bn_relu(w0, w1, 2), conv_bn_relu(w1, w1))
        self.s2 = nn.Sequential(conv_bn_relu(w1, w2, 2), conv_bn_relu(w2, w2))
        self.s3 = nn.Sequential(conv_bn_relu(w2, w3, 2), conv_bn_relu(w3, w3))
        self.s4 = nn.Sequential(conv_bn_relu(w3, w4, 2), conv_bn_relu(w4, w4))

    def forward(self, x):
        f0 = self.s0(x)
        f1 = self.s1(f0)
        f2 = self.s2(f1)
        f3 = self.s3(f2)
        f4 = self.s4(f3)
        return [f0, f1, f2, f3, f4]


class ChangeNet(nn.Module):
    """Siamese encoder + |difference| at every scale + light FPN-style decoder (additive skips keep it cheap).

    forward(before, after) -> change probability [N,1,H,W] (sigmoid inside, as the model card promises).
    H and W must be multiples of 16.
    """

    def __init__(self, widths=(8, 24, 48, 96, 160)):
        super().__init__()
        self.widths = list(widths)
        self.encoder = SiamEncoder(widths)
        w0, w1, w2, w3, w4 = widths
        self.lat4 = nn.Conv2d(w4, w3, 1)
        self.dec3 = conv_bn_relu(w3, w3)
        self.lat3 = nn.Conv2d(w3, w2, 1)
        self.dec2 = conv_bn_relu(w2, w2)
        self.lat2 = nn.Conv2d(w2, w1, 1)
        self.dec1 = conv_bn_relu(w1, w1)
        self.lat1 = nn.Conv2d(w1, w0, 1)
        self.dec0 = conv_bn_relu(w0, w0)
        self.head = nn.Conv2d(w0, 1, 1)
        self.emit_logits = False  # training uses logits (numerically stable loss); export keeps the sigmoid

    @staticmethod
    def _up(x):
        return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)

    def forward(self, before, after):
        fa = self.encoder(before)
        fb = self.encoder(after)
        d = [torch.abs(a - b) for a, b in zip(fa, fb)]
        x = self.dec3(self._up(self.lat4(d[4])) + d[3])
        x = self.dec2(self._up(self.lat3(x)) + d[2])
        x = self.dec1(self._up(self.lat2(x)) + d[1])
        x = self.dec0(self._up(self.lat1(x)) + d[0])
        logits = self.head(x)
        return logits if self.emit_logits else torch.sigmoid(logits)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = conv_bn_relu(cin, cout, stride)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
        self.skip = (
            nn.Identity()
            if stride == 1 and cin == cout
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
        )

    def forward(self, x):
        return F.relu(self.c2(self.c1(x)) + self.skip(x))


class LandCoverNet(nn.Module):
    """Small ResNet for 64x64 RGB patches. forward(x) -> softmax probabilities [N, classes]."""

    def __init__(self, classes=30, widths=(32, 64, 128, 256), dropout=0.2):
        super().__init__()
        self.widths = list(widths)
        w = widths
        self.stem = conv_bn_relu(3, w[0], 2)  # 64 -> 32: the patch is already a coarse view of the scene
        self.stages = nn.Sequential(
            ResBlock(w[0], w[0], 1),
            ResBlock(w[0], w[1], 2),
            ResBlock(w[1], w[1], 1),
            ResBlock(w[1], w[2], 2),
            ResBlock(w[2], w[2], 1),
            ResBlock(w[2], w[3], 2),
        )
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(w[3], classes)
        self.emit_logits = False

    def forward(self, x):
        x = self.stages(self.stem(x))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        logits = self.fc(self.drop(x))
        return logits if self.emit_logits else torch.softmax(logits, dim=1)


def count_params(m):
    return sum(p.numel() for p in m.parameters())


class TinyChange(nn.Module):
    """Test model (kilobytes): shared 1x1 conv, |difference|, 3x3 averaging conv, sigmoid. Weights are set by hand
    so it behaves predictably: identical dates -> sigmoid(-2) ~ 0.12; a one-std difference in every band -> ~1."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Conv2d(3, 3, 1)
        self.score = nn.Conv2d(3, 1, 3, padding=1)
        with torch.no_grad():
            self.embed.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
            self.embed.bias.zero_()
            self.score.weight.fill_(8.0 / 27.0)
            self.score.bias.fill_(-2.0)

    def forward(self, before, after):
        return torch.sigmoid(self.score(torch.abs(self.embed(before) - self.embed(after))))


class TinyLandCover(nn.Module):
    """Test classifier (bytes): the dominant colour decides. Classes: BareLand (red), Forest (green), River (blue)."""

    def __init__(self):
        super().__init__()
        self.mix = nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            self.mix.weight.copy_(5.0 * torch.eye(3).view(3, 3, 1, 1))
            self.mix.bias.zero_()

    def forward(self, x):
        return torch.softmax(torch.flatten(F.adaptive_avg_pool2d(self.mix(x), 1), 1), dim=1)
