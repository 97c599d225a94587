"""APPEND complaints to an IMAP folder at a steady rate, for `make bench`.

  /usr/bin/python3 tests/bench/appender.py --port P --folder F --rate R
      --seconds S --prefix PREFIX --out FILE [--connections C]
      [--user alice] [--password alicepw]
  /usr/bin/python3 tests/bench/appender.py --port P --folder F --dir DIR
      --out FILE [--connections C] [...]

Makes R*S complaints of about 3 KB (tests/bench/complaints.py, PREFIX in
their Message-IDs and addresses) before the clock starts, or reads the
*.eml files of DIR, then APPENDs message i at start + i/R seconds over
plain IMAP to 127.0.0.1; without --rate (or with 0) as fast as it can.  C
connections (default 4, one thread each) take turns, so that one slow
APPEND does not hold up the schedule; a message that is late all the
same goes at once (no catching up by skipping).  FILE gets one line per
message: its Message-ID (without brackets), the wall-clock time just
before its APPEND was sent and the time its tagged OK came back (Unix
seconds, microsecond resolution); with --dir, the file name instead of
the Message-ID.

Prints one line: messages appended, seconds, the rate reached, and how
late the latest APPEND started against its schedule.  Exit status 0, or 1
with a message.
"""
import argparse
import imaplib
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import complaints  # noqa: E402


class Sender(threading.Thread):
    """One connection: APPENDs messages first, first + step, ... on time."""

    def __init__(self, a, msgs, first, step):
        super().__init__()
        self.a, self.msgs, self.first, self.step = a, msgs, first, step
        self.rows, self.worst, self.error = [], 0.0, None
        self.conn = imaplib.IMAP4("127.0.0.1", a.port, timeout=30)
        self.conn.login(a.user, a.password)
        self.start_at = None

    def run(self):
        try:
            for i in range(self.first, len(self.msgs), self.step):
                mid, raw = self.msgs[i]
                if self.a.rate > 0:
                    delay = self.start_at + i / self.a.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    else:
                        self.worst = max(self.worst, -delay)
                t_sent = time.time()
                typ, data = self.conn.append(self.a.folder, None, None, raw)
                t_ok = time.time()
                if typ != "OK":
                    raise imaplib.IMAP4.error(f"APPEND {mid}: {typ} {data!r}")
                self.rows.append(f"{mid}\t{t_sent:.6f}\t{t_ok:.6f}\n")
            self.conn.logout()
        except (OSError, imaplib.IMAP4.error) as e:
            self.error = e


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="alicepw")
    p.add_argument("--folder", required=True)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--seconds", type=float)
    p.add_argument("--prefix")
    p.add_argument("--dir")
    p.add_argument("--out", required=True)
    p.add_argument("--connections", type=int, default=4)
    a = p.parse_args()

    if a.dir:
        names = sorted(n for n in os.listdir(a.dir) if n.endswith(".eml"))
        msgs = []
        for name in names:
            with open(os.path.join(a.dir, name), "rb") as f:
                msgs.append((name, f.read()))
    elif a.rate > 0 and a.seconds and a.prefix:
        n = round(a.rate * a.seconds)
        msgs = [(f"{a.prefix}-{i}@mail.example.net", complaints.small(i, a.prefix))
                for i in range(1, n + 1)]
    else:
        p.error("give --dir, or --rate, --seconds and --prefix")
    try:
        senders = [Sender(a, msgs, k, a.connections) for k in range(a.connections)]
        senders[0].conn.create(a.folder)        # NO if it exists: fine
    except (OSError, imaplib.IMAP4.error) as e:
        print(f"appender: {e}", file=sys.stderr)
        return 1
    start = time.monotonic()
    for s in senders:
        s.start_at = start
        s.start()
    for s in senders:
        s.join()
    elapsed = time.monotonic() - start
    errors = [s.error for s in senders if s.error]
    if errors:
        print(f"appender: {errors[0]}", file=sys.stderr)
        return 1
    rows = sorted((r for s in senders for r in s.rows), key=lambda r: float(r.split("\t")[1]))
    with open(a.out, "w") as f:
        f.writelines(rows)
    worst = max(s.worst for s in senders)
    print(f"appended {len(rows)} messages over {a.connections} connections in "
          f"{elapsed:.1f} s ({len(rows) / elapsed:.1f}/s), the latest "
          f"{worst * 1000:.0f} ms behind schedule")
    return 0


if __name__ == "__main__":
    sys.exit(main())
