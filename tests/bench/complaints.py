"""Complaint mail for the benchmarks: varied, realistic, reproducible.

  /usr/bin/python3 tests/bench/complaints.py small DIR COUNT [PREFIX]
      COUNT complaints of about 3 KB each as DIR/000001.eml ...: each one
      from its own customer (so that no rate limit holds an ack back),
      with its own Message-ID, order number and amounts, its text put
      together from paragraphs on one to three topics (billing, delivery,
      damage, faults, service, cancellation, privacy, legal) and some
      with a quoted earlier reply.  Some are multipart/alternative with
      an HTML part, some quoted-printable.  PREFIX (default "bench")
      goes into the Message-IDs and addresses, so that several sets can
      share one database.
  /usr/bin/python3 tests/bench/complaints.py large FILE SIZE
      One complaint of SIZE bytes: a text part, an HTML part and three
      attachments (a PDF, a JPEG and a spreadsheet; random bytes, base64
      encoded) that make up the rest.

The same arguments give the same bytes on every run (fixed seed).  Lines
end in CRLF, as on the wire.
"""
import base64
from html import escape
import os
import quopri
import random
import sys

OPENINGS = [
    "Dear customer service team,",
    "Hello,",
    "To whom it may concern,",
    "Hi there,",
    "Dear Sir or Madam,",
    "Good afternoon,",
]

TOPICS = {
    "billing": [
        "I am writing because my card was charged twice for order number "
        "{order}. The first payment of {amount} went through on {date} and "
        "a second, identical payment appeared two days later. I only placed "
        "one order and I have the confirmation email to prove it.",
        "Your invoice {invoice} lists a delivery charge of {small} although "
        "the checkout page clearly said delivery was free for orders over "
        "fifty pounds. I have a screenshot of the basket showing the total "
        "before I paid, and it does not match what you took.",
        "I would like a full refund of the duplicate payment as soon as "
        "possible. My bank tells me they cannot reverse it themselves while "
        "the merchant shows it as settled, so it has to come from you.",
        "This is the third time I have had to chase a refund with your "
        "company. Last year a returned jacket took seven weeks to be "
        "credited and I had to phone four times before anyone looked at it.",
        "Please send me a corrected invoice and confirm in writing when the "
        "money will be back on my account. I do not want a voucher or store "
        "credit; I want the money back on the card I paid with.",
    ],
    "delivery": [
        "My parcel for order {order} was supposed to arrive on {date}. The "
        "tracking page has said 'out for delivery' for six days now and "
        "nothing has come. Nobody knocked, there was no card through the "
        "door and my neighbours have not taken anything in for me.",
        "The courier marked the package as delivered at 14:12 while I was at "
        "home all afternoon working at the kitchen table next to the front "
        "door. It has not arrived. I suspect it was left at the wrong "
        "address or simply thrown over a fence somewhere.",
        "I paid {small} extra for next-day delivery because the item was a "
        "birthday present. It still has not arrived, the birthday has come "
        "and gone, and I would at least expect the express charge back.",
        "When I called your helpline I was told the shipment was lost in "
        "the depot and that a replacement would be sent within two working "
        "days. That was over a week ago and the tracking number I was given "
        "does not exist according to the courier's own website.",
    ],
    "damage": [
        "The box arrived crushed on one side and soaked through, and the "
        "kettle inside was damaged in transit: the lid hinge is snapped and "
        "the base has a crack along the bottom. I took photos before "
        "unpacking it further, which I can send if you need them.",
        "When I opened the package the glass panel of the cabinet was "
        "smashed into pieces. The packaging was a single layer of cardboard "
        "with no padding at all, which is frankly not good enough for "
        "something this fragile and this expensive.",
        "Two of the six plates in the set arrived broken and a third is "
        "chipped on the rim. I would like the whole set replaced rather than "
        "single plates, as the pattern is different in the newer batch.",
    ],
    "fault": [
        "The washing machine (model {model}) stopped working after eleven "
        "days. It shows error code E21 and will not drain. I followed every "
        "step in the troubleshooting section of the manual without success. "
        "It is well within the two-year warranty.",
        "The headphones I bought from you are faulty: the left side cuts out "
        "whenever the cable is moved, and now it does not work at all. This "
        "is the replacement pair, the first one had exactly the same defect.",
        "Since the last firmware update the thermostat no longer holds its "
        "schedule and heats the house at three in the morning. Resetting it "
        "to factory settings did not help, and your app just shows a "
        "spinning wheel whenever I open the schedule page.",
    ],
    "service": [
        "I tried to sort this out on the phone yesterday. After forty "
        "minutes on hold the agent I spoke to was rude, talked over me and "
        "finally hung up while I was still explaining the problem. I would "
        "like this call to be reviewed by a manager.",
        "Your chat assistant keeps sending me the same three articles and "
        "never passes me to a person. I have now opened four chats about the "
        "same issue and each time I had to explain everything from the "
        "beginning, including my order number and address.",
        "Nobody has answered my two previous emails, sent on {date} and a "
        "week before that. An automatic reply promised an answer within 48 "
        "hours; it has been much longer than that.",
    ],
    "cancellation": [
        "I asked to cancel my subscription (customer number {cust}) on "
        "{date}, well before the renewal date, and received a confirmation. "
        "You charged me {amount} for another year anyway. Please cancel it "
        "properly and reverse the charge.",
        "I want to cancel order {order} before it is dispatched. The website "
        "will not let me do it because the order is 'being processed', "
        "which it has apparently been for five days now.",
        "Please close my account and stop all further direct debits. I do "
        "not wish to receive any more offers or renewal reminders from you.",
    ],
    "privacy": [
        "Under the GDPR I ask you to erase all personal data you hold about "
        "me, and to confirm in writing that this has been done. I also want "
        "to know which third parties you passed my address and phone number "
        "to, since I have started getting calls about your products.",
        "I never gave consent to marketing emails, yet I receive three a "
        "week despite unsubscribing twice. Please remove me from every "
        "mailing list and tell me where you got my address from.",
    ],
    "legal": [
        "If this is not resolved within fourteen days I will take legal "
        "action and file a claim in the small claims court for the full "
        "amount plus my costs. I have kept copies of all our correspondence.",
        "I have already spoken to my solicitor, who advised me to give you "
        "one final chance to put this right before we proceed. I will also "
        "report you to trading standards and the ombudsman.",
        "Consider this a formal letter before action. I expect a full "
        "response, not another template reply, by the end of this month.",
    ],
}

