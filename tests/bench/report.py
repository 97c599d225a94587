"""Medians, spreads and the closing table of `make bench`.

  report.py add KEY UNIT VALUE...    record the runs of one figure; prints
                                     "MEDIAN UNIT (min A, max B; runs ...)"
  report.py skip KEY WHY             record a figure as not measured
  report.py table                    print the final table

The results go to the file named by $BENCH_RESULTS, one JSON object a
line.  A value of "inf" stands for "did not finish" (e.g. an
acknowledgement never sent): it sorts last, so a median or percentile
that reaches it reads "inf".  Nothing here judges a figure except the
"met" column of the table, which compares the median with its target.
"""
import json
import math
import os
import sys

# The closing table: label, key, unit, target text, target test on the
# median (and the ratio, when there is a limit), key of the limit.
ROWS = [
    ("ingest, IMAP to tickets + acks queued, fsync on", "ingest", "msg/s",
     ">= 2,500 msg/s and >= 0.5x limit",
     lambda m, r: m >= 2500 and r is not None and r >= 0.5, "writepath"),
    ("acknowledgements into smtp-sink", "send", "acks/s", ">= 2,500 acks/s",
     lambda m, r: m >= 2500, "smtp_source"),
    ("ack latency p50 under plaint run", "lat_p50", "s", "-", None, None),
    ("ack latency p99 under plaint run", "lat_p99", "s", "< 1 s",
     lambda m, r: m < 1, None),
    ("ack latency max under plaint run", "lat_max", "s", "-", None, None),
    ("50 body rules, 3 KB complaints, JIT on, one core", "rules50_jit", "msg/s",
     ">= 20,000 msg/s", lambda m, r: m >= 20000, "pcre2_50"),
    ("50 body rules, JIT off, one core", "rules50_nojit", "msg/s", "-", None, None),
    ("shipped rules (rules/*.rules), JIT on, one core", "shipped_jit", "msg/s",
     "-", None, None),
    ("shipped rules, JIT off, one core", "shipped_nojit", "msg/s", "-", None, None),
    ("25 MB message, plaint ingest: peak RSS above idle / size", "rss_ingest", "x",
     "<= 3x", lambda m, r: m <= 3, None),
    ("25 MB message, plaint parse: peak RSS above idle / size", "rss_parse", "x",
     "-", None, None),
]

LIMIT_LABELS = {
    "writepath": "minimal write path",
    "smtp_source": "smtp-source",
    "pcre2_50": "PCRE2 alone",
}


def results_file():
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        sys.exit("report.py: BENCH_RESULTS is not set")
    return path


def load():
    figures = {}
    path = results_file()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                r = json.loads(line)
                figures[r["key"]] = r
    return figures


def fmt(v):
    if math.isinf(v):
        return "inf"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def median(values):
    """The middle value (the upper middle of an even count, so that an
    "inf" is never averaged away)."""
    s = sorted(values)
    return s[len(s) // 2]


def spread(r):
    v = r["values"]
    return f"{fmt(median(v))} ({fmt(min(v))}-{fmt(max(v))})"


def add(key, unit, values):
    extra = {}
    if key == "append_rate":
        extra["asked"] = float(os.environ.get("BENCH_RATE_ASKED", "nan"))
        extra["seconds"] = float(os.environ.get("BENCH_SECONDS_ASKED", "nan"))
    vals = [float(v) for v in values]
    with open(results_file(), "a") as f:
        f.write(json.dumps({"key": key, "unit": unit, "values": vals, **extra}) + "\n")
    runs = ", ".join(fmt(v) for v in vals)
    print(f"median {fmt(median(vals))} {unit} (min {fmt(min(vals))}, "
          f"max {fmt(max(vals))}; runs {runs})")


def skip(key, why):
    with open(results_file(), "a") as f:
        f.write(json.dumps({"key": key, "skipped": why}) + "\n")
    print(f"not measured: {why}")


def table():
    figures = load()
    rows = [("figure", "measured (median, min-max)", "target",
             "limit measured in this run", "ratio", "met")]
    notes = []
    # The latency target holds at a given rate: a run that did not reach
    # it is shown, but not judged.
    rate = figures.get("append_rate")
    rate_ok = rate and "skipped" not in rate and median(rate["values"]) >= 0.95 * rate["asked"]
    if rate and "skipped" not in rate:
        notes.append(f"latency: APPENDs at {spread(rate)} msg/s for {fmt(rate['seconds'])} s "
                     f"(asked: {fmt(rate['asked'])} msg/s)")
    for label, key, unit, target, test, limit_key in ROWS:
        r = figures.get(key)
        if r is None or "skipped" in r:
            why = r["skipped"] if r else "this run did not reach it"
            rows.append((label, "not measured", target, "-", "-", "-"))
            notes.append(f"{label}: not measured: {why}")
            continue
        m = median(r["values"])
        limit_text, ratio = "-", None
        if limit_key:
            lim = figures.get(limit_key)
            if lim is None or "skipped" in lim:
                limit_text = "not measured"
                if lim:
                    notes.append(f"{LIMIT_LABELS[limit_key]}: not measured: {lim['skipped']}")
            else:
                lm = median(lim["values"])
                limit_text = f"{LIMIT_LABELS[limit_key]} {spread(lim)} {lim['unit']}"
                ratio = m / lm if lm and not math.isinf(lm) else None
        met = "-" if test is None else ("yes" if test(m, ratio) else "NO")
        if key.startswith("lat_") and test is not None and not rate_ok:
            met = "n/a: rate not reached"
        rows.append((label, f"{spread(r)} {unit}", target, limit_text,
                     "-" if ratio is None else f"{ratio:.2f}x", met))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    for note in notes:
        print(f"  {note}")


def main(argv):
    if len(argv) >= 4 and argv[1] == "add":
        add(argv[2], argv[3], argv[4:])
    elif len(argv) == 4 and argv[1] == "skip":
        skip(argv[2], argv[3])
    elif len(argv) == 2 and argv[1] == "table":
        table()
    else:
        print(__doc__, file=sys.stderr)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
