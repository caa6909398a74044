#!/usr/bin/env python3
"""Summarises a JFR recording of a JMH fork for benchmarks/README.md: where the CPU samples and the
allocation samples go.

    python3 benchmarks/jfr_summary.py recording.jfr [--frames N] [--match dev.burnguard]

CPU (jdk.ExecutionSample): the share of samples per top frame (the method, inlined ones included,
that was running), and per "first own frame", the first frame from the top whose class matches
--match (default: dev.burnguard, dev.openfeature, java.) so that time in the JDK is charged to
the caller in the project. Allocation (jdk.ObjectAllocationSample): the sampled bytes (the events'
weight) per allocated class and per allocating frame. Only the JMH worker threads are counted.
Needs the JDK's `jfr` tool on the PATH.
"""
import argparse
import collections
import json
import subprocess
import sys


def events(path, name):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", name, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frame_name(frame):
    method = frame["method"]
    return "%s.%s:%s" % (method["type"]["name"], method["name"], frame.get("lineNumber", "?"))


def worker(event):
    thread = event["values"].get("sampledThread") or event["values"].get("eventThread") or {}
    return "jmh-worker" in (thread.get("javaName") or "")


def top(counter, total, n, unit):
    lines = []
    for key, value in counter.most_common(n):
        lines.append("  %5.1f %%  %s%s" % (100.0 * value / total, key, unit(value)))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--frames", type=int, default=12)
    parser.add_argument("--match", default="dev.burnguard,dev.openfeature")
    args = parser.parse_args()
    prefixes = tuple(args.match.split(","))

    samples = [e for e in events(args.recording, "jdk.ExecutionSample") if worker(e)]
    by_top = collections.Counter()
    by_own = collections.Counter()
    for e in samples:
        frames = e["values"]["stackTrace"]["frames"]
        if not frames:
            continue
        by_top[frame_name(frames[0])] += 1
        own = next((f for f in frames if f["method"]["type"]["name"].replace("/", ".").startswith(prefixes)), None)
        by_own[frame_name(own) if own else "(other)"] += 1
    print("CPU: %d execution samples on the JMH worker threads" % len(samples))
    if samples:
        print("by running frame (inlined frames included):")
        print(top(by_top, len(samples), args.frames, lambda v: ""))
        print("by first frame of %s:" % args.match)
        print(top(by_own, len(samples), args.frames, lambda v: ""))

    allocations = [e for e in events(args.recording, "jdk.ObjectAllocationSample") if worker(e)]
    by_class = collections.Counter()
    by_site = collections.Counter()
    total = 0
    for e in allocations:
        weight = e["values"]["weight"]
        total += weight
        by_class[e["values"]["objectClass"]["name"]] += weight
        frames = e["values"]["stackTrace"]["frames"]
        site = " <- ".join(frame_name(f) for f in frames[:4]) if frames else "(no stack)"
        by_site[site] += weight
    print("\nAllocation: %d samples, %.1f MB sampled weight on the JMH worker threads"
          % (len(allocations), total / 1e6))
    if allocations:
        mb = lambda v: "  (%.1f MB)" % (v / 1e6)
        print("by class:")
        print(top(by_class, total, args.frames, mb))
        print("by site (top four frames):")
        print(top(by_site, total, args.frames, mb))


if __name__ == "__main__":
    sys.exit(main())
