"""PyTorch twins of the course's training workloads, the peer for `npm run bench -- --peer torch`.

Each twin has the same architecture, data size, batch size, loss and Adam settings as its tfjs
workload (bench/workloads/training.ts and realbogus.ts), runs on ONE thread, and is timed the same
way: a one-batch warm-up, then throughput = batch size / median time between consecutive batch
ends. Prints one line `BENCH_RESULT {json}` like bench/child.ts.

Usage: python3 bench/torch/twins.py <workload-name> [--quick]
The parent sets OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1 before starting us.
"""
import json
import resource
import statistics
import sys
import time

import torch
from torch import nn

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

# tfjs's Adam: learning rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7 (torch defaults to 1e-8).
ADAM = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-7)


def timed_fit(model, loss_fn, x, y, batch, epochs, augment=None):
    """Trains like tfjs model.fit (shuffled mini-batches).

    Returns (seconds, median batch seconds, batches, CPU seconds of the process)."""
    opt = torch.optim.Adam(model.parameters(), **ADAM)
    model.train()

    def step(xb, yb):
        if augment is not None:
            xb = augment(xb)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return float(loss)  # reading the loss syncs, as tfjs's fit does per batch

    step(x[:batch], y[:batch])  # warm-up
    n = x.shape[0]
    stamps = [time.perf_counter()]
    t0 = stamps[0]
    cpu0 = time.process_time()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for s in range(0, n, batch):
            idx = perm[s : s + batch]
            step(x[idx], y[idx])
            stamps.append(time.perf_counter())
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - cpu0
    per_batch = [b - a for a, b in zip(stamps, stamps[1:])]
    return seconds, statistics.median(per_batch), len(per_batch), cpu_seconds


def mlp(quick):
    torch.manual_seed(1)
    n, epochs, batch = 20000, 1 if quick else 3, 256
    x = torch.randn(n, 2)
    y = torch.cat([torch.sin(x[:, :1]), x[:, :1] * x[:, 1:2]], 1)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    return n, epochs, batch, timed_fit(model, nn.MSELoss(), x, y, batch, epochs)


def cnn(quick):
    torch.manual_seed(2)
    n, epochs = (512, 1) if quick else (2048, 2)
    batch = 64
    x = torch.randn(n, 1, 32, 32)  # NCHW: torch's native layout
    y = torch.randint(0, 10, (n,))
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 8 * 8, 10),
    )
    # softmax + categorical cross-entropy on one-hot labels == CrossEntropyLoss on class ids.
    return n, epochs, batch, timed_fit(model, nn.CrossEntropyLoss(), x, y, batch, epochs)


class LstmRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.dense = nn.Linear(32, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.dense(h[-1])


def lstm(quick):
    torch.manual_seed(3)
    n, epochs = (256, 1) if quick else (1024, 2)
    batch = 64
    x = torch.randn(n, 50, 1)
    y = torch.randn(n, 1)
    return n, epochs, batch, timed_fit(LstmRegressor(), nn.MSELoss(), x, y, batch, epochs)


def column_preserving_flip(xb):
    """Random identity / 180° / left-right / up-down per stamp (notebook 07's COLUMN_PRESERVING)."""
    k = torch.randint(0, 4, (xb.shape[0],))
    out = xb.clone()
    for t, dims in ((1, (2, 3)), (2, (3,)), (3, (2,))):
        sel = k == t
        if sel.any():
            out[sel] = torch.flip(xb[sel], dims)
    return out


def realbogus(quick):
    torch.manual_seed(7)
    batch = 64
    batches = 8 if quick else 40
    epochs = 1 if quick else 2
    n = batches * batch
    x = torch.randn(n, 3, 31, 31)
    y = (torch.rand(n, 1) < 0.5).float()
    layers, c = [], 3
    for f in (8, 16, 32):
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c = f
    model = nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 3 * 3, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
    return n, epochs, batch, timed_fit(model, nn.BCELoss(), x, y, batch, epochs, augment=column_preserving_flip)


TWINS = {"mlp-train": mlp, "cnn-train": cnn, "lstm-train": lstm, "realbogus-train": realbogus}


def main():
    name = sys.argv[1]
    quick = "--quick" in sys.argv
    out = {"workload": name, "backend": "torch", "unit": "samples/s"}
    try:
        if name not in TWINS:
            raise ValueError(f"no PyTorch twin for {name} (have: {', '.join(TWINS)})")
        n, epochs, batch, (seconds, med, count, cpu_seconds) = TWINS[name](quick)
        out.update(
            items=n * epochs,
            seconds=seconds,
            throughput=batch / med,
            cpuThroughput=n * epochs / cpu_seconds,
            note=f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread; {med * 1000:.1f} ms/batch (median of {count})",
        )
    except Exception as e:  # reported in the table, like a tfjs error
        out["error"] = f"{type(e).__name__}: {e}"
    out["peakMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH_RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
