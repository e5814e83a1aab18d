"""Summarises the jdk.CPUTimeSample events of a JFR recording (as `jfr print --json`), for bench/*-profile.sh.

    python3 bench/jfr-summary.py samples.json PREFIX...

Prints the share of samples in socket system calls, self time by method, and inclusive time of the methods
whose class name starts with one of the PREFIXes (the code under study), and by top-level package group.
"""
import collections
import json
import sys

events = json.load(open(sys.argv[1]))["recording"]["events"]
prefixes = tuple(sys.argv[2:])


def name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


syscalls = ("sun.nio.ch.SocketDispatcher.write0", "sun.nio.ch.SocketDispatcher.read0", "sun.nio.ch.EPoll.ctl",
            "sun.nio.ch.EPoll.wait", "sun.nio.ch.IOUtil.write1", "sun.nio.ch.NioSocketImpl.read0",
            "java.net.SocketOutputStream.socketWrite0", "sun.nio.ch.FileDispatcherImpl.write0",
            "sun.nio.ch.UnixFileDispatcherImpl.write0")
own, total, in_syscalls, inclusive = collections.Counter(), 0, 0, collections.Counter()
for event in events:
    stack = event["values"].get("stackTrace")
    if not stack or not stack["frames"]:
        continue
    frames = stack["frames"]
    total += 1
    top = name(frames[0])
    own[top] += 1
    in_syscalls += top in syscalls
    for method in {name(f) for f in frames if name(f).startswith(prefixes) and ".bench." not in name(f)}:
        inclusive[method] += 1
if total == 0:
    sys.exit("no samples")
print(f"{total} samples; {100 * in_syscalls / total:.1f}% in socket or file system calls")
print("--- self time by method")
for method, count in own.most_common(40):
    print(f"{100 * count / total:5.1f}% {method}")
print(f"--- inclusive time of methods under {', '.join(prefixes)}")
for method, count in inclusive.most_common(60):
    print(f"{100 * count / total:5.1f}% {method}")
