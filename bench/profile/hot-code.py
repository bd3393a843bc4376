#!/usr/bin/env python3
"""The code a request runs, read from callgrind's dumps made with
`--dump-instr=yes`: how many 4 KiB pages and 64-byte lines of code it lies
on, and the order of its functions for the linker (lld's
`--symbol-ordering-file`), which gathers them.

    hot-code.py pages DUMP REQUESTS
    hot-code.py order BINARY OUT DUMP:REQUESTS [DUMP:REQUESTS...]

`pages` counts the code run at least every other request: what a request
runs through, less what only some requests run. `order` lists every
function of BINARY run at least once in twenty requests, in the order the
binary has them now, one linker symbol a line.
"""

import bisect
import collections
import re
import subprocess
import sys

POSITION = re.compile(r"^(0x[0-9a-fA-F]+|[+-][0-9]+|\*)\s*(.*)$")
OBJECT = re.compile(r"^c?ob=\((\d+)\)(?: (.*))?$")


def instructions(dump, binary_name):
    """Instructions executed at each code address of the program whose
    path ends with `binary_name`, from one dump."""
    counts = collections.Counter()
    objects = {}
    current = None
    address = 0
    after_call = False
    with open(dump) as lines:
        for line in lines:
            named = OBJECT.match(line.strip())
            if named:
                if named.group(2):
                    objects[named.group(1)] = named.group(2)
                if line.startswith("ob="):
                    current = objects[named.group(1)]
                continue
            if line.startswith("calls="):
                after_call = True
                continue
            position = POSITION.match(line)
            if not position:
                continue
            where, rest = position.groups()
            if where.startswith("0x"):
                address = int(where, 16)
            elif where != "*":
                address += int(where)
            # The line after `calls=` is the call's inclusive cost, not the
            # calling instruction's own.
            if after_call:
                after_call = False
                continue
            # Positions are `instr line`: the line's, then the events, Ir first.
            fields = rest.split()
            if len(fields) > 1 and fields[1].isdigit() and current and current.endswith(binary_name):
                counts[address] += int(fields[1])
    return counts


def pages(dump, requests):
    counts = instructions(dump, "")
    hot = [address for address, n in counts.items() if n >= requests / 2]
    print(
        f"code run every other request or more: {len(hot)} instructions "
        f"on {len({a >> 6 for a in hot})} lines of 64 bytes and {len({a >> 12 for a in hot})} pages of 4 KiB"
    )


def order(binary, out, dumps):
    hot = set()
    for dump in dumps:
        path, requests = dump.rsplit(":", 1)
        counts = instructions(path, binary.rsplit("/", 1)[-1])
        hot |= {address for address, n in counts.items() if n >= int(requests) / 20}
    symbols = []
    listed = subprocess.run(["nm", "--defined-only", "-n", binary], capture_output=True, text=True, check=True)
    for line in listed.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tTwW":
            symbols.append((int(fields[0], 16), fields[2]))
    starts = [start for start, _ in symbols]
    chosen = {}
    for address in hot:
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0:
            chosen[symbols[i][1]] = symbols[i][0]
    with open(out, "w") as file:
        file.writelines(f"{name}\n" for name in sorted(chosen, key=chosen.get))
    print(f"{len(chosen)} functions run at least once in twenty requests, listed in {out}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pages"] and len(sys.argv) == 4:
        pages(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["order"] and len(sys.argv) >= 5:
        order(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
