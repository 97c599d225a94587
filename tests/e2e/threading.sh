#!/bin/bash
# tests/e2e/threading.sh - plaint's threading against notmuch's expected
# threads.  The notmuch corpus (read in place from ../shared/corpus)
# ships the thread tree notmuch builds for corpora/default.  Every
# message goes through `plaint ingest` in order of its Date; a thread is
# right when all its messages are on one ticket and that ticket holds
# nothing else.  The figure is printed; a floor just below what plaint
# reaches today catches regressions.
set -u
cd "$(dirname "$0")/../.."
. tests/lib.sh
C=${CORPUS:-../shared/corpus}/notmuch
RULES_DIR=$PWD/rules
if [ ! -d "$C/corpora/default" ]; then
	echo "ok 1 # SKIP no notmuch corpus at $C"
	echo "1..1"
	exit 0
fi
W=$(mktemp -d "$GW_TMP/threading.XXXXXX")
export PGDATABASE=plaint_threading
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
write_conf "$W/plaint.conf" "$SMTP_PORT" ""
plaint_run threading-migrate -c "$W/plaint.conf" db migrate
ok $? "db migrate"

# In the order a mail server would have received them: by Date.
"$PY" - "$C/corpora/default" > "$W/order" <<'PYEOF'
import email, email.utils, os, sys
rows = []
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        with open(p, "rb") as fh:
            m = email.message_from_binary_file(fh)
        t = email.utils.parsedate_to_datetime(m["Date"]).timestamp()
        rows.append((t, p))
for t, p in sorted(rows):
    print(p)
PYEOF
failed=0
while IFS= read -r f; do
	plaint_run threading-ingest -c "$W/plaint.conf" ingest "$f" || failed=$((failed + 1))
done < "$W/order"
is "$failed" 0 "every message of corpora/default ingested ($(wc -l < "$W/order") files)"
is "$(sql "SELECT count(*) FROM plaint.messages WHERE direction = 'in'")" 52 \
	"52 distinct messages (two files are the same message)"

sql "SELECT m.message_id, m.ticket_id FROM plaint.messages m WHERE m.direction = 'in'" > "$W/tickets"
"$PY" - "$C" "$W/tickets" > "$W/result" <<'PYEOF'
import collections, email, email.header, email.utils, os, re, sys, datetime
corpus, tickets = sys.argv[1], sys.argv[2]
tree = os.path.join(corpus, "emacs-tree.expected-output", "notmuch-tree-tag-inbox")
# Expected: a thread starts at a line whose tree begins at the root.
# Columns: 2 blanks, the date, 2 blanks, the author in 20 (+2), then the
# tree, which starts right at column 36 for a thread's root.
threads = []
for line in open(tree, encoding="utf-8"):
    line = line.rstrip("\n")
    if not re.match(r"^  \d{4}-\d\d-\d\d  ", line) or "►" not in line:
        continue
    date, author = line[2:12], line[14:34].strip()
    rest = line[line.index("►") + 1:]
    subject = re.sub(r"\s+\([^)]*\)$", "", rest).strip()
    if line[36] in "┬─":
        threads.append([])
    threads[-1].append((date, author, subject))
# Messages: (date in UTC, author as notmuch shows it, first 20 chars).
def decode(v):
    return str(email.header.make_header(email.header.decode_header(v or "")))
msgs = {}
for d, _, files in os.walk(os.path.join(corpus, "corpora", "default")):
    for f in files:
        with open(os.path.join(d, f), "rb") as fh:
            m = email.message_from_binary_file(fh)
        mid = (m["Message-ID"] or "").strip().strip("<>")
        name, addr = email.utils.parseaddr(decode(m["From"]))
        when = email.utils.parsedate_to_datetime(m["Date"]).astimezone(datetime.timezone.utc)
        msgs[mid] = (when.strftime("%Y-%m-%d"), (name or addr)[:20].strip(), decode(m["Subject"]))
