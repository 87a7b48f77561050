#!/usr/bin/env python3
"""The PyTorch side of Spindle's training-step benchmark (io.spindle.bench.TrainStep, timed by TrainStepTimer).

The model is nanoGPT's GPT under the parameter names Spindle uses (transformer.wte, transformer.h.N.attn.c_attn,
...): learned token and position embeddings, pre-LN blocks of causal multi-head self-attention and a 4C-wide MLP with
the exact (erf) GELU, a final LayerNorm, and an LM head tied to the token embedding. Attention is written out
(scores, causal mask, softmax, weighted sum of the values), as Spindle computes it; PyTorch 1.13, Debian's, has no
fused attention kernel anyway. Initialisation as Spindle's Gpt.create: N(0, 0.02) for matrices and embeddings,
N(0, 0.02 / sqrt(2 n_layer)) for the projections into the residual stream, zero biases, unit LayerNorm gains.

One timed step: zero the gradients, forward, mean cross-entropy, backward, one AdamW step (lr 3e-4, weight decay
0.1). Spindle's step also clips the gradient norm to 1, a single pass over the gradients; this one does not. The
batches are uniform random tokens with each row's targets its ids shifted left by one, wrapping around, drawn once
and cycled through, four of them, as TrainStep does.

Timing: after --warmup untimed steps, each of --steps steps is timed on the wall clock. A step during which other
processes used more than 10% of its duration in CPU time (the machine's busy time in /proc/stat minus this
process's CPU time) is disturbed and left out, as Spindle's StepClock does; the median of the others is reported,
and, for a machine so busy that few steps are undisturbed, the medians of all timed steps' wall time and of this
process's CPU time per step.

Configs (vocabulary, width, layers, heads, context, batch):
  A: 256, 128, 4, 4, 128, 32   (4096 tokens per step)
  B: 256, 256, 6, 8, 256, 16   (4096 tokens per step)

usage: gpt_ref.py [--cfg A|B] [--threads 1] [--warmup 5] [--steps 20] [--verbose]
jargon_ref.py imports GPT and GPTConfig from here.
"""
import argparse
import dataclasses
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn


@dataclasses.dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    n_embd: int


CONFIGS = {
    "A": (GPTConfig(vocab_size=256, block_size=128, n_layer=4, n_head=4, n_embd=128), 32),
    "B": (GPTConfig(vocab_size=256, block_size=256, n_layer=6, n_head=8, n_embd=256), 16),
}


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)
        # True above the diagonal: the positions a query must not see
        future = torch.ones(config.block_size, config.block_size, dtype=torch.bool).triu(diagonal=1)
        self.register_buffer("future", future, persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        HS = C // self.n_head

        def heads(t):  # (B, T, C) -> (B, NH, T, HS)
            return t.view(B, T, self.n_head, HS).transpose(1, 2)

        q, k, v = (heads(t) for t in self.c_attn(x).split(C, dim=2))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(HS)  # (B, NH, T, T)
        scores = scores.masked_fill(self.future[:T, :T], float("-inf"))
        y = scores.softmax(dim=-1) @ v  # (B, NH, T, HS)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            h=nn.ModuleList(Block(config) for _ in range(config.n_layer)),
            ln_f=nn.LayerNorm(config.n_embd),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied
        residual_std = 0.02 / math.sqrt(2 * config.n_layer)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0.0, residual_std)
            elif p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)
            elif name.endswith("bias"):
                nn.init.zeros_(p)
            # LayerNorm gains keep PyTorch's ones

    def forward(self, idx, targets=None):
        """Logits (B, T, V) of token ids (B, T); with targets (B, T), the mean cross-entropy instead, skipping
        targets of -100."""
        B, T = idx.shape
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))  # (B, T, C)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits
        return F.cross_entropy(logits.reshape(B * T, -1), targets.reshape(B * T), ignore_index=-100)


def matmul_flops_per_token(config):
    """Training FLOPs per token, as nanoGPT's estimate_mfu counts them: 6 per weight that multiplies activations
    (2 forward, 4 backward; the LM head counted though tied), plus the attention products QK^T and AV over the full
    T x T (the mask does not save work here), 2 * 2 * T * C forward per layer and twice that backward."""
    c, layers, t = config.n_embd, config.n_layer, config.block_size
    weights = layers * 12 * c * c + config.vocab_size * c
    return 6 * weights + 12 * layers * t * c


def machine_busy_seconds():
    """CPU time the whole machine spent busy (all but idle and iowait) since boot, or None without /proc/stat."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def batches(config, batch_size, count, seed):
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(count):
        ids = torch.randint(0, config.vocab_size, (batch_size, config.block_size), generator=g)
        out.append((ids, ids.roll(-1, dims=1)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cfg", choices=sorted(CONFIGS), default="A")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--verbose", action="store_true", help="print every timed step")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config, batch_size = CONFIGS[args.cfg]
    model = GPT(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    data = batches(config, batch_size, 4, seed=1234)
    tokens = batch_size * config.block_size

    walls, cpus, clean = [], [], []
    for i in range(args.warmup + args.steps):
        x, y = data[i % len(data)]
        busy0, cpu0, t0 = machine_busy_seconds(), time.process_time(), time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = model(x, y)
        loss.backward()
        optimizer.step()
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if i < args.warmup:
            continue
        others = None if busy0 is None else machine_busy_seconds() - busy0 - cpu
        walls.append(wall)
        cpus.append(cpu)
        if others is None or others <= 0.1 * wall:
            clean.append(wall)
        if args.verbose:
            print(f"step {len(walls)}: {wall * 1e3:.1f} ms, cpu {cpu * 1e3:.1f} ms, "
                  f"others {'?' if others is None else f'{others * 1e3:.0f} ms'}", flush=True)

    median = statistics.median(clean) if clean else float("nan")
    flops = matmul_flops_per_token(config) * tokens
    params = sum(p.numel() for p in model.parameters())
    print(f"cfg {args.cfg} {dataclasses.asdict(config)} batch {batch_size}, threads {args.threads}, "
          f"torch {torch.__version__}, {params} parameters")
    print(f"median {median * 1e3:.1f} ms/step over {len(clean)} undisturbed steps "
          f"({len(walls) - len(clean)} disturbed), {tokens / median:.0f} tokens/s, "
          f"{flops / median / 1e9:.1f} GFLOP/s; all {len(walls)} timed steps: median "
          f"{statistics.median(walls) * 1e3:.1f} ms wall, {statistics.median(cpus) * 1e3:.1f} ms CPU of this process; "
          f"last loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
