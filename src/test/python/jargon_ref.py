#!/usr/bin/env python3
"""PyTorch side of the 10-minute Jargon File run, for a same-machine, same-day comparison with `spindle train-lm`.

Trains the GPT of gpt_ref.py, in this directory (config A's shape: n_embd 128, 4 layers, 4 heads, context 128,
batch 32), on the Jargon File at character level with the settings of the README's 10-minute `train-lm` command:
AdamW (betas 0.9, 0.99, weight decay 0.1 on matrices and embeddings only), lr 3e-3 with 200 linear warm-up steps,
cosine decay to lr/10 paced by steps and by the time limit (as `--decay-over-time`), global-norm clip 1.0, the last 5%
of the characters held out. The validation loss is the mean over consecutive non-overlapping windows of the held-out
tail, every target counted once (as Spindle's). Prints one line per evaluation and a summary.

usage: jargon_ref.py [--minutes 10] [--steps 1637] [--threads 2] [--eval-every 325] [--eval-batches 10]
"""
import argparse, gzip, math, os, sys, time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt_ref  # noqa: E402  (the reference model of the training-step benchmark, in this directory)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--text", default="/usr/share/doc/jargon-text/jargon.txt.gz")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--steps", type=int, default=1637)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--eval-every", type=int, default=325)
    ap.add_argument("--eval-batches", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1337)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    opener = gzip.open if a.text.endswith(".gz") else open
    with opener(a.text, "rt", encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    split = int(len(ids) * 0.95)
    train, val = ids[:split], ids[split:]
    B, T = 32, 128

    model = gpt_ref.GPT(gpt_ref.GPTConfig(vocab_size=len(chars), block_size=T, n_layer=4, n_head=4, n_embd=128))
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.99))
    min_lr, budget = a.lr / 10, a.minutes * 60

    def rate(step, fraction):
        if step < a.warmup:
            return a.lr * (step + 1) / (a.warmup + 1)
        by_step = min(1.0, (step - a.warmup) / max(1, a.steps - a.warmup))
        r = min(1.0, max(by_step, fraction))
        return min_lr + 0.5 * (1 + math.cos(math.pi * r)) * (a.lr - min_lr)

    def val_loss(max_batches):
        starts = list(range(0, len(val) - 1, T))
        if max_batches:
            starts = starts[:max_batches * B]
        total, count = 0.0, 0
        model.eval()
        with torch.no_grad():
            for i in range(0, len(starts), B):
                xs, ys = [], []
                for s in starts[i:i + B]:
                    x = val[s:s + T]
                    y = val[s + 1:s + T + 1]
                    if len(y) < T:  # the last, partial window: pad, ignore the missing targets
                        x = torch.cat([x, x[-1:].repeat(T - len(x))])
                        y = torch.cat([y, torch.full((T - len(y),), -100, dtype=torch.long)])
                    xs.append(x)
                    ys.append(y)
                y = torch.stack(ys)
                n = int((y != -100).sum())
                total += float(model(torch.stack(xs), y)) * n
                count += n
        model.train()
        return total / count

    gen = torch.Generator().manual_seed(a.seed)
    start = time.perf_counter()
    warmup_end = None
    step = 0
    while step < a.steps:
        now = time.perf_counter() - start
        if step >= a.warmup and warmup_end is None:
            warmup_end = now
        fraction = 0.0 if warmup_end is None else (now - warmup_end) / max(1e-9, budget - warmup_end)
        for group in opt.param_groups:
            group["lr"] = rate(step, fraction)
        starts = torch.randint(0, len(train) - T - 1, (B,), generator=gen)
        x = torch.stack([train[s:s + T] for s in starts])
        y = torch.stack([train[s + 1:s + T + 1] for s in starts])
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        elapsed = time.perf_counter() - start
        last = step == a.steps or elapsed >= budget
        if last or (a.eval_every and step % a.eval_every == 0):
            v = val_loss(0 if last else a.eval_batches)
            print(f"step {step} train {loss.item():.4f} val {v:.4f} elapsed {elapsed:.0f}s lr {rate(step - 1, fraction):.2e}",
                  flush=True)
        if last:
            break
    print(f"pytorch {torch.__version__}: {step} steps in {time.perf_counter() - start:.0f} s, final val {v:.4f} "
          f"nats/char over {len(val) - 1} held-out targets, vocab {len(chars)}, threads {a.threads}")


if __name__ == "__main__":
    main()
