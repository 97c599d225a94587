"""Run a command; print its wall time, peak RSS and exit status.

  /usr/bin/python3 tests/bench/timed.py COMMAND [ARG...]

Prints one line, "<seconds> <peak RSS in KB> <exit status>", on standard
output; the command's standard output goes to /dev/null, its standard
error to ours.  The peak RSS is the kernel's ru_maxrss of that one child
(wait4), so each measurement is independent of the others.
"""
import os
import subprocess
import sys
import time


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    t0 = time.monotonic()
    child = subprocess.Popen(argv[1:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.monotonic() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    print(f"{elapsed:.4f} {usage.ru_maxrss} {child.returncode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
