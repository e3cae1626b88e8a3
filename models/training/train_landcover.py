"""Train ChangeMap's land-cover classifier on AID (30 scene classes, 64x64 input).

Same script on CPU and CUDA; stops after --time-budget-s (or --max-epochs); keeps the best checkpoint by validation
top-1 accuracy on the seeded, stratified hold-out recorded in splits.json.
Example (GPU): python3 models/training/train_landcover.py --device cuda --data .devdata/aid64.npz --time-budget-s 150
Example (CPU): /usr/bin/python3 models/training/train_landcover.py --device cpu --data /work/shared/data
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
from nets import LandCoverNet, count_params  # noqa: E402
from train_common import band_tensors, load_last, save_best, save_last, seed_and_device, write_metrics  # noqa: E402

# AID scene class -> planner-facing land-cover class (the app sums probabilities per land-cover class).
# Civic buildings (church, school, square, centre) go with "commercial": mixed-use urban fabric, as in CORINE 1.2.1.
LANDCOVER = {
    "Airport": "transport", "BareLand": "bare/construction", "BaseballField": "recreation", "Beach": "bare/construction",
    "Bridge": "transport", "Center": "commercial", "Church": "commercial", "Commercial": "commercial",
    "DenseResidential": "residential", "Desert": "bare/construction", "Farmland": "cropland", "Forest": "forest",
    "Industrial": "industrial", "Meadow": "grassland", "MediumResidential": "residential", "Mountain": "bare/construction",
    "Park": "recreation", "Parking": "transport", "Playground": "recreation", "Pond": "water", "Port": "transport",
    "RailwayStation": "transport", "Resort": "recreation", "River": "water", "School": "commercial",
    "SparseResidential": "residential", "Square": "commercial", "Stadium": "recreation", "StorageTanks": "industrial",
    "Viaduct": "transport",
}
TARGET_PRECISION = 0.9  # uncertainBelow: lowest land-cover probability at which >= 90% of validation labels are right


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None, help="raw data root or aid64.npz (default: .devdata cache if present)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", default=os.path.join(D.HERE, "runs", "landcover"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--time-budget-s", type=float, default=0)
    ap.add_argument("--max-epochs", type=int, default=60)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--widths", default="32,64,128,256")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N images (smoke tests)")
    return ap.parse_args(argv)


def augment(x, g):
    """x: uint8 [B,3,S,S] -> float unit range with random zoom/rotation/flip (one affine warp) and radiometry."""
    b = x.shape[0]
    dev = x.device
    x = x.float() / 255.0
    zoom = torch.exp(A.rand(g, b, math.log(0.7), math.log(1.15), dev))  # <1 zooms in (finer ground sampling)
    angle = torch.randint(0, 4, (b,), generator=g).to(dev) * (math.pi / 2) + A.rand(g, b, -0.26, 0.26, dev)
    flip = torch.where(torch.rand(b, generator=g).to(dev) < 0.5, -1.0, 1.0)
    shift = A.rand(g, 2 * b, -1.0, 1.0, dev).view(b, 2) * (1 - zoom).clamp_min(0).view(b, 1)
    cos, sin = torch.cos(angle) * zoom, torch.sin(angle) * zoom
    theta = torch.stack([torch.stack([cos * flip, -sin, shift[:, 0]], 1), torch.stack([sin * flip, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    return A.radiometric_jitter(x, g, p=0.8, strength=0.7)


def landcover_index(classes):
    names = sorted(set(LANDCOVER[c] for c in classes))
    return names, torch.tensor([names.index(LANDCOVER[c]) for c in classes])


@torch.no_grad()
def evaluate(model, x, y, mean, std, classes, batch=512):
    model.eval()
    model.emit_logits = False
    m, s = band_tensors(mean, std, next(model.parameters()).device)
    probs = torch.cat([model((x[i:i + batch].float() / 255.0 - m) / s).float() for i in range(0, len(x), batch)])
    model.emit_logits = True
    model.train()
    lc_names, lc_of = landcover_index(classes)
    lc_probs = torch.zeros(len(probs), len(lc_names), device=probs.device).index_add_(1, lc_of.to(probs.device), probs)
    top1 = (probs.argmax(1) == y).float().mean().item()
    lc_true = lc_of.to(y.device)[y]
    lc_conf, lc_pred = lc_probs.max(1)
    lc_ok = (lc_pred == lc_true).float()
    uncertain_below, coverage = 0.99, 0.0
    for t in np.arange(0.3, 0.991, 0.01):
        sel = lc_conf >= t
        if sel.sum() > 0 and lc_ok[sel].mean().item() >= TARGET_PRECISION:
            uncertain_below, coverage = round(float(t), 2), round(sel.float().mean().item(), 4)
            break
    per_class = {c: round((probs.argmax(1)[y == i] == i).float().mean().item(), 3) for i, c in enumerate(classes)}
    return dict(top1=round(top1, 4), landCoverAccuracy=round(lc_ok.mean().item(), 4), uncertainBelow=uncertain_below,
                coverageAboveUncertain=coverage, perClass=per_class)


def main(argv=None):
    a = parse_args(argv)
    device = seed_and_device(a.seed, a.device)
    os.makedirs(a.out, exist_ok=True)
    t_load = time.time()
    imgs, labels, is_val, classes, _ = D.load_aid(a.data)
    if a.limit:
        keep = np.random.RandomState(0).permutation(len(imgs))[: a.limit]
        imgs, labels, is_val = imgs[keep], labels[keep], is_val[keep]
    xt = torch.from_numpy(imgs[~is_val]).to(device)
    yt = torch.from_numpy(labels[~is_val]).to(device)
    xv = torch.from_numpy(imgs[is_val]).to(device)
    yv = torch.from_numpy(labels[is_val]).to(device)
    unit = imgs[~is_val].reshape(-1, 3, imgs.shape[-1] ** 2).transpose(1, 0, 2).reshape(3, -1) / 255.0
    mean = [round(float(v), 4) for v in unit.mean(1)]
    std = [round(float(v), 4) for v in unit.std(1)]
    del unit
    widths = [int(v) for v in a.widths.split(",")]
    model = LandCoverNet(len(classes), widths).to(device)
    model.emit_logits = True
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=5e-4)
    g = torch.Generator().manual_seed(a.seed)
    state = dict(epoch=0, it=0, elapsed=0.0, best=None, history=[])
    last_path = os.path.join(a.out, "last.pt")
    if a.resume and os.path.exists(last_path):
        ck = load_last(last_path, model, opt, g, device)
        state, mean, std = ck["state"], ck["mean"], ck["std"]
        print(f"resumed after epoch {state['epoch']} ({state['elapsed']:.0f} s trained)")
    print(json.dumps(dict(event="start", device=str(device), params=count_params(model), train=len(xt), val=len(xv),
                          mean=mean, std=std, load_s=round(time.time() - t_load, 1), args=vars(a))), flush=True)
    m, s = band_tensors(mean, std, device)
    use_amp = device.type == "cuda"
    steps_per_epoch = max(1, len(xt) // a.batch)
    t0 = time.time() - state["elapsed"]
    done = False
    while not done:
        order = torch.randperm(len(xt), generator=g).to(device)
        loss_sum = 0.0
        for k in range(steps_per_epoch):
            elapsed = time.time() - t0
            progress = elapsed / a.time_budget_s if a.time_budget_s else state["it"] / (a.max_epochs * steps_per_epoch)
            if progress >= 1.0:
                done = True
                break
            lr = a.lr * min(1.0, (state["it"] + 1) / 100) * (0.01 + 0.99 * 0.5 * (1 + math.cos(math.pi * progress)))
            for group in opt.param_groups:
                group["lr"] = lr
            idx = order[k * a.batch:(k + 1) * a.batch]
            x = (augment(xt[idx], g) - m) / s
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                logits = model(x)
            loss = F.cross_entropy(logits.float(), yt[idx], label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            state["it"] += 1
        state["epoch"] += 1
        state["elapsed"] = time.time() - t0
        v = evaluate(model, xv, yv, mean, std, classes)
        entry = dict(event="epoch", epoch=state["epoch"], it=state["it"], elapsed_s=round(state["elapsed"], 1),
                     loss=round(loss_sum / max(1, k), 4), **{k: v[k] for k in v if k != "perClass"})
        state["history"].append(entry)
        print(json.dumps(entry), flush=True)
        meta = dict(widths=widths, mean=mean, std=std, classes=classes, size=int(imgs.shape[-1]), epoch=state["epoch"],
                    trained_s=round(state["elapsed"], 1), device=str(device), args=vars(a))
        if state["best"] is None or v["top1"] > state["best"]["top1"]:
            state["best"] = dict(v, epoch=state["epoch"])
            save_best(a.out, model, meta, v)
        save_last(last_path, model, opt, state, g, mean, std)
        write_metrics(a.out, state, meta)
        if not a.time_budget_s and state["epoch"] >= a.max_epochs:
            done = True
    best = {k: v for k, v in state["best"].items() if k != "perClass"}
    print(json.dumps(dict(event="done", best=best, trained_s=round(state["elapsed"], 1))), flush=True)


if __name__ == "__main__":
    main()
