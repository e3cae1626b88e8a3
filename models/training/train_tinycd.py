"""Fine-tune TinyCD (tinycd.py) as a general change model on OSCD + SZTAKI + LEVIR + DSIFN: a candidate for change v2.

Starts from the authors' LEVIR-CD weights (ImageNet-pretrained EfficientNet-B4 stem + their change head) and trains
with v1's sampler and augmentations (train_change.Sampler: dataset weights, 0.5-2x rescale, misregistration, dihedral,
radiometric jitter, synthetic pasted changes, identical-scene pairs), v1's loss (BCE pos_weight 3 + Dice) and v1's
splits (splits.json, by scene). The model takes unit-scaled RGB (ImageNet normalisation inside, as exported), so the
card's normalisation stays the identity. Batch norms of the stem stay frozen (eval mode): CPU batches are small.
Best checkpoint by the mean validation F1 over the four datasets (train_change.validate), saved as an .npz state dict
with the authors' key names, which export_tinycd.py can export.

  nice -n 10 /usr/bin/python3 models/training/train_tinycd.py --time-budget-s 2400 --batch 8 --crop 128
  (add --resume to continue from runs/tinycd-ft/last.pt)
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import train_change as TC  # noqa: E402
from tinycd import UnitInputTinyCD, load_tinycd  # noqa: E402


class TrainableTinyCD(nn.Module):
    """TinyCD on unit-scaled inputs, emitting logits while training (train_change's protocol: emit_logits)."""

    def __init__(self, net):
        super().__init__()
        net._classify._linears[-1][1] = nn.Identity()  # the sigmoid (no parameters) comes back in forward
        self.net = net
        self.unit = UnitInputTinyCD(net)
        self.emit_logits = True

    def forward(self, before, after):
        z = self.unit(before, after)
        return z if self.emit_logits else torch.sigmoid(z)

    def train(self, mode=True):
        super().train(mode)
        for m in self.net._backbone.modules():  # frozen batch statistics: small CPU batches
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        return self


def parse_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=D.DEFAULT_DATA_ROOT, help="raw data root or pack_data.py's change.npz")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--init", default="levir", help="levir, whu or a state-dict path")
    ap.add_argument("--out", default=os.path.join(D.HERE, "runs", "tinycd-ft"))
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--time-budget-s", type=float, default=2400)
    ap.add_argument("--iters-per-epoch", type=int, default=100)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--pos-weight", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=7)
    return ap.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    if device.type == "cpu":
        torch.set_num_threads(2)
    os.makedirs(a.out, exist_ok=True)
    scenes = D.load_change_scenes(a.data)
    train = [s for s in scenes if s.split == "train"]
    val = [s for s in scenes if s.split == "val"]
    model = TrainableTinyCD(load_tinycd(a.init)).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    g = torch.Generator().manual_seed(a.seed)
    state = dict(it=0, elapsed=0.0, best=None, history=[])
    last_path = os.path.join(a.out, "last.pt")
    if a.resume and os.path.exists(last_path):
        ck = torch.load(last_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        g.set_state(ck["rng"])
    sampler = TC.Sampler(train, device, a.crop, g)
    mean, std = [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]  # ImageNet normalisation is inside the model
    print(json.dumps(dict(event="start", train=len(train), val=len(val), args=vars(a))), flush=True)
    if not state["history"]:  # the starting point, for comparison
        v = TC.validate(model, val, mean, std, device)
        state["history"].append(dict(event="epoch", it=0, elapsed_s=0, loss=None, **v))
        print(json.dumps(state["history"][-1]), flush=True)
    t0 = time.time() - state["elapsed"]
    loss_sum, n_sum = 0.0, 0
    while True:
        progress = (time.time() - t0) / a.time_budget_s
        done = progress >= 1.0
        if not done:
            for group in opt.param_groups:
                group["lr"] = TC.lr_at(progress, state["it"], a.lr)
            before, after, mask = sampler.batch(a.batch)
            loss = TC.loss_fn(model(before, after), mask, a.pos_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum, n_sum = loss_sum + loss.item(), n_sum + 1
            state["it"] += 1
        if done or state["it"] % a.iters_per_epoch == 0:
            state["elapsed"] = time.time() - t0
            v = TC.validate(model, val, mean, std, device)
            entry = dict(event="epoch", it=state["it"], elapsed_s=round(state["elapsed"], 1),
                         loss=round(loss_sum / max(n_sum, 1), 4), **v)
            loss_sum, n_sum = 0.0, 0
            state["history"].append(entry)
            print(json.dumps(entry), flush=True)
            if state["best"] is None or v["meanF1"] > state["best"]["meanF1"]:
                state["best"] = dict(v, it=state["it"])
                np.savez(os.path.join(a.out, "best_weights.npz"),
                         **{k: t.detach().cpu().numpy() for k, t in model.net.state_dict().items()})
            torch.save(dict(model=model.state_dict(), opt=opt.state_dict(), state=state, rng=g.get_state()), last_path)
            with open(os.path.join(a.out, "metrics.json"), "w") as f:
                json.dump(dict(best=state["best"], history=state["history"], args=vars(a)), f, indent=1)
        if done:
            break
    print(json.dumps(dict(event="done", best=state["best"], trained_s=round(state["elapsed"], 1))), flush=True)


if __name__ == "__main__":
    main()
