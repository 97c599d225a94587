"""Stand in for systemd's end of $NOTIFY_SOCKET, for tests.

  /usr/bin/python3 tests/notify_reader.py SOCKET OUT [SECONDS]

Binds a unix datagram socket at SOCKET (as systemd does for a
Type=notify service) and appends one line per datagram to OUT:

    <seconds since start, 3 decimals> <assignments joined by '|'>

e.g. "1.204 READY=1|STATUS=1 mailbox, last poll none yet, no errors".
Exits after SECONDS (default 120) or on SIGTERM.
"""
import os
import signal
import socket
import sys
import time


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, out = sys.argv[1], sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) == 4 else 120.0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    start = time.monotonic()
    with open(out, "a", buffering=1) as f:
        while time.monotonic() - start < limit:
            sock.settimeout(max(0.1, limit - (time.monotonic() - start)))
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break
            text = data.decode("utf-8", "replace").strip("\n")
            f.write("%.3f %s\n" % (time.monotonic() - start,
                                   text.replace("\n", "|")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
