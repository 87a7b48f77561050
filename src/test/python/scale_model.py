#!/usr/bin/env python3
"""docs/scaling.md's model of a data-parallel step's overhead (step time minus compute), as a Markdown table.

Three designs, for N executors (one task each), P float32 parameters (S = 4P bytes) and a link of B bytes/s per node
(full duplex, a non-blocking switch):

* treeAggregate with broadcast at depth d (Spindle today). Broadcast: the driver serialises S once, TorrentBroadcast
  spreads it in 4 MB pieces (the driver's link sends about BCAST_FACTOR x S, executors fetch from each other), every
  executor deserialises S. Aggregation as Spark's treeAggregate runs it: scale s = max(ceil(N^(1/d)), 2), and while
  n > s + ceil(n/s) a shuffle level cuts n by s; each reducer receives, deserialises and merges s gradients. The final
  k = n partial sums go to the driver, whose link receives k S; it reads them (stored gradients: GradientBlock.readAll
  fetches GETTERS = 2 blocks at a time) and adds them into the model's buffer one after the other. Then the driver's
  update of P parameters.
* Sharded reduce-scatter through a shuffle, optimizer per shard on the executors (BigDL's AllReduceParameter): every
  executor sends S (N shards) and receives S/N from each of the others, merges them, updates its P/N parameters, and
  the new weights go round the same way (each executor fetches N-1 shards of S/N). Two shuffle stages; the driver
  only schedules.
* Ring all-reduce (reference; no serialisation): 2 (N-1)/N S over each link, (N-1)/N S merged, a replicated update.

Every Spark stage adds a latency L (scheduling, task launch). Constants default to the rates `bin/bench spark
--sections rates` measured on the 2-core development VM on 2026-12-04 (docs/scaling.md, rounded down), L to an
assumption for a cluster; pass your own.
"""
import argparse
import math


def tree(N, P, B, d, c):
    S = 4 * P
    t = S / c.write + c.bcast * S / B + S / c.read + c.latency  # broadcast, then the job's first stage
    s = max(math.ceil(N ** (1 / d) - 1e-9), 2)
    n = N
    while n > s + math.ceil(n / s):
        n //= s
        t += S / c.write + s * S / B + s * S / c.read + s * S / c.merge + c.latency
    k = n
    t += S / c.write + k * S / B + k * S / (c.read * min(k, c.getters)) + k * S / c.merge
    return t + P * c.update, k


def sharded(N, P, B, c):
    S = 4 * P
    move = S / c.write + S * (N - 1) / N / B + S / c.read  # each executor sends and receives about S
    return 2 * (move + c.latency) + S / c.merge + (P / N) * c.update_one


def ring(N, P, B, c):
    S = 4 * P
    return 2 * (N - 1) / N * S / B + (N - 1) / N * S / c.merge + P * c.update


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--write", type=float, default=8000, help="serialisation, MB/s (default 8000)")
    a.add_argument("--read", type=float, default=9000, help="deserialisation into a buffer, MB/s (default 9000)")
    a.add_argument("--merge", type=float, default=15000, help="a += b on one thread, MB/s of gradient (default 15000)")
    a.add_argument("--update", type=float, default=2.0, help="driver update, ns/parameter, all cores (default 2)")
    a.add_argument("--update-one", type=float, default=3.0,
                   help="update on one executor core, ns/parameter (default 3)")
    a.add_argument("--latency", type=float, default=30, help="per Spark stage, ms (default 30)")
    a.add_argument("--bcast", type=float, default=1.5, help="driver link traffic of a broadcast, x S (default 1.5)")
    a.add_argument("--getters", type=int, default=2,
                   help="gradients the driver fetches at once (GradientBlock.readAll: 2)")
    c = a.parse_args()
    c.write *= 1e6
    c.read *= 1e6
    c.merge *= 1e6
    c.update *= 1e-9
    c.update_one *= 1e-9
    c.latency *= 1e-3
    print("| link | params | executors | tree d=2 | tree d=3 | tree d=4 | sharded | ring | driver receives (d=2/3/4) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for gbit in (1, 10):
        B = gbit * 1e9 / 8
        for P in (10e6, 100e6):
            for N in (8, 32, 128, 256):
                trees = [tree(N, P, B, d, c) for d in (2, 3, 4)]
                cells = " | ".join(f"{t:.2f} s" for t, _ in trees)
                ks = "/".join(str(k) for _, k in trees)
                print(f"| {gbit} Gbit/s | {P / 1e6:.0f}M | {N} | {cells} | {sharded(N, P, B, c):.2f} s"
                      f" | {ring(N, P, B, c):.2f} s | {ks} gradients |")


if __name__ == "__main__":
    main()
