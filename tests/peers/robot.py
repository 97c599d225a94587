"""A robot that answers every mail it gets, from a new address each time.

  /usr/bin/python3 tests/peers/robot.py --port IMAP_PORT --folder FOLDER
      --sink DIR --domain DOMAIN --seconds N [--vary] [--user alice]
      [--password alicepw]

Watches the SMTP sink's directory (NAME.json, with "rcpt_tos", beside
NAME.eml) for mail to an address at DOMAIN, and answers each one at once
by APPENDing to FOLDER of the test Dovecot (plain IMAP on 127.0.0.1), as
if it had come in by mail: From bot+N@DOMAIN, N new each time, the
subject "Re: " and the one it answers (with its ticket tag), the mail
it answers quoted, and no Auto-Submitted, Precedence, In-Reply-To or
References: nothing a loop guard can see.  --vary words each answer
differently.  Starts by sending one of its own (bot+0) and stops after
N seconds; prints "answered <count>".

A real robot of this kind is what a loop with a ticketing system looks
like; no server can be asked to be one.
"""
import argparse
import email
import email.policy
import glob
import imaplib
import json
import os
import random
import sys
import time

WORDS = ("order parcel refund invoice account delivery warranty kettle "
         "fridge washer payment billing courier address colour size").split()


def message(domain, n, subject, quoted, vary):
    text = "Thank you for your message. This mailbox is not read; " \
           "our team will answer within five working days.\n"
    if vary:
        text += " ".join(random.choice(WORDS) for _ in range(12)) + f" {n}\n"
    text += f"Reference RB-{n:06d}\n\n"
    text += "".join("> " + line + "\n" for line in quoted.splitlines())
    return (f"From: Service Robot <bot+{n}@{domain}>\r\n"
            f"To: care@example.com\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <robot-{n}-{time.time_ns()}@{domain}>\r\n"
            f"Date: {email.utils.formatdate()}\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            + text.replace("\n", "\r\n")).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--folder", required=True)
    ap.add_argument("--sink", required=True)
    ap.add_argument("--domain", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--vary", action="store_true")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="alicepw")
    args = ap.parse_args()

    imap = imaplib.IMAP4("127.0.0.1", args.port)
    imap.login(args.user, args.password)
    seen = set(glob.glob(os.path.join(args.sink, "*.json")))
    n = 0
    imap.append(args.folder, None, None,
                message(args.domain, n, "Problem with my order", "", args.vary))
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        for j in sorted(set(glob.glob(os.path.join(args.sink, "*.json"))) - seen):
            seen.add(j)
            try:
                with open(j) as f:
                    meta = json.load(f)
                if not any(r.lower().endswith("@" + args.domain)
                           for r in meta.get("rcpt_tos", [])):
                    continue
                with open(j[:-5] + ".eml", "rb") as f:
                    got = email.message_from_binary_file(f, policy=email.policy.default)
            except (OSError, ValueError):
                continue
            body = got.get_body(preferencelist=("plain",))
            quoted = body.get_content() if body is not None else ""
            n += 1
            imap.append(args.folder, None, None,
                        message(args.domain, n, "Re: " + str(got["Subject"] or ""),
                                quoted, args.vary))
        time.sleep(0.05)
    imap.logout()
    print("answered", n)


if __name__ == "__main__":
    sys.exit(main())
