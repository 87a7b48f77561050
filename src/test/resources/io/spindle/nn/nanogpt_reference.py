#!/usr/bin/env python3
"""Writes a nanoGPT-architecture model folder from PyTorch and prints its mean next-token loss on given ids.

The module tree mirrors nanoGPT's model.py (GPT -> transformer.{wte,wpe,drop,h,ln_f}, lm_head tied to wte; Block ->
ln_1, attn.{c_attn,c_proj}, ln_2, mlp.{c_fc,c_proj}; LayerNorm with optional bias), so state_dict() has exactly
nanoGPT's keys, including the causal-mask buffer 'attn.bias' that nanoGPT registers when flash attention is
unavailable. The safetensors file is written by hand from the spec (8-byte little-endian header length, JSON header,
raw little-endian data), since the safetensors package is not installable here.

usage: nanogpt_reference.py OUT_DIR SEED  (reads token ids from stdin; prints the mean loss)
"""
import json, math, struct, sys
import torch, torch.nn as nn, torch.nn.functional as F

V, T, L, H, C, BIAS = 37, 16, 2, 4, 32, True

class LayerNorm(nn.Module):
    def __init__(s, ndim, bias):
        super().__init__()
        s.weight = nn.Parameter(torch.ones(ndim)); s.bias = nn.Parameter(torch.zeros(ndim)) if bias else None
    def forward(s, x): return F.layer_norm(x, s.weight.shape, s.weight, s.bias, 1e-5)

class CausalSelfAttention(nn.Module):
    def __init__(s):
        super().__init__()
        s.c_attn, s.c_proj = nn.Linear(C, 3 * C, bias=BIAS), nn.Linear(C, C, bias=BIAS)
        s.register_buffer("bias", torch.tril(torch.ones(T, T)).view(1, 1, T, T))
    def forward(s, x):
        B, t, _ = x.size()
        q, k, v = s.c_attn(x).split(C, dim=2)
        q, k, v = (z.view(B, t, H, C // H).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(s.bias[:, :, :t, :t] == 0, float("-inf")).softmax(dim=-1)
        return s.c_proj((att @ v).transpose(1, 2).contiguous().view(B, t, C))

class MLP(nn.Module):
    def __init__(s):
        super().__init__(); s.c_fc, s.c_proj = nn.Linear(C, 4 * C, bias=BIAS), nn.Linear(4 * C, C, bias=BIAS)
    def forward(s, x): return s.c_proj(F.gelu(s.c_fc(x)))

class Block(nn.Module):
    def __init__(s):
        super().__init__(); s.ln_1, s.attn, s.ln_2, s.mlp = LayerNorm(C, BIAS), CausalSelfAttention(), LayerNorm(C, BIAS), MLP()
    def forward(s, x):
        x = x + s.attn(s.ln_1(x)); return x + s.mlp(s.ln_2(x))

class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.transformer = nn.ModuleDict(dict(wte=nn.Embedding(V, C), wpe=nn.Embedding(T, C), drop=nn.Dropout(0.0),
                                           h=nn.ModuleList([Block() for _ in range(L)]), ln_f=LayerNorm(C, BIAS)))
        s.lm_head = nn.Linear(C, V, bias=False)
        s.transformer.wte.weight = s.lm_head.weight
    def forward(s, idx, targets):
        pos = torch.arange(idx.size(1))
        x = s.transformer.drop(s.transformer.wte(idx) + s.transformer.wpe(pos))
        for b in s.transformer.h: x = b(x)
        logits = s.lm_head(s.transformer.ln_f(x))
        return F.cross_entropy(logits.view(-1, V), targets.view(-1))

def save_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data); offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(seed)
    model = GPT()
    with torch.no_grad():  # wider than nanoGPT's 0.02 init so the loss is far from uniform and every weight matters
        for p in model.parameters(): p.add_(torch.randn_like(p) * 0.2)
    save_safetensors(model.state_dict(), out + "/model.safetensors")
    json.dump(dict(model_type="gpt", block_size=T, vocab_size=V, n_layer=L, n_head=H, n_embd=C, dropout=0.0, bias=BIAS),
              open(out + "/config.json", "w"))
    ids = torch.tensor([int(v) for v in sys.stdin.read().split()])
    n = (len(ids) - 1) // T
    x, y = ids[: n * T].view(n, T), ids[1 : n * T + 1].view(n, T)
    with torch.no_grad(): print(f"{model(x, y).item():.9f}")

if __name__ == "__main__":
    main()
