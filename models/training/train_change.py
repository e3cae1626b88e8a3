"""Train ChangeMap's change detector (siamese, |difference| at every scale) on OSCD + SZTAKI + LEVIR + DSIFN.

Same script on CPU and CUDA. Stops after --time-budget-s (or --max-iters), validates every epoch on the
splits.json validation scenes, keeps the best checkpoint by the mean F1 over datasets at one shared threshold.
Example (GPU):  python3 models/training/train_change.py --device cuda --data .devdata/change.npz --time-budget-s 240
Example (CPU):  /usr/bin/python3 models/training/train_change.py --device cpu --data /work/shared/data --batch 8
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import augment as A  # noqa: E402
import data as D  # noqa: E402
from nets import ChangeNet, count_params  # noqa: E402
from train_common import band_tensors, load_last, save_best, save_last, seed_and_device, write_metrics  # noqa: E402

DATASET_WEIGHTS = {"oscd": 0.3, "sztaki": 0.25, "levir": 0.2, "dsifn": 0.25}
THRESHOLDS = [round(float(t), 2) for t in np.arange(0.1, 0.91, 0.05)]


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="raw data root or change.npz (default: .devdata cache if present)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", default=os.path.join(D.HERE, "runs", "change"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--time-budget-s", type=float, default=0, help="training wall time (0: use --max-iters)")
    ap.add_argument("--max-iters", type=int, default=100000)
    ap.add_argument("--iters-per-epoch", type=int, default=200)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--pos-weight", type=float, default=3.0)
    ap.add_argument("--widths", default="16,32,64,128,192")
    ap.add_argument("--seed", type=int, default=7)
    return ap.parse_args(argv)


def band_stats(scenes):
    """Per-band mean/std of unit-scaled training pixels; every dataset counts equally (not by pixel count)."""
    per_ds = {}
    for s in scenes:
        x = np.concatenate([s.before.reshape(3, -1), s.after.reshape(3, -1)], axis=1).astype(np.float64)
        acc = per_ds.setdefault(s.dataset, [np.zeros(3), np.zeros(3), 0])
        acc[0] += x.sum(1)
        acc[1] += (x ** 2).sum(1)
        acc[2] += x.shape[1]
    means = np.mean([a[0] / a[2] for a in per_ds.values()], axis=0)
    sq = np.mean([a[1] / a[2] for a in per_ds.values()], axis=0)
    return [round(float(v), 4) for v in means], [round(float(v), 4) for v in np.sqrt(sq - means ** 2)]


class Sampler:
    """Random training chips: dataset -> scene (by area) -> scale -> crop -> misregistration -> dihedral."""

    def __init__(self, scenes, device, crop, g):
        self.device, self.crop, self.g = device, crop, g
        self.by_ds = {}
        for s in scenes:
            t = torch.from_numpy(np.concatenate([s.before, s.after, s.mask[None].astype(np.float32)])).to(device)
            self.by_ds.setdefault(s.dataset, []).append(t)
        self.names = sorted(self.by_ds)
        w = np.array([DATASET_WEIGHTS[n] for n in self.names])
        self.ds_p = w / w.sum()

    def _randint(self, lo, hi):  # inclusive
        return int(torch.randint(lo, hi + 1, (1,), generator=self.g).item())

    def chip(self):
        ds = self.names[int(np.searchsorted(np.cumsum(self.ds_p), torch.rand(1, generator=self.g).item()))]
        tensors = self.by_ds[ds]
        areas = np.array([t.shape[1] * t.shape[2] for t in tensors], np.float64)
        t = tensors[int(np.searchsorted(np.cumsum(areas / areas.sum()), torch.rand(1, generator=self.g).item()))]
        M = 3
        P = self.crop + 2 * M
        _, H, W = t.shape
        scale = A.log_uniform(self.g, 0.5, 2.0)  # 0.5: coarser ground sampling than the source, 2: finer
        w = int(round(P / scale))
        w = max(8, min(w, H, W))
        y0, x0 = self._randint(0, H - w), self._randint(0, W - w)
        win = t[:, y0:y0 + w, x0:x0 + w][None]
        if w != P:
            win = F.interpolate(win, size=(P, P), mode="bilinear", align_corners=False, antialias=w > P)
        win = win[0]
        if torch.rand(1, generator=self.g).item() < 0.05:  # identical scene: only radiometry differs -> no change
            win = torch.cat([win[:3], win[:3], torch.zeros_like(win[6:])])
        k = self._randint(0, 3)
        dy, dx = self._randint(-k, k), self._randint(-k, k)
        before = win[0:3, M:M + self.crop, M:M + self.crop]
        after = win[3:6, M + dy:M + dy + self.crop, M + dx:M + dx + self.crop]
        mask = (win[6:7, M:M + self.crop, M:M + self.crop] > 0.5).float()
        return A.dihedral([before, after, mask], self._randint(0, 3), self._randint(0, 1) == 1)

    def batch(self, n):
        chips = [self.chip() for _ in range(n)]
        before = torch.stack([c[0] for c in chips])
        after = torch.stack([c[1] for c in chips])
        mask = torch.stack([c[2] for c in chips])
        self.paste_synthetic_changes(before, after, mask)
        return A.radiometric_jitter(before, self.g), A.radiometric_jitter(after, self.g), mask

    def paste_synthetic_changes(self, before, after, mask, p=0.3):
        """Paste a patch from another chip into the after image and mark it changed (more, varied positives)."""
        n, _, S, _ = after.shape
        for i in range(n):
            if torch.rand(1, generator=self.g).item() >= p or n < 2:
                continue
            donor = (i + self._randint(1, n - 1)) % n
            src = before[donor] if self._randint(0, 1) else after[donor]
            h, w = self._randint(6, S // 3), self._randint(6, S // 3)
            sy, sx = self._randint(0, S - h), self._randint(0, S - w)
            ty, tx = self._randint(0, S - h), self._randint(0, S - w)
            shape = A.ellipse_mask(h, w, after.device) if self._randint(0, 1) else torch.ones(h, w, device=after.device)
            region = after[i, :, ty:ty + h, tx:tx + w]
            after[i, :, ty:ty + h, tx:tx + w] = region * (1 - shape) + src[:, sy:sy + h, sx:sx + w] * shape
            mask[i, 0, ty:ty + h, tx:tx + w] = torch.maximum(mask[i, 0, ty:ty + h, tx:tx + w], shape)


def loss_fn(logits, target, pos_weight):
    bce = F.binary_cross_entropy_with_logits(logits, target, pos_weight=torch.tensor(pos_weight, device=logits.device))
    p = torch.sigmoid(logits)
    dice = 1 - (2 * (p * target).sum() + 1) / (p.sum() + target.sum() + 1)
    return bce + dice


@torch.no_grad()
def predict_scene(model, before, after, mean, std, device):
    """Whole-scene probability map (scene padded to a multiple of 16 by edge replication)."""
    m, s = band_tensors(mean, std, device)
    a = (torch.from_numpy(before)[None].to(device) - m) / s
    b = (torch.from_numpy(after)[None].to(device) - m) / s
    H, W = a.shape[-2:]
    ph, pw = (-H) % 16, (-W) % 16
    if ph or pw:
        a = F.pad(a, (0, pw, 0, ph), mode="replicate")
        b = F.pad(b, (0, pw, 0, ph), mode="replicate")
    model.emit_logits = False
    prob = model(a, b)[0, 0, :H, :W].float().cpu().numpy()
    model.emit_logits = True
    return prob


def scores(counts):
    tp, fp, fn = counts
    precision = tp / max(tp + fp, 1)
    recall = tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    iou = tp / max(tp + fp + fn, 1)
    return dict(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4), iou=round(iou, 4))


def validate(model, scenes, mean, std, device):
    """Pooled pixel counts per dataset at every candidate threshold; picks the threshold with the best mean F1."""
    model.eval()
    counts = {}
    for s in scenes:
        prob = predict_scene(model, s.before, s.after, mean, std, device)
        gt = s.mask.astype(bool)
        c = counts.setdefault(s.dataset, np.zeros((len(THRESHOLDS), 3)))
        for j, t in enumerate(THRESHOLDS):
            pred = prob >= t
            c[j] += [np.sum(pred & gt), np.sum(pred & ~gt), np.sum(~pred & gt)]
    model.train()
    mean_f1 = [np.mean([scores(c[j])["f1"] for c in counts.values()]) for j in range(len(THRESHOLDS))]
    j = int(np.argmax(mean_f1))
    return dict(threshold=THRESHOLDS[j], meanF1=round(float(mean_f1[j]), 4),
                perDataset={ds: scores(c[j]) for ds, c in sorted(counts.items())})


def lr_at(progress, it, base):
    warm = min(1.0, (it + 1) / 100)
    return base * warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def main(argv=None):
    a = parse_args(argv)
    device = seed_and_device(a.seed, a.device)
    os.makedirs(a.out, exist_ok=True)
    t_load = time.time()
    scenes = D.load_change_scenes(a.data)
    train = [s for s in scenes if s.split == "train"]
    val = [s for s in scenes if s.split == "val"]
    mean, std = band_stats(train)
    widths = [int(v) for v in a.widths.split(",")]
    model = ChangeNet(widths).to(device)
    model.emit_logits = True
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    g = torch.Generator().manual_seed(a.seed)
    state = dict(it=0, elapsed=0.0, best=None, history=[])
    last_path = os.path.join(a.out, "last.pt")
    if a.resume and os.path.exists(last_path):
        ck = load_last(last_path, model, opt, g, device)
        state, mean, std = ck["state"], ck["mean"], ck["std"]
        print(f"resumed at iteration {state['it']} ({state['elapsed']:.0f} s trained)")
    sampler = Sampler(train, device, a.crop, g)
    log = dict(event="start", device=str(device), params=count_params(model), train=len(train), val=len(val),
               mean=mean, std=std, load_s=round(time.time() - t_load, 1), args=vars(a))
    print(json.dumps(log), flush=True)
    use_amp = device.type == "cuda"
    t0 = time.time() - state["elapsed"]
    loss_sum, n_sum = 0.0, 0
    while True:
        elapsed = time.time() - t0
        progress = elapsed / a.time_budget_s if a.time_budget_s else state["it"] / a.max_iters
        done = progress >= 1.0 or state["it"] >= a.max_iters
        if not done:
            for group in opt.param_groups:
                group["lr"] = lr_at(progress, state["it"], a.lr)
            before, after, mask = sampler.batch(a.batch)
            m, s = band_tensors(mean, std, device)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                logits = model((before - m) / s, (after - m) / s)
            loss = loss_fn(logits.float(), mask, a.pos_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            n_sum += 1
            state["it"] += 1
        validated_here = bool(state["history"]) and state["history"][-1]["it"] == state["it"]
        if (done and not validated_here) or (not done and state["it"] % a.iters_per_epoch == 0):
            state["elapsed"] = time.time() - t0
            v = validate(model, val, mean, std, device)
            entry = dict(event="epoch", it=state["it"], elapsed_s=round(state["elapsed"], 1),
                         loss=round(loss_sum / max(n_sum, 1), 4), **v)
            loss_sum, n_sum = 0.0, 0
            state["history"].append(entry)
            print(json.dumps(entry), flush=True)
            meta = dict(widths=widths, mean=mean, std=std, crop=a.crop, it=state["it"],
                        trained_s=round(state["elapsed"], 1), device=str(device), args=vars(a))
            if state["best"] is None or v["meanF1"] > state["best"]["meanF1"]:
                state["best"] = dict(v, it=state["it"])
                save_best(a.out, model, meta, v)
            save_last(last_path, model, opt, state, g, mean, std)
            write_metrics(a.out, state, meta)
        if done:
            break
    print(json.dumps(dict(event="done", best=state["best"], trained_s=round(state["elapsed"], 1))), flush=True)


if __name__ == "__main__":
    main()
