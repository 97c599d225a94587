"""Put test messages into a mailbox of the test Dovecot, or list their flags.

  /usr/bin/python3 tests/imap_append.py --port P [--user alice]
      [--password alicepw] [--folder INBOX] [--flags '\\Seen']
      [--date 2026-11-20T15:00:00+01:00] FILE...
      APPENDs each FILE (raw bytes, bare LF turned into CRLF) over plain IMAP
      to 127.0.0.1, with --date as its INTERNALDATE (when the server
      received it; default now), and prints one line per file:
          APPENDUID <uidvalidity> <uid> <file>
      A folder that does not exist yet is created.

  /usr/bin/python3 tests/imap_append.py --port P [...] --list-flags
      Prints "<uid> (<flags>)" for every message in the folder, in UID order,
      e.g. "1 (\\Seen)" or "2 ()", for assertions.  Opens the folder
      read-only (EXAMINE), so listing never changes a flag.  \\Recent is
      left out: it depends on which session saw the message first.

Exit status 0 on success, 1 with a message on stderr on any failure
(connection, login, APPEND rejected, unreadable file), 2 on bad usage.
"""
import argparse
import datetime
import imaplib
import re
import sys

BARE_LF = re.compile(rb"(?<!\r)\n")
APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.I)
FETCH_ITEM = re.compile(rb"UID (\d+)|FLAGS \(([^)]*)\)", re.I)


class Failure(Exception):
    pass


def text_of(err):
    """imaplib puts the server's bytes into its exceptions: make them text."""
    arg = err.args[0] if err.args else err
    if isinstance(arg, bytes):
        return arg.decode(errors="replace")
    return str(arg)


def quote_mailbox(name):
    """IMAP quoted string for a mailbox name (imaplib does not quote)."""
    if re.fullmatch(r"[A-Za-z0-9._/-]+", name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(what, typ, data):
    if typ != "OK":
        text = b" ".join(d if isinstance(d, bytes) else str(d).encode() for d in data if d)
        raise Failure(f"{what} failed: {typ} {text.decode(errors='replace')}")
    return data


def connect(args):
    try:
        conn = imaplib.IMAP4(args.host, args.port, timeout=args.timeout)
    except OSError as e:
        raise Failure(f"cannot connect to IMAP {args.host}:{args.port}: {e}")
    try:
        conn.login(args.user, args.password)
    except imaplib.IMAP4.error as e:
        raise Failure(f"login as {args.user} failed: {text_of(e)}")
    return conn


def append_files(conn, args):
    mailbox = quote_mailbox(args.folder)
    flags = args.flags
    if flags and not flags.startswith("("):
        flags = f"({flags})"
    created = False
    date = None
    if args.date:
        date = imaplib.Time2Internaldate(datetime.datetime.fromisoformat(args.date))
    for path in args.files:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise Failure(f"cannot read {path}: {e}")
        if not raw:
            raise Failure(f"{path} is empty")
        raw = BARE_LF.sub(b"\r\n", raw)
        try:
            typ, data = conn.append(mailbox, flags, date, raw)
        except imaplib.IMAP4.error as e:
            typ, data = "NO", [text_of(e).encode()]
        if typ != "OK" and not created and b"TRYCREATE" in b" ".join(
                d for d in data if isinstance(d, bytes)).upper():
            check(f"CREATE {args.folder}", *conn.create(mailbox))
            created = True
            typ, data = conn.append(mailbox, flags, date, raw)
        check(f"APPEND {path} to {args.folder}", typ, data)
        m = APPENDUID.search(data[0] if data and isinstance(data[0], bytes) else b"")
        if not m:
            raise Failure(f"APPEND {path}: no APPENDUID in reply {data!r}")
        print(f"APPENDUID {int(m.group(1))} {int(m.group(2))} {path}", flush=True)


def list_flags(conn, args):
    check(f"EXAMINE {args.folder}", *conn.select(quote_mailbox(args.folder), readonly=True))
    data = check("UID SEARCH ALL", *conn.uid("SEARCH", None, "ALL"))
    if not data or not data[0] or not data[0].strip():
        return
    data = check("UID FETCH", *conn.uid("FETCH", "1:*", "(UID FLAGS)"))
    rows = []
    for item in data:
        if isinstance(item, tuple):     # a literal never appears here, but be safe
            item = item[0]
        if not isinstance(item, bytes):
            continue
        uid = flags = None
        for m in FETCH_ITEM.finditer(item):
            if m.group(1) is not None:
                uid = int(m.group(1))
            else:
                flags = m.group(2).decode(errors="replace")
        if uid is not None and flags is not None:
            # \Recent depends on which session saw the message first: leave it out.
            rows.append((uid, " ".join(f for f in flags.split() if f.lower() != "\\recent")))
    for uid, flags in sorted(rows):
        print(f"{uid} ({flags})")


def main():
    p = argparse.ArgumentParser(
        description="APPEND messages to the test Dovecot over plain IMAP, or list their flags.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="alice")
    p.add_argument("--password", default="alicepw")
    p.add_argument("--folder", default="INBOX")
    p.add_argument("--flags", default=None, help=r"flags for APPEND, e.g. '\Seen \Flagged'")
    p.add_argument("--date", default=None, help="INTERNALDATE, ISO 8601 with its offset")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--list-flags", action="store_true",
                   help="print '<uid> (<flags>)' for every message in the folder")
    p.add_argument("files", nargs="*", metavar="FILE")
    args = p.parse_args()
    if args.list_flags and args.files:
        p.error("--list-flags takes no FILE")
    if not args.list_flags and not args.files:
        p.error("give at least one FILE (or --list-flags)")

    conn = None
    try:
        conn = connect(args)
        if args.list_flags:
            list_flags(conn, args)
        else:
            append_files(conn, args)
    except (Failure, imaplib.IMAP4.error, OSError) as e:
        print(f"imap_append: {text_of(e) if isinstance(e, imaplib.IMAP4.error) else e}",
              file=sys.stderr)
        return 1
    finally:
        if conn is not None:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
