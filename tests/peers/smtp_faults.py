#!/usr/bin/python3
"""A scripted SMTP peer for faults a real server will not produce on demand.

  smtp_faults.py PORT [--pipelining]    (plain SMTP on 127.0.0.1, no TLS, no AUTH)

RCPT TO an address starting with "reject" gets 550 5.1.1 (permanent);
one starting with "later" gets 451 4.3.0 (temporary); anything else 250,
and the message is accepted with 250 and discarded.  With --pipelining
it offers PIPELINING (RFC 2920) and, as that asks, answers DATA with 554
when no recipient was accepted; each transaction whose MAIL FROM and
DATA came in one read is reported on stdout as "PIPELINED <rcpt>", each
accepted message as "ACCEPTED <rcpts>".  Prints READY when listening;
stops on SIGTERM.
"""
import socketserver, sys

PIPELINING = "--pipelining" in sys.argv[2:]


class Session(socketserver.BaseRequestHandler):
    def reply(self, text):
        self.request.sendall((text + "\r\n").encode())

    def lines(self):
        """The client's lines, each with the number of the read it came in."""
        buf, reads = b"", 0
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            reads += 1
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                yield line.decode("latin-1").rstrip("\r"), reads

    def handle(self):
        self.reply("220 faults.example ESMTP test peer")
        data = False
        mail_read, rcpts = None, []
        for line, read in self.lines():
            if data:
                if line == ".":
                    data = False
                    self.reply("250 2.0.0 accepted")
                    print("ACCEPTED", " ".join(rcpts), flush=True)
                continue
            cmd = line.upper()
            if cmd.startswith(("EHLO", "HELO")):
                if PIPELINING:
                    self.reply("250-faults.example")
                    self.reply("250 PIPELINING")
                else:
                    self.reply("250 faults.example")
            elif cmd.startswith("MAIL FROM"):
                mail_read, rcpts = read, []
                self.reply("250 2.1.0 ok")
            elif cmd.startswith("RCPT TO"):
                addr = line.split(":", 1)[1].strip().strip("<>").lower()
                if addr.startswith("reject"):
                    self.reply("550 5.1.1 <%s>: no such user" % addr)
                elif addr.startswith("later"):
                    self.reply("451 4.3.0 try again later")
                else:
                    rcpts.append(addr)
                    self.reply("250 2.1.5 ok")
            elif cmd == "DATA":
                if PIPELINING and read == mail_read:
                    print("PIPELINED", " ".join(rcpts) or "-", flush=True)
                if PIPELINING and not rcpts:
                    self.reply("554 5.5.1 no valid recipients")
                    continue
                data = True
                self.reply("354 go ahead")
            elif cmd == "RSET":
                rcpts = []
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