ticket_of = dict(l.rstrip("\n").split("|") for l in open(tickets) if "|" in l)
# Match each expected line to one message, the root's subject breaking ties.
unused = dict(msgs)
assigned = []
for t in threads:
    root_subject = t[0][2]
    ids = []
    for date, author, subject in t:
        cands = [k for k, v in unused.items() if v[0] == date and v[1] == author]
        if len(cands) > 1:
            want = root_subject if subject == "..." else subject
            best = [k for k in cands if want[:30] in unused[k][2]]
            cands = best or cands
        if not cands:
            print(f"unmatched {date} {author} {subject}")
            continue
        ids.append(cands[0])
        del unused[cands[0]]
    assigned.append((root_subject, ids))
owner = {}
for i, (_, ids) in enumerate(assigned):
    for mid in ids:
        owner[ticket_of.get(mid)] = owner.get(ticket_of.get(mid), set()) | {i}
right = split = merged = 0
for i, (subject, ids) in enumerate(assigned):
    tks = {ticket_of.get(mid) for mid in ids}
    if len(tks) > 1:
        split += 1
        print(f"not ok - split over {len(tks)} tickets: {subject}")
    elif len(owner[next(iter(tks))]) > 1:
        merged += 1
        print(f"not ok - merged with another thread: {subject}")
    else:
        right += 1
        print(f"ok - one ticket: {subject}")
print(f"# notmuch threading: {right} of {len(assigned)} threads right, {split} split, {merged} merged")
print(f"figure {right} {len(assigned)}")
PYEOF
grep '^#\|^unmatched' "$W/result"
is "$(grep -c '^unmatched' "$W/result")" 0 "every expected line is matched to a message"
grep '^ok - \|^not ok - ' "$W/result" | while IFS= read -r line; do echo "# thread: $line"; done
set -- $(sed -n 's/^figure //p' "$W/result")
# Today every one of the 24 threads of corpora/default is right.
ok "$([ "$2" -ge 20 ] && [ "$1" = "$2" ]; echo $?)" \
	"notmuch threading: $1 of $2 expected threads are exactly one ticket each"

# Corner cases: a reference loop must not hang, and both messages share
# one ticket; a ghost root (referenced, never seen) still joins its replies.
for f in "$C"/corpora/broken/loop/loop-12 "$C"/corpora/broken/loop/loop-21; do
	timeout 30 "$PLAINT" -c "$W/plaint.conf" ingest "$f" 2>> "$LOGDIR/threading-loop.err"
done
is "$(sql "SELECT count(DISTINCT ticket_id) || '/' || count(*) FROM plaint.messages
	WHERE message_id IN ('mid-loop-12@example.org', 'mid-loop-21@example.org')")" "1/2" \
	"a reference loop ends on one ticket, without hanging"
# A ghost root: five replies to <000-real-root@example.org> arrive before
# it.  They share one ticket; the root itself, arriving last with no
# reference, joins it: a reply filed first answers it.
for f in child fake-root grand-child grand-child2 great-grand-child real-root; do
	"$PLAINT" -c "$W/plaint.conf" ingest "$C/corpora/threading/ghost-root/$f" 2>> "$LOGDIR/threading-ghost.err"
done
is "$(sql "SELECT count(DISTINCT ticket_id) FROM plaint.messages WHERE message_id IN
	('001-child@example.org', '001-fake-message-root@example.org', '001-grand-child@example.org',
	 '001-grand-child2@example.org', '001-great-grand-child@example.org')")" 1 \
	"replies to a root plaint has not seen share one ticket"
is "$(sql "SELECT (r.ticket_id = c.ticket_id) || ' ' || (w.reason = format('message %s, a reply to it, was filed first: threaded onto %s', c.id, t.number))
	FROM plaint.messages r JOIN plaint.raw_messages w ON w.id = r.raw_id,
	     plaint.messages c JOIN plaint.tickets t ON t.id = c.ticket_id
	WHERE r.message_id = '000-real-root@example.org' AND c.message_id = '001-child@example.org'")" "true true" \
	"the root, arriving after its reply, joins the reply's ticket, and the ledger says why"

