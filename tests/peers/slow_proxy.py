"""A TCP relay on loopback that makes a link slow, for tests.

  /usr/bin/python3 tests/peers/slow_proxy.py --upstream PORT --rate BYTES
      [--stats FILE]

Listens on a free 127.0.0.1 port and prints it ("PORT <n>") on stdout,
then relays every connection to 127.0.0.1:PORT.  What the server sends
the client is passed on at no more than BYTES per second, in slices of
a tenth of that; what the client sends goes through at once.  After
each slice, FILE (if given) is rewritten with one line:
"<connections> <bytes to client> <bytes to server>", so a test can see
how much was downloaded, and when a download is under way.

A real server cannot be made slow on demand; this relay is the fault a
slow network injects.  Runs until killed.
"""
import argparse
import asyncio
import os
import sys


class Stats:
    def __init__(self, path):
        self.path = path
        self.connections = 0
        self.down = 0
        self.up = 0

    def write(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{self.connections} {self.down} {self.up}\n")
        os.replace(tmp, self.path)


async def pump(reader, writer, stats, rate, downstream):
    slice_bytes = max(1, rate // 10) if rate else 65536
    try:
        while True:
            data = await reader.read(slice_bytes)
            if not data:
                break
            writer.write(data)
            await writer.drain()
            if downstream:
                stats.down += len(data)
            else:
                stats.up += len(data)
            stats.write()
            if downstream and rate:
                await asyncio.sleep(len(data) / rate)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", type=int, required=True)
    ap.add_argument("--rate", type=int, required=True,
                    help="bytes per second from server to client; 0: no limit")
    ap.add_argument("--stats")
    args = ap.parse_args()
    stats = Stats(args.stats)
    stats.write()

    async def relay(creader, cwriter):
        stats.connections += 1
        stats.write()
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", args.upstream)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, swriter, stats, 0, False),
                             pump(sreader, cwriter, stats, args.rate, True))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