CLOSINGS = [
    "I look forward to your prompt reply.",
    "Please treat this as urgent.",
    "I hope we can sort this out quickly.",
    "Thank you in advance for your help.",
    "I expect to hear from you within a few days.",
]

FIRST = ["Maria", "James", "Aisha", "Tomasz", "Chloe", "Daniel", "Priya",
         "Liam", "Sofia", "Oliver", "Hannah", "Mehmet", "Grace", "Lukas",
         "Emma", "Kwame", "Isabel", "Noah", "Freya", "Rahul"]
LAST = ["Lindqvist", "O'Neill", "Khan", "Nowak", "Dubois", "Schmidt",
        "Patel", "Murphy", "Rossi", "Hughes", "Becker", "Yilmaz", "Taylor",
        "Fischer", "Clarke", "Mensah", "Garcia", "Walker", "Jensen", "Shah"]

SUBJECTS = {
    "billing": ["Charged twice for order {order}", "Refund still missing",
                "Wrong amount on invoice {invoice}"],
    "delivery": ["Where is my parcel? Order {order}", "Delivery never arrived",
                 "Tracking says delivered, nothing here"],
    "damage": ["Item arrived broken", "Damaged delivery, order {order}"],
    "fault": ["Faulty product after two weeks", "Warranty claim: {model}"],
    "service": ["Complaint about your customer service", "No answer to my emails"],
    "cancellation": ["Cancel my subscription", "Please cancel order {order}"],
    "privacy": ["GDPR erasure request", "Stop sending me marketing"],
    "legal": ["Final notice before legal action", "Formal complaint"],
}