# Mail: the original and its reply from the same poll, on a real Dovecot
# and SMTP sink.  Each case in its own folder of alice's.
echo alicepw > "$GW_TMP/alice.pass"
mail() {	# FILE FROM SUBJECT MESSAGE-ID IN-REPLY-TO|- [REFERENCES]
	{
		printf 'From: %s\nTo: care@example.com\nSubject: %s\nMessage-ID: <%s>\n' "$2" "$3" "$4"
		[ "$5" != - ] && printf 'In-Reply-To: <%s>\nReferences: %s\n' "$5" "${6:-<$5>}"
		printf 'Date: Tue, 01 Dec 2026 10:00:00 +0000\n\nWritten as %s.\n' "$4"
	} > "$1"
}
deliver() {	# FOLDER FILE...
	local folder=$1; shift
	"$PY" tests/imap_append.py --port "$IMAP_PORT" --user alice --password alicepw \
		--folder "$folder" "$@" > /dev/null
}
poll() {	# NAME FOLDER [MAIL-SECTION]
	write_conf "$W/$1.conf" "$SMTP_PORT" "$(mailbox_section support "$IMAPS_PORT" tls alice '' "folder = $2")
${3:-}"
	plaint_run "threading-$1" -c "$W/$1.conf" once
}
acks_to() { sink_for "$1" | wc -l; }
tickets_of() {	# MESSAGE-ID...
	local ids
	ids=$(printf "'%s'," "$@")
	sql "SELECT count(DISTINCT ticket_id) || '/' || count(*) FROM plaint.messages WHERE message_id IN (${ids%,})"
}

# The reply came first (the original was held up on its way): the
# original joins the reply's ticket, and is not acknowledged again.
clear_folder alice alicepw Late
mail "$W/late-reply.eml" "Gus <gus.$$@example.org>" "Re: Where is my refund?" late-reply@example.org late-first@example.org
deliver Late "$W/late-reply.eml"
poll late-1 Late
mail "$W/late-first.eml" "Gus <gus.$$@example.org>" "Where is my refund?" late-first@example.org -
deliver Late "$W/late-first.eml"
poll late-2 Late
is "$(tickets_of late-reply@example.org late-first@example.org)" "1/2" \
	"an original filed after its reply joins the reply's ticket"
is "$(acks_to gus.$$@example.org)" 1 "one acknowledgement, for the reply that opened it"

# Both in one poll, filed side by side by two workers in batches of one,
# whichever is filed first held open by a trigger while the other is.
clear_folder alice alicepw Beside
hold_open tickets '%Held open' 2
mail "$W/held.eml" "Hal <hal.$$@example.org>" "Held open" held-first@example.org -
mail "$W/held-reply.eml" "Hal <hal.$$@example.org>" "Re: Held open" held-reply@example.org held-first@example.org
deliver Beside "$W/held.eml" "$W/held-reply.eml"
poll beside Beside "$(printf '[mail]\nworkers = 2\nfiling_batch = 1')"
release_held tickets '%Held open'
is "$(tickets_of held-first@example.org held-reply@example.org)" "1/2" \
	"an original and its reply filed side by side end on one ticket"
is "$(acks_to hal.$$@example.org)" 1 "with one acknowledgement"

# A thread of three, its last message first: the first then joins the
# last one's ticket (it names the first as the start of its thread), and
# the middle one follows.
clear_folder alice alicepw Chain
mail "$W/chain-3.eml" "Ivy <ivy.$$@example.org>" "Re: Re: Broken hinge" chain-3@example.org chain-2@example.org \
	"<chain-1@example.org> <chain-2@example.org>"
mail "$W/chain-1.eml" "Ivy <ivy.$$@example.org>" "Broken hinge" chain-1@example.org -
mail "$W/chain-2.eml" "Ivy <ivy.$$@example.org>" "Re: Broken hinge" chain-2@example.org chain-1@example.org
for n in 3 1 2; do
	deliver Chain "$W/chain-$n.eml"
	poll "chain-$n" Chain
done
is "$(tickets_of chain-1@example.org chain-2@example.org chain-3@example.org)" "1/3" \
	"a thread filed last message first ends on one ticket"
