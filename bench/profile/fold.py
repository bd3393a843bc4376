"""Reads `perf script` output (call graphs by frame pointers) and prints,
for each function whose name matches a pattern, the share of samples in
which it is on the stack: where a server's time goes, callees included."""

import collections
import re
import sys


def samples(lines):
    block = []
    for line in lines:
        if line.strip():
            block.append(line.rstrip("\n"))
        elif block:
            yield block
            block = []
    if block:
        yield block


def frames(block):
    for line in block[1:]:
        found = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line)
        if found:
            yield re.sub(r"\+0x[0-9a-f]+$", "", found.group(1))[:110], found.group(2)


def main():
    pattern = re.compile(sys.argv[1] if len(sys.argv) > 1 else ".")
    on_stack = collections.Counter()
    total = in_kernel = 0
    for block in samples(sys.stdin):
        stack = list(frames(block))
        if not stack:
            continue
        total += 1
        in_kernel += "kernel" in stack[0][1]
        for name in {name for name, _ in stack}:
            on_stack[name] += 1
    print(f"{total} samples: {in_kernel / total:.1%} in the kernel, {1 - in_kernel / total:.1%} in the process")
    for name, count in on_stack.most_common():
        if pattern.search(name) and count / total >= 0.003:
            print(f"{count / total:7.2%}  {name}")


main()
