#!/usr/bin/python3
"""A scripted SMTP submission peer that takes AUTH XOAUTH2 only.

  smtp_xoauth2.py PORT CERT KEY TOKENS OUTDIR

Listens on 127.0.0.1:PORT.  STARTTLS (with CERT and KEY) must come
before AUTH, and AUTH before MAIL.  "AUTH XOAUTH2 <initial response>" is
accepted (235) only if the response decodes exactly to
"user=USER\\x01auth=Bearer TOKEN\\x01\\x01" and TOKENS (read anew each
time; "TOKEN USER STATE" lines, as for oauth_introspect.py) has that
token for that user with STATE "active".  Otherwise it answers, as
Gmail does, "334 <base64 error JSON>", expects an empty line, and then
sends 535.  OUTDIR/auth.log gets one line per attempt: "accepted USER",
"refused USER", or "bad-continuation USER" when the client did not
answer the 334 with an empty line; tokens are never written.  Each
message is saved as OUTDIR/N.eml and then OUTDIR/N.json (envelope, "tls",
"auth_user").  Prints READY when listening.
"""
import base64
import binascii
import itertools
import json
import os
import socketserver
import ssl
import sys

ERROR_JSON = b'{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}'


def valid(tokens, user, token):
    with open(tokens, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and fields[0] == token:
                return fields[1] == user and fields[2] == "active"
    return False


def parse_response(b64):
    """(user, token) from an XOAUTH2 initial response, or None."""
    try:
        raw = base64.b64decode(b64, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not raw.startswith("user=") or not raw.endswith("\x01\x01"):
        return None
    parts = raw[5:-2].split("\x01")
    if len(parts) != 2 or not parts[1].startswith("auth=Bearer "):
        return None
    return parts[0], parts[1][len("auth=Bearer "):]


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())
        self.wfile.flush()

    def line(self):
        raw = self.rfile.readline(65536)
        return None if not raw else raw.decode("latin-1").rstrip("\r\n")

    def note(self, what):
        with open(os.path.join(self.server.outdir, "auth.log"), "a") as f:
            f.write(what + "\n")

    def starttls(self):
        self.reply("220 2.0.0 ready to start TLS")
        self.wfile.flush()
        conn = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.connection = conn
        self.rfile = conn.makefile("rb")
        self.wfile = conn.makefile("wb")
        self.tls = True
        self.user = None

    def auth(self, args):
        if not self.tls:
            return self.reply("530 5.7.0 Must issue a STARTTLS command first")
        if len(args) != 2 or args[0].upper() != "XOAUTH2":
            return self.reply("504 5.5.4 Unrecognized authentication type")
        parsed = parse_response(args[1])
        if parsed is None:
            self.note("malformed -")
            return self.reply("501 5.5.2 Cannot decode the XOAUTH2 response")
        user, token = parsed
        if valid(self.server.tokens, user, token):
            self.user = user
            self.note("accepted " + user)
            return self.reply("235 2.7.0 Accepted")
        self.reply("334 " + base64.b64encode(ERROR_JSON).decode())
        if self.line() != "":
            self.note("bad-continuation " + user)
            return self.reply("501 5.5.2 Expected an empty line after the error")
        self.note("refused " + user)
        self.reply("535 5.7.8 Username and Password not accepted")

    def data(self):
        self.reply("354 go ahead")
        lines = []
        while True:
            line = self.line()
            if line is None or line == ".":
                break
            lines.append(line[1:] if line.startswith("..") else line)
        n = next(self.server.seq)
        base = os.path.join(self.server.outdir, "%06d" % n)
        with open(base + ".eml", "w", encoding="latin-1") as f:
            f.write("\r\n".join(lines) + "\r\n")
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": self.mail_from, "rcpt_tos": self.rcpts,
                       "tls": self.tls, "auth_user": self.user}, f)
        self.mail_from, self.rcpts = None, []
        self.reply("250 2.0.0 accepted as %06d" % n)

    def handle(self):
        self.tls, self.user, self.mail_from, self.rcpts = False, None, None, []
        self.reply("220 xoauth2.example ESMTP test peer")
        while True:
            line = self.line()
            if line is None:
                return
            words = line.split()
            cmd = words[0].upper() if words else ""
            if cmd in ("EHLO", "HELO"):
                self.reply("250-xoauth2.example")
                self.reply("250-AUTH XOAUTH2" if self.tls else "250-STARTTLS")
                self.reply("250 8BITMIME")
            elif cmd == "STARTTLS" and not self.tls:
                self.starttls()
            elif cmd == "AUTH":
                self.auth(words[1:])
            elif cmd == "MAIL":
                if self.user is None:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                self.mail_from = line.split(":", 1)[1].strip().split()[0].strip("<>")
                self.reply("250 2.1.0 ok")
            elif cmd == "RCPT" and self.mail_from is not None:
                self.rcpts.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 2.1.5 ok")
            elif cmd == "DATA" and self.rcpts:
                self.data()
            elif cmd == "RSET":
                self.mail_from, self.rcpts = None, []
                self.reply("250 2.0.0 reset")
            elif cmd == "NOOP":
                self.reply("250 2.0.0 ok")
            elif cmd == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("503 5.5.1 bad sequence of commands")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    port, cert, key, tokens, outdir = sys.argv[1:6]
    server = Server(("127.0.0.1", int(port)), Session)
    server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.tls.load_cert_chain(cert, key)
    server.tokens, server.outdir = tokens, outdir
    server.seq = itertools.count(1)
    os.makedirs(outdir, exist_ok=True)
    print("READY", flush=True)
    server.serve_forever()
