#!/usr/bin/env python3
"""Where a JFR recording's CPU samples are, per thread group.

    dev/jfr-top.py RECORDING.jfr [--threads gladius-io] [--depth 40] [--top 25] [--under PREFIX ...]

Prints, for the sampled threads whose name starts with --threads: the top frames (self time),
the first frame on each stack that starts with one of --under's prefixes (default: Gladius and
the KCP engine: "which of our methods is this sample in"), and the inclusive share of each method
of ours. Reads `jfr print` (the JDK's tool on the PATH).
"""
import argparse
import collections
import re
import subprocess


def samples(path, depth):
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", str(depth), path],
                          check=True, capture_output=True, text=True).stdout
    for block in text.split("jdk.ExecutionSample {")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', block)
        frames = re.findall(r"^\s{4}(\S[^(]*)\(", block, re.M)
        if thread and frames:
            yield thread.group(1), frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--threads", default="gladius-io")
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--under", nargs="*", default=["gladius."])
    args = parser.parse_args()

    by_thread = collections.Counter()
    self_time = collections.Counter()
    first_ours = collections.Counter()
    inclusive = collections.Counter()
    total = 0
    for thread, frames in samples(args.recording, args.depth):
        by_thread[thread] += 1
        if not thread.startswith(args.threads):
            continue
        total += 1
        self_time[frames[0]] += 1
        ours = [f for f in frames if f.startswith(tuple(args.under))]
        first_ours[ours[0] if ours else "(none within %d frames)" % args.depth] += 1
        for method in set(ours):
            inclusive[method] += 1

    print("samples by thread:", dict(by_thread.most_common()))
    print("threads %s*: %d samples" % (args.threads, total))
    for title, counter in (("self", self_time), ("first of ours on the stack", first_ours),
                           ("inclusive, ours", inclusive)):
        print("\n%s:" % title)
        for frame, count in counter.most_common(args.top):
            print("%6.1f%% %s" % (100.0 * count / max(total, 1), frame))


if __name__ == "__main__":
    main()
