"""What the training scripts (train_change.py, train_landcover.py) share: seeding and device set-up, the per-band
normalisation tensors, and their checkpoints (best.pt + best_weights.npz, last.pt to resume from, metrics.json)."""
import json
import os
import random

import numpy as np
import torch


def seed_and_device(seed, device_name):
    """Seeds torch, numpy and random; returns the device (CPU: 2 threads, for a shared machine; CUDA: cuDNN autotune)."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    device = torch.device(device_name)
    if device.type == "cpu":
        torch.set_num_threads(2)
    else:
        torch.backends.cudnn.benchmark = True
    return device


def band_tensors(mean, std, device):
    """Per-band mean and std as [1, 3, 1, 1] tensors, to normalise a batch as (x - m) / s."""
    return torch.tensor(mean, device=device).view(1, 3, 1, 1), torch.tensor(std, device=device).view(1, 3, 1, 1)


def load_last(path, model, opt, g, device):
    """Restores the model, optimiser and generator from `path` (written by save_last); returns the checkpoint."""
    ck = torch.load(path, map_location=device, weights_only=False)  # own file; holds optimiser + state
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["opt"])
    g.set_state(ck["rng"])
    return ck


def save_best(out, model, meta, val):
    """The best model so far: best.pt (weights, meta, validation) and its weights as float32 arrays."""
    torch.save(dict(model=model.state_dict(), meta=meta, val=val), os.path.join(out, "best.pt"))
    np.savez(os.path.join(out, "best_weights.npz"),
             **{k: t.detach().cpu().float().numpy() for k, t in model.state_dict().items()})


def save_last(path, model, opt, state, g, mean, std):
    """Everything --resume needs: model, optimiser, training state, generator, normalisation."""
    torch.save(dict(model=model.state_dict(), opt=opt.state_dict(), state=state, rng=g.get_state(), mean=mean,
                    std=std), path)


def write_metrics(out, state, meta):
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(dict(best=state["best"], meta=meta, history=state["history"]), f, indent=1)
