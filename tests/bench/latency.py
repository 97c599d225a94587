"""Acknowledgement latency of a steady run, for `make bench`.

  /usr/bin/python3 tests/bench/latency.py DBNAME TIMES

TIMES is appender.py's output (Message-ID, APPEND sent, APPEND done).
Reads from the database (psql, PGHOST etc. from the environment) when
each acknowledgement was accepted by the SMTP server (plaint.outbox
sent_at, taken by PostgreSQL's clock on this machine, just after the
250 came back) and the INTERNALDATE Dovecot gave the message.

Prints one line of numbers:
  appended sent p50 p99 max idate_p50 idate_p99 idate_max
latencies in seconds: from the moment the APPEND was sent to sent_at,
then (idate_*) from INTERNALDATE to sent_at as plaint.ack_sla counts it
(INTERNALDATE has whole seconds, so those read up to 1 s high).
A second line says where the time went: p50 and p99 of the wait from
the APPEND to the fetch (fetched_at), from the fetch to the filing
commit (processed_at) and from the filing to the 250 (sent_at), for the
acknowledgements sent.

Percentiles are nearest-rank; a message whose acknowledgement was not
sent counts as infinitely late ("inf"), so that a p99 never looks better
for acks that never went out.
"""
import math
import subprocess
import sys

QUERY = """
SELECT m.message_id, extract(epoch FROM o.sent_at),
       extract(epoch FROM r.internaldate), extract(epoch FROM r.fetched_at),
       extract(epoch FROM r.processed_at)
  FROM plaint.outbox o
  JOIN plaint.messages m ON m.ticket_id = o.ticket_id AND m.direction = 'in'
  JOIN plaint.raw_messages r ON r.id = m.raw_id
 WHERE o.kind = 'ack' AND o.sent_at IS NOT NULL
"""


def pct(sorted_values, q):
    """The nearest-rank q-quantile: the smallest value with at least a
    fraction q of all values at or below it."""
    if not sorted_values:
        return float("inf")
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 64
    appended = {}
    with open(argv[2]) as f:
        for line in f:
            mid, t_sent, _ = line.split("\t")
            appended[mid] = float(t_sent)
    out = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-d", argv[1], "-c", QUERY],
                         check=True, capture_output=True, text=True).stdout
    lat, idate, fetch, filing, sending = [], [], [], [], []
    for line in out.splitlines():
        mid, sent, internal, fetched, filed = line.split("\t")
        if mid in appended:
            lat.append(float(sent) - appended[mid])
            idate.append(float(sent) - float(internal))
            fetch.append(float(fetched) - appended[mid])
            filing.append(float(filed) - float(fetched))
            sending.append(float(sent) - float(filed))
    sent = len(lat)
    lat += [math.inf] * (len(appended) - sent)
    idate += [math.inf] * (len(appended) - sent)
    lat.sort()
    idate.sort()
    print(len(appended), sent,
          *(f"{v:.3f}" for v in (pct(lat, 0.5), pct(lat, 0.99), pct(lat, 1.0),
                                 pct(idate, 0.5), pct(idate, 0.99), pct(idate, 1.0))))
    stages = []
    for name, v in (("APPEND to fetch", fetch), ("fetch to filed", filing),
                    ("filed to 250", sending)):
        v.sort()
        stages.append(f"{name} p50 {pct(v, 0.5):.3f} s, p99 {pct(v, 0.99):.3f} s")
    print("; ".join(stages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
