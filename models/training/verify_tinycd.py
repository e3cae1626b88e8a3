"""Proves the rebuilt TinyCD (tinycd.py) is the authors' network: both state dicts load (strict) and every
reference output in reference_outputs.npz (computed with the authors' implementation) is reproduced within 1e-4,
by the bare network on ImageNet-normalised inputs and by UnitInputTinyCD (normalisation inside, as exported) on
unit-scaled inputs. Exits 1 on any miss.

  /usr/bin/python3 models/training/verify_tinycd.py [path/to/exported.onnx ...]   # optional: onnxruntime too, if installed
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinycd import IMAGENET_MEAN, IMAGENET_STD, TINYCD_DIR, UnitInputTinyCD, load_tinycd  # noqa: E402

TOLERANCE = 1e-4
MEAN = np.array(IMAGENET_MEAN, np.float32).reshape(3, 1, 1)
STD = np.array(IMAGENET_STD, np.float32).reshape(3, 1, 1)


def reference_cases(ref, weights):
    """(case, unit-scaled before, unit-scaled after, normalised before, normalised after, expected prob)."""
    for case in ("levir", "levir2", "random"):
        p = f"{weights}_{case}_"
        if case == "random":
            nb, na = ref[p + "before"].astype(np.float32), ref[p + "after"].astype(np.float32)
            ub, ua = nb * STD + MEAN, na * STD + MEAN
        else:
            # HWC uint8 -> CHW unit -> ImageNet, exactly as ARCHITECTURE.md says the authors fed them.
            ub = ref[p + "before_u8"].transpose(2, 0, 1).astype(np.float32) / 255
            ua = ref[p + "after_u8"].transpose(2, 0, 1).astype(np.float32) / 255
            nb, na = (ub - MEAN) / STD, (ua - MEAN) / STD
        yield case, ub, ua, nb, na, ref[p + "prob"].astype(np.float32)


def main():
    torch.set_num_threads(2)
    ref = np.load(os.path.join(TINYCD_DIR, "reference_outputs.npz"))
    worst = 0.0
    for weights in ("levir", "whu"):
        net = load_tinycd(weights)
        unit = UnitInputTinyCD(net).eval()
        for case, ub, ua, nb, na, expected in reference_cases(ref, weights):
            with torch.no_grad():
                bare = net(torch.from_numpy(nb[None]), torch.from_numpy(na[None])).numpy()
                wrapped = unit(torch.from_numpy(ub[None]), torch.from_numpy(ua[None])).numpy()
            d_bare = float(np.abs(bare.reshape(expected.shape) - expected).max())
            d_unit = float(np.abs(wrapped.reshape(expected.shape) - expected).max())
            worst = max(worst, d_bare, d_unit)
            print(f"{weights:5s} {case:7s} {str(expected.shape):14s} max|diff| bare {d_bare:.2e}  unit-input {d_unit:.2e}")
    for onnx_path in sys.argv[1:]:
        import onnxruntime as ort  # optional: the CI check is the onnxruntime-node test
        sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        for weights in ("levir", "whu"):
            if weights not in os.path.basename(onnx_path):
                continue
            for case, ub, ua, _, _, expected in reference_cases(ref, weights):
                out = sess.run(None, {"before": ub[None], "after": ua[None]})[0]
                d = float(np.abs(out.reshape(expected.shape) - expected).max())
                worst = max(worst, d)
                print(f"onnx {os.path.basename(onnx_path)} {case:7s} max|diff| {d:.2e}")
    ok = worst <= TOLERANCE
    print(f"worst {worst:.2e} ({'OK' if ok else 'FAIL'}, tolerance {TOLERANCE})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