is "$(sql "SELECT r.reason FROM plaint.raw_messages r JOIN plaint.messages m ON m.raw_id = r.id WHERE m.message_id = 'chain-1@example.org'")" \
	"message $(sql "SELECT id FROM plaint.messages WHERE message_id = 'chain-3@example.org'"), a later message of its thread, was filed first: threaded onto $(sql "SELECT t.number FROM plaint.tickets t JOIN plaint.messages m ON m.ticket_id = t.id WHERE m.message_id = 'chain-3@example.org'")" \
	"the ledger says why the first message joined it"
is "$(acks_to ivy.$$@example.org)" 1 "one acknowledgement, for the last message that opened it"

# The first and the last side by side on two workers, the first held
# open; the middle one after.  The last is a colleague's, copied to the
# desk: mail of one sender waits for its own anyway.
clear_folder alice alicepw ChainBeside
hold_open tickets '%Hinge held open' 2
mail "$W/cb-1.eml" "Joe <joe.$$@example.org>" "Hinge held open" cb-1@example.org -
mail "$W/cb-3.eml" "Kay <kay.$$@example.org>" "Re: Re: Hinge held open" cb-3@example.org cb-2@example.org \
	"<cb-1@example.org> <cb-2@example.org>"
mail "$W/cb-2.eml" "Joe <joe.$$@example.org>" "Re: Hinge held open" cb-2@example.org cb-1@example.org
deliver ChainBeside "$W/cb-1.eml" "$W/cb-3.eml"
poll chain-beside ChainBeside "$(printf '[mail]\nworkers = 2\nfiling_batch = 1')"
release_held tickets '%Hinge held open'
deliver ChainBeside "$W/cb-2.eml"
poll chain-beside-2 ChainBeside
is "$(tickets_of cb-1@example.org cb-2@example.org cb-3@example.org)" "1/3" \
	"the first and last of a thread filed side by side, then the middle: one ticket"
is "$(($(acks_to joe.$$@example.org) + $(acks_to kay.$$@example.org)))" 1 "with one acknowledgement"

# A backlog in shuffled order: 100 customers, two complaints each, each
# answered by the customer, 400 messages filed by four workers in
# batches of three.  Half the replies come before what they answer.
clear_folder alice alicepw Shuffled
mkdir "$W/shuffled"
"$PY" - "$W/shuffled" "$$" <<'PYEOF'
import os, random, sys
out, run = sys.argv[1], sys.argv[2]
random.seed(7)
mails = []
for c in range(100):
    for k in range(2):
        first = f"s{run}-{c}-{k}@shuffled.example"
        for mid, answers, subject in ((first, None, f"Order {c}-{k} is broken"),
                                      ("re-" + first, first, f"Re: Order {c}-{k} is broken")):
            head = (f"From: Customer {c} <c{c}.{run}@shop{c % 7}.example>\nTo: care@example.com\n"
                    f"Subject: {subject}\nMessage-ID: <{mid}>\n")
            if answers:
                head += f"In-Reply-To: <{answers}>\nReferences: <{answers}>\n"
            mails.append(head + f"Date: Tue, 01 Dec 2026 10:00:00 +0000\n\nAbout {mid}.\n")
random.shuffle(mails)
for i, text in enumerate(mails):
    with open(os.path.join(out, f"{i:03d}.eml"), "w") as f:
        f.write(text)
PYEOF
deliver Shuffled "$W"/shuffled/*.eml
poll shuffled Shuffled "$(printf '[mail]\nworkers = 4\nfiling_batch = 3')"
is "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE n = 1) FROM (SELECT count(DISTINCT ticket_id) AS n
	FROM plaint.messages WHERE message_id LIKE '%s$$-%@shuffled.example' GROUP BY regexp_replace(message_id, '^re-', '')) x")" \
	"200 200" "a shuffled backlog filed by four workers: each of 200 conversations on one ticket"
is "$(sql "SELECT count(DISTINCT t.id) || '/' || count(o.id) FROM plaint.tickets t JOIN plaint.customers c ON c.id = t.customer_id
	LEFT JOIN plaint.outbox o ON o.ticket_id = t.id AND o.kind = 'ack' WHERE c.email LIKE 'c%.$$@shop_.example'")" \
	"200/200" "200 tickets, and one acknowledgement each"

tap_done