TARGET = 3000          # bytes per small message, headers included


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def wrap(par, width=72):
    """Fills each line of par to width; quoted lines ("> ") stay as they are."""
    out = []
    for line in par.split("\n"):
        if line.startswith(">"):
            out.append(line)
            continue
        cur = ""
        for w in line.split():
            if cur and len(cur) + 1 + len(w) > width:
                out.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
        out.append(cur)
    return "\n".join(out)


def facts(rng):
    return {
        "order": f"{rng.randint(10000, 99999)}{rng.randint(0, 9)}",
        "invoice": f"INV-{rng.randint(100000, 999999)}",
        "amount": f"£{rng.randint(20, 400)}.{rng.randint(0, 99):02d}",
        "small": f"£{rng.randint(3, 15)}.{rng.choice(['00', '49', '95', '99'])}",
        "date": f"{rng.randint(1, 28)} {rng.choice(['March', 'April', 'May', 'June'])}",
        "model": f"{rng.choice(['WM', 'HX', 'TH'])}-{rng.randint(100, 999)}",
        "cust": f"{rng.randint(1000000, 9999999)}",
    }


def body_text(rng, f, name):
    """The main topic, the paragraphs of the story, those of the ending
    (closing, signature, maybe a quoted reply) and spare paragraphs for
    padding (unused ones of the chosen topics first)."""
    topics = rng.sample(sorted(TOPICS), rng.randint(1, 3))
    pars, spare = [rng.choice(OPENINGS)], []
    for i, t in enumerate(topics):
        pool = TOPICS[t][:]
        rng.shuffle(pool)
        take = 3 if i == 0 else 1
        pars += pool[:take]
        spare += pool[take:]
    rest = [p for t in sorted(TOPICS) if t not in topics for p in TOPICS[t]]
    rng.shuffle(rest)
    spare = [p.format(**f) for p in spare + rest]
    ending = [rng.choice(CLOSINGS), f"Kind regards,\n{name}"]
    if rng.random() < 0.4:
        quoted = ("Thank you for contacting us. We are sorry to hear about "
                  "your experience. Your case has been passed to the "
                  "relevant team, who will be in touch shortly.")
        ending.append("On " + f["date"] + ", Customer Care wrote:\n" +
                      "\n".join("> " + l for l in wrap(quoted, 70).split("\n")))
    return (topics[0], [p.format(**f) for p in pars],
            [p.format(**f) for p in ending], spare)


def headers(i, prefix, name, addr, subject, ctype, extra=""):
    return (f"Return-Path: <{addr}>\n"
            f"Received: from mail.example.net (mail.example.net [192.0.2.{i % 250 + 1}])\n"
            f"\tby mx.example.com with ESMTPS id {prefix}{i:08x}\n"
            f"\tfor <care@example.com>; Sun, 22 Nov 2026 10:{i // 60 % 60:02d}:{i % 60:02d} +0000\n"
            f"From: {name} <{addr}>\n"
            "To: Customer Care <care@example.com>\n"
            f"Subject: {subject}\n"
            f"Date: Sun, 22 Nov 2026 10:{i // 60 % 60:02d}:{i % 60:02d} +0000\n"
            f"Message-ID: <{prefix}-{i}@mail.example.net>\n"
            "MIME-Version: 1.0\n"
            f"{extra}Content-Type: {ctype}\n")


