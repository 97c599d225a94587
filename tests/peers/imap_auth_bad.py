#!/usr/bin/python3
"""A scripted IMAP peer that answers AUTHENTICATE with a tagged BAD.

  imap_auth_bad.py PORT LOG     (plain IMAP on 127.0.0.1, no TLS)

Dovecot answers a well-formed XOAUTH2 attempt with NO, never BAD, so
this peer stands in for servers that do.  It offers AUTH=XOAUTH2 and
SASL-IR, answers any AUTHENTICATE with "TAG BAD", LOGOUT with BYE and
OK, anything else with BAD.  Each AUTHENTICATE adds its mechanism as a
line to LOG (the initial response, which holds the token, is never
written).
Prints READY when listening.
"""
import socketserver
import sys


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())

    def handle(self):
        self.reply("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] test peer ready")
        for raw in self.rfile:
            words = raw.decode("latin-1").rstrip("\r\n").split(" ")
            tag = words[0]
            cmd = words[1].upper() if len(words) > 1 else ""
            if cmd == "AUTHENTICATE":
                with open(self.server.log, "a") as f:
                    f.write("AUTHENTICATE %s\n" % (words[2].upper() if len(words) > 2 else ""))
                self.reply(tag + " BAD [CLIENTBUG] This server wants something else")
            elif cmd == "LOGOUT":
                self.reply("* BYE logging out")
                self.reply(tag + " OK done")
                return
            else:
                self.reply(tag + " BAD unexpected command")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", int(sys.argv[1])), Session)
    server.log = sys.argv[2]
    print("READY", flush=True)
    server.serve_forever()
