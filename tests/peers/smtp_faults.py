#!/usr/bin/python3
"""A scripted SMTP peer for faults a real server will not produce on demand.

  smtp_faults.py PORT     (plain SMTP on 127.0.0.1, no TLS, no AUTH)

RCPT TO an address starting with "reject" gets 550 5.1.1 (permanent);
one starting with "later" gets 451 4.3.0 (temporary); anything else 250,
and the message is accepted with 250 and discarded.  Prints READY when
listening; stops on SIGTERM.
"""
import socket, socketserver, sys


class Session(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())

    def handle(self):
        self.reply("220 faults.example ESMTP test peer")
        data = False
        for raw in self.rfile:
            line = raw.decode("latin-1").rstrip("\r\n")
            if data:
                if line == ".":
                    data = False
                    self.reply("250 2.0.0 accepted")
                continue
            cmd = line.upper()
            if cmd.startswith(("EHLO", "HELO")):
                self.reply("250 faults.example")
            elif cmd.startswith("MAIL FROM"):
                self.reply("250 2.1.0 ok")
            elif cmd.startswith("RCPT TO"):
                addr = line.split(":", 1)[1].strip().strip("<>").lower()
                if addr.startswith("reject"):
                    self.reply("550 5.1.1 <%s>: no such user" % addr)
                elif addr.startswith("later"):
                    self.reply("451 4.3.0 try again later")
                else:
                    self.reply("250 2.1.5 ok")
            elif cmd == "DATA":
                data = True
                self.reply("354 go ahead")
            elif cmd == "RSET":
                self.reply("250 2.0.0 reset")
            elif cmd == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("502 5.5.2 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", int(sys.argv[1])), Session)
    print("READY", flush=True)
    server.serve_forever()