def small(i, prefix):
    rng = random.Random(f"{prefix}-{i}")
    f = facts(rng)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    addr = f"{prefix}.{i}@mail.example.net"
    topic, story, ending, spare = body_text(rng, f, name)
    pars = story + ending
    story_end = len(story)
    subject = rng.choice(SUBJECTS[topic]).format(**f)
    kind = i % 5        # 0, 1, 2: plain 8bit; 3: quoted-printable; 4: alternative
    text = "\n\n".join(wrap(p) for p in pars)
    while True:
        if kind == 4:
            html = "".join(f"<p>{escape(p)}</p>\n" for p in pars)
            msg = headers(i, prefix, name, addr, subject,
                          'multipart/alternative; boundary="alt-' + str(i) + '"') + (
                f"\n--alt-{i}\nContent-Type: text/plain; charset=utf-8\n"
                f"Content-Transfer-Encoding: 8bit\n\n{text}\n"
                f"--alt-{i}\nContent-Type: text/html; charset=utf-8\n"
                f"Content-Transfer-Encoding: 8bit\n\n<html><body>\n{html}</body></html>\n"
                f"--alt-{i}--\n")
        elif kind == 3:
            qp = quopri.encodestring(text.encode("utf-8")).decode("ascii")
            msg = headers(i, prefix, name, addr, subject, "text/plain; charset=utf-8",
                          "Content-Transfer-Encoding: quoted-printable\n") + "\n" + qp + "\n"
        else:
            msg = headers(i, prefix, name, addr, subject, "text/plain; charset=utf-8",
                          "Content-Transfer-Encoding: 8bit\n") + "\n" + text + "\n"
        raw = crlf(msg).encode("utf-8")
        if len(raw) >= TARGET - 150:
            break
        # Too short: one more paragraph at the end of the story.
        pars.insert(story_end, spare.pop(0))
        story_end += 1
        text = "\n\n".join(wrap(p) for p in pars)
    return raw


def large(size):
    rng = random.Random(f"large-{size}")
    f = facts(rng)
    name = "Maria Lindqvist"
    _, story, ending, _ = body_text(rng, f, name)
    pars = story + ending
    text = crlf("\n\n".join(wrap(p) for p in pars) + "\n")
    html = crlf("<html><body>\n" + "".join(f"<p>{escape(p)}</p>\n" for p in pars) +
                "</body></html>\n")
    head = crlf(headers(1, "large", name, "maria@mail.example.net",
                        "Photos and documents for my claim, order " + f["order"],
                        'multipart/mixed; boundary="mixed-1"'))
    parts = [crlf("\n--mixed-1\nContent-Type: multipart/alternative; boundary=\"alt-1\"\n\n"
                  "--alt-1\nContent-Type: text/plain; charset=utf-8\n\n") + text,
             crlf("--alt-1\nContent-Type: text/html; charset=utf-8\n\n") + html,
             crlf("--alt-1--\n")]
    files = [("claim.pdf", "application/pdf", 0.30), ("IMG_2041.jpg", "image/jpeg", 0.45),
             ("receipts.xlsx",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0.25)]
    room = size - len(head) - sum(len(p) for p in parts) - len(crlf("\n--mixed-1--\n"))
    for fname, ctype, share in files:
        head_k = crlf(f"\n--mixed-1\nContent-Type: {ctype}; name=\"{fname}\"\n"
                      f"Content-Disposition: attachment; filename=\"{fname}\"\n"
                      "Content-Transfer-Encoding: base64\n\n")
        # base64 lines of 76 characters and CRLF carry 57 bytes each.
        nbytes = max(0, int(room * share) - len(head_k)) * 57 // 78
        enc = base64.encodebytes(rng.randbytes(nbytes)).replace(b"\n", b"\r\n")
        parts.append(head_k + enc.decode("ascii"))
    parts.append(crlf("\n--mixed-1--\n"))
    raw = (head + "".join(parts)).encode("utf-8")
    return raw


def main(argv):
    if len(argv) >= 4 and argv[1] == "small":
        out, count = argv[2], int(argv[3])
        prefix = argv[4] if len(argv) > 4 else "bench"
        os.makedirs(out, exist_ok=True)
        for i in range(1, count + 1):
            with open(os.path.join(out, f"{i:06d}.eml"), "wb") as fh:
                fh.write(small(i, prefix))
        return 0
    if len(argv) == 4 and argv[1] == "large":
        with open(argv[2], "wb") as fh:
            fh.write(large(int(argv[3])))
        return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
