"""SMTP sink for plaint's tests: stores every message it receives, byte for byte.

For each message it writes OUTDIR/<pid>-<seq>.eml (the DATA bytes exactly as
received, CRLF kept, dot-unstuffed) and then OUTDIR/<pid>-<seq>.json (the
envelope).  Both are written to a temporary name and renamed, .eml first, so
the presence of the .json means "this message is complete".

Run it with Debian's interpreter, which has python3-aiosmtpd:

  standalone: /usr/bin/python3 tests/smtp_sink.py OUTDIR PORT [CERT KEY]
      Listens on 127.0.0.1:PORT.  With CERT and KEY, STARTTLS is offered but
      not required.  AUTH (PLAIN, LOGIN) is offered and any credentials are
      accepted, with or without TLS.  Prints "READY <port>" once it accepts
      connections; SIGTERM or SIGINT stops it cleanly (exit status 0).
  aiosmtpd CLI: PYTHONPATH=tests /usr/bin/python3 -m aiosmtpd -n \
      -l 127.0.0.1:PORT -c smtp_sink.FileSink OUTDIR

The null reverse-path "MAIL FROM:<>" (used for auto-replies and bounces) is
accepted and recorded as "mail_from": "" in the .json.
"""
import datetime
import itertools
import json
import logging
import os
import sys

# AUTH makes aiosmtpd 1.4 log "Session.login_data is deprecated"; harmless.
logging.getLogger("mail.log").addFilter(lambda r: "login_data" not in r.getMessage())


def _reverse_path(mail_from):
    """The envelope sender as the client sent it, with <> for the null path."""
    if mail_from is None:
        return None
    if mail_from in ("", "<>"):
        return ""
    return mail_from


class FileSink:
    """aiosmtpd handler that writes one .eml and one .json per message."""

    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)
        self.seq = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("FileSink needs exactly one argument: the output directory")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        n = next(self.seq)
        base = os.path.join(self.outdir, f"{os.getpid()}-{n:06d}")
        raw = envelope.original_content
        if raw is None:
            raw = envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        meta = {
            "mail_from": _reverse_path(envelope.mail_from),
            "mail_options": list(envelope.mail_options or []),
            "rcpt_tos": list(envelope.rcpt_tos),
            "rcpt_options": list(envelope.rcpt_options or []),
            "peer": list(session.peer) if session.peer else None,
            "helo": session.host_name,
            "tls": session.ssl is not None,
            "authenticated": bool(getattr(session, "authenticated", False)),
            "auth_login": _auth_login(session),
            "size": len(raw),
            "received_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        }
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 OK stored"


def _auth_login(session):
    """The user name given to AUTH, if any (the password is not recorded)."""
    login = getattr(getattr(session, "auth_data", None), "login", None)
    if isinstance(login, bytes):
        login = login.decode("utf-8", "replace")
    return login


def _accept_all(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult
    return AuthResult(success=True, auth_data=auth_data)


def main(argv):
    import signal
    import socket
    import ssl
    from aiosmtpd.controller import Controller

    if len(argv) not in (3, 5):
        print(f"usage: {argv[0]} OUTDIR PORT [CERT KEY]", file=sys.stderr)
        return 2
    outdir, port = argv[1], int(argv[2])
    # A taken port makes Controller.start() fail only after its 5 s ready
    # timeout: find out at once (the caller then retries with another port).
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind(("127.0.0.1", port))
    except OSError as e:
        print(f"smtp_sink: cannot listen on 127.0.0.1:{port}: {e}", file=sys.stderr)
        return 1
    finally:
        probe.close()
    kw = dict(authenticator=_accept_all, auth_require_tls=False)
    if len(argv) == 5:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(argv[3], argv[4])
        kw.update(tls_context=ctx, require_starttls=False)
    # Block the signals before the server thread starts, so that it inherits
    # the mask and only this thread receives them (through sigwait below).
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    controller = Controller(FileSink(outdir), hostname="127.0.0.1", port=port, **kw)
    try:
        controller.start()  # returns once the socket accepts connections
    except Exception as e:  # e.g. the port was taken in the meantime
        print(f"smtp_sink: cannot listen on 127.0.0.1:{port}: {e}", file=sys.stderr)
        return 1
    print(f"READY {port}", flush=True)
    sig = signal.sigwait(signals)
    controller.stop()
    print(f"smtp_sink: stopped by signal {sig}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
