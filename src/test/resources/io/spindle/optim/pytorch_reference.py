"""Golden values for PyTorchReferenceTest from PyTorch itself (CPU; CUDA where present, for comparison only).

Run: python3 pytorch_reference.py > out.json. Inputs are exact float32 values from closed formulas that the Java
test repeats; outputs are float32 bit patterns (unsigned ints) of the parameters after each step.
"""
import json
import struct
import sys

import torch

torch.set_num_threads(1)
LRS = [1e-2, 3e-2, 2e-2, 5e-3, 1e-1]


def bits(t):
    return [struct.unpack('<I', struct.pack('<f', x))[0] for x in t.detach().cpu().flatten().tolist()]


def init(n):
    return torch.tensor([((i % 37) - 18) / 16 for i in range(n)], dtype=torch.float32)


def grad(t, n):
    return torch.tensor([(((i * 13 + t * 5) % 29) - 14) / 32 * 2.0 ** ((t % 3) - 1) for i in range(n)],
                        dtype=torch.float32)


def tiny(device):
    """w (2, 3) decays, b (3,) and g () do not: the layout of the Java test, 10 elements."""
    flat = init(10).to(device)
    w = flat[0:6].view(2, 3).clone().requires_grad_()
    b = flat[6:9].clone().requires_grad_()
    g = flat[9].clone().requires_grad_()
    return [w, b, g]


def set_grads(params, t):
    gr = grad(t, sum(p.numel() for p in params)).to(params[0].device)
    o = 0
    for p in params:
        p.grad = gr[o:o + p.numel()].view(p.shape).clone()
        o += p.numel()


def run(params, opt):
    out = []
    for t in range(1, len(LRS) + 1):
        set_grads(params, t)
        for group in opt.param_groups:
            group['lr'] = LRS[t - 1]
        opt.step()
        out.append(bits(torch.cat([p.detach().flatten() for p in params])))
    return out


def adamw(device, params, impl):
    kw = {'fused': True} if impl == 'fused' else {'foreach': impl == 'foreach'}
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    return torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                             lr=1e-3, betas=(0.9, 0.95), eps=1e-8, **kw)


result = {'torch': torch.__version__, 'cpu': torch.backends.cpu.get_cpu_capability()}
devices = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])
for device in devices:
    for impl in ['single', 'foreach', 'fused']:
        try:
            p = tiny(device)
            result[f'adamw_tiny_{device}_{impl}'] = run(p, adamw(device, p, impl))
            big = [init(1000).to(device).view(40, 25).clone().requires_grad_()]
            result[f'adamw_big_{device}_{impl}'] = run(big, adamw(device, big, impl))
        except Exception as e:  # an implementation missing on this device is reported, not fatal
            result[f'error_adamw_{device}_{impl}'] = repr(e)
    for nesterov in [False, True]:
        p = tiny(device)
        opt = torch.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=nesterov, foreach=False)
        result[f'sgd_tiny_{device}_nesterov{nesterov}'] = run(p, opt)
    gr = (grad(1, 1000) * 3).to(device).requires_grad_(False)
    holder = torch.zeros(1000, device=device, requires_grad=True)
    holder.grad = gr.clone()
    norm = torch.nn.utils.clip_grad_norm_([holder], max_norm=1.0, foreach=False)
    result[f'clip_{device}'] = {'norm': float(norm), 'grads': bits(holder.grad)}
json.dump(result, sys.stdout)
