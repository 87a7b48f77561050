#!/usr/bin/env python3
"""The table bin/bench-cluster prints: for each run, ms per training step and where it goes, and each JVM's memory.

Per run folder (bin/bench-cluster writes them): model/metrics.jsonl (elapsed_s per step), events/ (the Spark event
log), driver-jfr/ and executor-jfr/ (flight recordings of jdk.GCHeapSummary and jdk.DirectBufferStatistics),
rss.txt ("NAME VmHWM-kB" lines, sampled every second) and status.

A step's wall time is split along the driver's clock: "job" is the step's Spark job (submission to completion),
"driver" the rest of the step (zeroing and copying the weights, the broadcast, gradient scaling, clipping, AdamW).
Inside the job, "compute" is the longest task's executor run time (reading the broadcast weights, forward and
backward, the gradient sum), "deser" the longest task deserialization, "ser" the longest serialization of a task's
result (the gradients), "fetch" the longest time the driver spent fetching a result (a result over
spark.task.maxDirectResultSize goes through the executor's block manager: a transfer, then deserialization), "MB"
the largest serialized result, and "other" the job minus the longest task's span from launch to finish: scheduling
before the tasks and the merge of the results after them. Medians over the steps after the first two.
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys

STEP_JOB = "treeAggregate"


def event_log(folder):
    files = sorted(glob.glob(os.path.join(folder, "events", "*")))
    events = []
    for f in files:
        parts = sorted(glob.glob(os.path.join(f, "events_*"))) if os.path.isdir(f) else [f]
        for p in parts:
            with open(p) as lines:
                events += [json.loads(line) for line in lines if line.strip()]
    return events


def step_jobs(events):
    """The jobs of training steps in order: {id, start, end, tasks: [task info + metrics]}."""
    jobs, stage_job = {}, {}
    for e in events:
        kind = e.get("Event")
        if kind == "SparkListenerJobStart":
            names = [s.get("Stage Name", "") for s in e.get("Stage Infos", [])]
            jobs[e["Job ID"]] = {"start": e["Submission Time"], "names": names, "tasks": []}
            for s in e.get("Stage IDs", []):
                stage_job[s] = e["Job ID"]
        elif kind == "SparkListenerJobEnd" and e["Job ID"] in jobs:
            jobs[e["Job ID"]]["end"] = e["Completion Time"]
        elif kind == "SparkListenerTaskEnd" and e.get("Task End Reason", {}).get("Reason") == "Success":
            job = stage_job.get(e["Stage ID"])
            if job is not None:
                info, metrics = e["Task Info"], e.get("Task Metrics", {})
                jobs[job]["tasks"].append({
                    "launch": info["Launch Time"], "finish": info["Finish Time"],
                    "getting": info.get("Getting Result Time", 0), "executor": info["Executor ID"],
                    "deser": metrics.get("Executor Deserialize Time", 0),
                    "run": metrics.get("Executor Run Time", 0),
                    "ser": metrics.get("Result Serialization Time", 0),
                    "gc": metrics.get("JVM GC Time", 0), "bytes": metrics.get("Result Size", 0)})
    return [j for _, j in sorted(jobs.items()) if any(STEP_JOB in n for n in j["names"]) and "end" in j]


def jfr_peaks(folder):
    """(peak heap used, max heap used after a GC, peak direct memory) over the recordings in folder, in bytes."""
    heap = live = direct = 0
    for f in glob.glob(os.path.join(folder, "*.jfr")):
        out = subprocess.run(["jfr", "print", "--json", "--events", "jdk.GCHeapSummary,jdk.DirectBufferStatistics",
                              f], capture_output=True, text=True, check=True).stdout
        for e in json.loads(out)["recording"]["events"]:
            v = e["values"]
            if e["type"] == "jdk.GCHeapSummary":
                heap = max(heap, v["heapUsed"])
                if v["when"] == "After GC":
                    live = max(live, v["heapUsed"])
            else:
                direct = max(direct, v["memoryUsed"])
    return heap, live, direct


def rss_peaks(folder):
    """(driver, largest executor) peak resident set in bytes."""
    last = {}
    path = os.path.join(folder, "rss.txt")
    if os.path.exists(path):
        for line in open(path):
            name, kb = line.split()
            last[name] = int(kb) * 1024
    executors = [v for k, v in last.items() if k.startswith("executor")]
    return last.get("driver", 0), max(executors, default=0)


def mib(b):
    return f"{b / 2**20:,.0f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--dir", required=True)
    a = parser.parse_args()
    print("run | params | ms/step | job | compute | deser | ser | fetch | MB | other | driver | "
          "driver heap peak/live/direct/RSS MiB | executor heap peak/live/direct/RSS MiB")
    for run in a.runs:
        folder = os.path.join(a.dir, run)
        status = open(os.path.join(folder, "status")).read().strip()
        params = next((line.split()[1] for line in open(os.path.join(folder, "err"))
                       if line.startswith("spindle: ") and " parameters," in line), "?")
        d_heap, d_live, d_direct = jfr_peaks(os.path.join(folder, "driver-jfr"))
        e_heap, e_live, e_direct = jfr_peaks(os.path.join(folder, "executor-jfr"))
        d_rss, e_rss = rss_peaks(folder)
        memory = (f"{mib(d_heap)}/{mib(d_live)}/{mib(d_direct)}/{mib(d_rss)} | "
                  + (f"{mib(e_heap)}/{mib(e_live)}/{mib(e_direct)}/{mib(e_rss)}" if e_heap else "(in the driver)"))
        if status != "0":
            print(f"{run} | {params} | failed ({status}) | | | | | | | | | {memory}")
            continue
        elapsed = [json.loads(line)["elapsed_s"] for line in open(os.path.join(folder, "model", "metrics.jsonl"))]
        steps = [1000 * (b - a_) for a_, b in zip([0.0] + elapsed, elapsed)]
        jobs = step_jobs(event_log(folder))
        if len(jobs) < len(steps):
            sys.exit(f"{run}: {len(jobs)} step jobs for {len(steps)} steps")
        jobs = jobs[:len(steps)]
        rows = []
        for step_ms, j in list(zip(steps, jobs))[2:]:
            job = j["end"] - j["start"]
            longest = max(j["tasks"], key=lambda t: t["finish"] - t["launch"])
            span = longest["finish"] - longest["launch"]
            fetch = max(t["finish"] - t["getting"] if t["getting"] else 0 for t in j["tasks"])
            rows.append((step_ms, job, max(t["run"] for t in j["tasks"]), max(t["deser"] for t in j["tasks"]),
                         max(t["ser"] for t in j["tasks"]), fetch, max(t["bytes"] for t in j["tasks"]) / 1e6,
                         job - span, step_ms - job))
        med = [statistics.median(c) for c in zip(*rows)]
        print(f"{run} | {params} | {med[0]:,.0f} | {med[1]:,.0f} | {med[2]:,.0f} | {med[3]:,.0f} | {med[4]:,.0f} | "
              f"{med[5]:,.0f} | {med[6]:,.1f} | {med[7]:,.0f} | {med[8]:,.0f} | {memory}")


if __name__ == "__main__":
    main()
