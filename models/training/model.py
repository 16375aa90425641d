"""A small 2.5D CenterNet for lung nodules: SLICES adjacent slices in (common.py), stride-4 maps out
(centre heatmap, cross-section diameter in mm, sub-cell offset, type and margin probabilities)."""
import torch
from torch import nn

from common import MARGINS, SLICES, TYPES


def conv(cin: int, cout: int, stride: int = 1, k: int = 3, blur: bool = False) -> nn.Sequential:
    layers = [Blur(cin)] if blur and stride > 1 else []
    layers += [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class Blur(nn.Module):
    """A fixed [1 2 1] x [1 2 1] / 16 low-pass filter per channel, put before a strided convolution: the
    convolution is linear, so this is the same as low-passing its output before it is subsampled, which
    reduces the aliasing of the subsampling (anti-aliased downsampling, after Zhang, 2019, "Making
    convolutional networks shift-invariant again"). Meant to make the detector's scores depend less on
    where its crop starts; `train.py --blur`, off by default."""

    def __init__(self, c: int):
        super().__init__()
        k = torch.tensor([1.0, 2.0, 1.0])
        self.register_buffer("kernel", (k[:, None] * k[None, :] / 16.0).expand(c, 1, 3, 3).contiguous())
        self.c = c

    def forward(self, x):
        return nn.functional.conv2d(x, self.kernel, padding=1, groups=self.c)


class GradReverse(torch.autograd.Function):
    """Identity forward; the gradient multiplied by -lam backward (Ganin and Lempitsky, 2015): what follows
    learns to tell the domains apart, what comes before learns to make them indistinguishable."""

    @staticmethod
    def forward(ctx, x, lam: float):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.lam * grad, None


class MixStyle(nn.Module):
    """Training-time style mixing (after Zhou et al., 2021, "Domain generalization with MixStyle"): with
    probability `p` per batch, each patch's feature statistics (per-channel mean and standard deviation over
    the plane) are replaced by a random mix of its own and another patch's, the mix weight drawn from
    Beta(0.1, 0.1). What a generator leaves in the early features' statistics (its noise texture, kernel,
    contrast) is then no longer tied to its anatomy. The identity when `p` is 0 and in eval mode, so it adds
    nothing to the exported graph."""

    def __init__(self, p: float = 0.0, alpha: float = 0.1, eps: float = 1e-6):
        super().__init__()
        self.p = p
        self.beta = torch.distributions.Beta(alpha, alpha)
        self.eps = eps

    def forward(self, x):
        if not self.training or self.p <= 0 or float(torch.rand(())) >= self.p:
            return x
        n = x.shape[0]
        mu = x.mean(dim=(2, 3), keepdim=True).detach()
        sig = (x.var(dim=(2, 3), keepdim=True) + self.eps).sqrt().detach()
        lam = self.beta.sample((n, 1, 1, 1)).to(x.dtype)
        perm = torch.randperm(n)
        return (x - mu) / sig * (lam * sig + (1 - lam) * sig[perm]) + lam * mu + (1 - lam) * mu[perm]


class Res(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.a = conv(c, c)
        self.b = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.act(x + self.b(self.a(x)))


class NoduleNet(nn.Module):
    """`heads=2` trains one centre heatmap for solid and calcified nodules and one for sub-solid ones
    (part-solid, ground glass), so that faint nodules have a loss of their own instead of being a minority
    of one shared map; in eval mode (and so in the exported graph) the output is their maximum, one map
    as the engine expects. `domains` > 1 adds a domain-adversarial classifier (training mode only); its
    logits come after the five outputs. `mixstyle` > 0 mixes the patches' feature statistics after the stem
    and after the stride-4 stage in training (MixStyle)."""

    def __init__(self, width: int = 32, heads: int = 1, blur: bool = False, domains: int = 0, mixstyle: float = 0.0):
        super().__init__()
        w = width
        self.mix = MixStyle(mixstyle)
        self.stem = conv(SLICES, w // 2, 2, blur=blur)  # 1/2
        self.s4 = nn.Sequential(conv(w // 2, w, 2, blur=blur), Res(w))  # 1/4
        self.s8 = nn.Sequential(conv(w, 2 * w, 2, blur=blur), Res(2 * w), Res(2 * w))  # 1/8
        self.s16 = nn.Sequential(conv(2 * w, 3 * w, 2, blur=blur), Res(3 * w), Res(3 * w))  # 1/16
        self.lat16 = nn.Conv2d(3 * w, 2 * w, 1)
        self.lat8 = nn.Conv2d(2 * w, w, 1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.fuse8 = conv(2 * w, 2 * w)
        self.fuse4 = conv(w, w)
        self.head = conv(w, w)

        def out(c: int) -> nn.Conv2d:
            return nn.Conv2d(w, c, 1)

        self.hm = out(heads)
        self.size = out(1)
        self.offset = out(2)
        self.kind = out(len(TYPES))
        self.marg = out(len(MARGINS))
        nn.init.constant_(self.hm.bias, -2.2)
        # Domain-adversarial training (`domains` > 1): a classifier that tells, at each stride-8 cell of the
        # fused features, which generator the patch came from, behind a gradient reversal of strength
        # `reverse` (set by the training loop). Training mode only: it is not in the exported graph.
        self.domains = domains
        self.reverse = 0.0
        if domains > 1:
            self.domain = nn.Sequential(nn.Conv2d(2 * w, w, 1), nn.ReLU(inplace=True), nn.Conv2d(w, domains, 1))

    def forward(self, x):
        f4 = self.mix(self.s4(self.mix(self.stem(x))))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        p8 = self.fuse8(f8 + self.up(self.lat16(f16)))
        p4 = self.fuse4(f4 + self.up(self.lat8(p8)))
        h = self.head(p4)
        hm = torch.sigmoid(self.hm(h))
        if not self.training and hm.shape[1] > 1:
            hm = hm.amax(dim=1, keepdim=True)
        extra = (self.domain(GradReverse.apply(p8, self.reverse)),) if self.training and self.domains > 1 else ()
        return (
            hm,
            torch.nn.functional.softplus(self.size(h)) * 10.0,
            torch.sigmoid(self.offset(h)),
            torch.softmax(self.kind(h), dim=1),
            torch.softmax(self.marg(h), dim=1),
        ) + extra


OUTPUT_NAMES = ["heatmap", "size", "offset", "type", "margin"]
