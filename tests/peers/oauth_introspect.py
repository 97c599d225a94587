#!/usr/bin/python3
"""A token introspection endpoint (RFC 7662) for the test Dovecot's oauth2 passdb.

  oauth_introspect.py PORT TOKENS LOG

Listens on 127.0.0.1:PORT.  A POST with the form field token=... is
answered from TOKENS, read anew on every request: one "TOKEN USER STATE"
line per token, STATE being "active" or anything else (e.g. "expired").
A known active token gets {"active": true, "username": USER}; any other
token {"active": false}.  Each answer is appended to LOG as "USER active"
or "- inactive" (never the token itself).  Prints READY when listening.
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def lookup(path, token):
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 3 and fields[0] == token:
                return fields[1], fields[2] == "active"
    return None, False


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        token = form.get("token", [""])[0]
        user, active = lookup(self.server.tokens, token)
        answer = {"active": True, "username": user} if active else {"active": False}
        with open(self.server.log, "a", encoding="utf-8") as f:
            f.write("%s active\n" % user if active else "- inactive\n")
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass    # the request line may carry nothing secret, but keep quiet


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.tokens, server.log = sys.argv[2], sys.argv[3]
    print("READY", flush=True)
    server.serve_forever()
