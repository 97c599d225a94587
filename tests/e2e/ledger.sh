#!/bin/bash
# tests/e2e/ledger.sh - the whole third-party corpus through a real
# mailbox: every message the server holds ends in exactly one recorded
# outcome, and no message a person wrote is dropped or lost.
#
# Reads ../shared/corpus in place ($CORPUS overrides): every single-message
# file, and every message of its mbox files, is APPENDed to a Dovecot
# folder; `plaint once` fetches and files them all.  Then the ledger
# (plaint.intake) is compared with what was APPENDed.  Machine-written
# mail is Sisimai's maildir/bsd and maildir/dos (bounces, auto-replies,
# feedback reports); everything else was written by people.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
: "${LOGDIR:=$(mktemp -d)}"
C=${CORPUS:-../shared/corpus}
if [ ! -d "$C/sisimai-set-of-emails" ]; then
	echo "ok 1 # SKIP no corpus at $C"
	echo "1..1"
	exit 0
fi
RULES_DIR=$PWD/rules
W=$(mktemp -d "$GW_TMP/ledger.XXXXXX")
export PGDATABASE=plaint_ledger
echo alicepw > "$GW_TMP/alice.pass"
CONF=$W/plaint.conf
write_conf "$CONF" "$SMTP_PORT" "$(mailbox_section corpus "$IMAPS_PORT" tls alice '' 'folder = Corpus
batch = 500
start = all')"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDATABASE" -c "CREATE DATABASE $PGDATABASE" 2>/dev/null
clear_folder alice alicepw Corpus
plaint_run ledger-migrate -c "$CONF" db migrate
ok $? "db migrate"

# Every message, as the server would hold it: single files whole, mbox
# files split (the "From " line is the mbox's, not the message's).
"$PY" - "$C" "$W/msgs" > "$W/list" <<'PYEOF'
import mailbox, os, sys
corpus, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
skip_names = (".md", ".tsv", ".xml", ".out")
n = 0
def emit(label, data):
    global n
    n += 1
    path = os.path.join(out, "%05d.eml" % n)
    with open(path, "wb") as f:
        f.write(data)
    print(path, label, sep="\t")
for root, dirs, files in sorted(os.walk(corpus)):
    dirs.sort()
    for name in sorted(files):
        p = os.path.join(root, name)
        rel = os.path.relpath(p, corpus)
        if name.endswith(skip_names) or "_decoded_" in name or name.startswith("notmuch-tree-"):
            continue
        if "/output/" in p or "gmime/data/mbox/" in p and "/input/" not in p:
            continue
        is_mbox = name.endswith((".mbox", ".mbox.txt")) or name.startswith("mbox.")
        if is_mbox:
            for i, key in enumerate(mailbox.mbox(p, create=False).keys()):
                emit("%s#%d" % (rel, i), mailbox.mbox(p, create=False).get_bytes(key))
        else:
            with open(p, "rb") as f:
                emit(rel, f.read())
PYEOF
total=$(wc -l < "$W/list")
ok "$([ "$total" -ge 1300 ]; echo $?)" "the corpus holds $total messages"

# APPEND each; the server may refuse a few (an empty file, NUL bytes): it
# never holds those, so they are not plaint's to file.
"$PY" - "$IMAP_PORT" "$W/list" > "$W/appended" 2> "$W/refused" <<'PYEOF'
import imaplib, re, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("alice", "alicepw")
m.create("Corpus")
for line in open(sys.argv[2]):
    path, label = line.rstrip("\n").split("\t")
    raw = open(path, "rb").read()
    raw = re.sub(rb"(?<!\r)\n", b"\r\n", raw)
    try:
        typ, data = m.append("Corpus", None, None, raw)
    except imaplib.IMAP4.error as e:
        typ, data = "NO", [str(e).encode()]
    if typ != "OK":
        print(label, data[0].decode(errors="replace"), sep="\t", file=sys.stderr)
        continue
    uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1).decode()
    print(uid, label, sep="\t")
m.logout()
PYEOF
appended=$(wc -l < "$W/appended")
echo "# APPENDed $appended of $total; the server refused $(wc -l < "$W/refused"):"
sed 's/^/#   refused: /' "$W/refused"
ok "$([ "$appended" -ge $((total - 10)) ]; echo $?)" "the server holds $appended messages"

timeout 900 "$PLAINT" -c "$CONF" once >> "$LOGDIR/ledger-once.out" 2>> "$LOGDIR/ledger-once.err"
ok $? "plaint once over the whole corpus"

sql "COPY (SELECT r.uid, r.state, coalesce(r.outcome, '-'), coalesce(replace(r.reason, E'\t', ' '), ''),
		  coalesce(r.dropped_by, ''),
		  CASE WHEN EXISTS (SELECT FROM plaint.events e WHERE e.kind = 'ack_queued'
				      AND (e.detail->>'in_reply_to_row')::bigint = m.id) THEN 'ack'
		       ELSE coalesce(m.ack_suppressed, 'none') END
	    FROM plaint.raw_messages r LEFT JOIN plaint.messages m ON m.raw_id = r.id
	   WHERE r.mailbox = 'corpus') TO STDOUT" > "$W/ledger"
"$PY" - "$W/appended" "$W/ledger" tests/corpus/KNOWN.md <<'PYEOF' > "$W/report"
import collections, sys
labels = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]))
rows = {}
for l in open(sys.argv[2]):
    uid, state, outcome, reason, dropped_by, ack = (l.rstrip("\n").split("\t") + [""] * 6)[:6]
    rows[uid] = (state, outcome, reason, dropped_by, ack)
known = open(sys.argv[3]).read()
def machine(label):
    return label.startswith("sisimai-set-of-emails/maildir/bsd/") or \
           label.startswith("sisimai-set-of-emails/maildir/dos/")
counts = collections.Counter(o for _, o, _, _, _ in rows.values())
missing = [labels[u] for u in labels if u not in rows]
extra = [u for u in rows if u not in labels]
print("stored", len(rows), "appended", len(labels), "missing", len(missing), "extra", len(extra))
print("outcomes", " ".join("%s=%d" % kv for kv in sorted(counts.items())))
human_lost = []
quarantined = []
for u, label in sorted(labels.items(), key=lambda x: x[1]):
    state, outcome, reason, dropped_by, ack = rows.get(u, ("-", "-", "", "", ""))
    if outcome == "quarantined":
        quarantined.append("%s: %s" % (label, reason))
    if not machine(label) and outcome not in ("ticket", "duplicate", "bounce"):
        human_lost.append("%s: %s %s %s" % (label, outcome, reason, dropped_by))
print("human_lost", len(human_lost))
for h in human_lost:
    print("  lost:", h)
print("quarantined", len(quarantined))
for q in quarantined:
    print("  quarantined:", q)
# The loop guard on the machine mail, as the daemon decided it.
acked = [labels[u] for u in labels if machine(labels[u]) and rows.get(u, ("",) * 5)[4] == "ack"]
unexplained = [a for a in acked if a.split("maildir/")[-1] not in known]
machine_n = sum(1 for l in labels.values() if machine(l))
print("machine", machine_n, "acknowledged", len(acked), "unexplained", len(unexplained))
for a in acked:
    print("  acknowledged:", a)
not_bounce = [u for u, l in labels.items() if "maildir/not/is-not-bounce" in l]
print("people_in_sisimai_acknowledged", sum(1 for u in not_bounce if rows.get(u, ("",) * 5)[4] == "ack"),
      "of", len(not_bounce))
PYEOF
sed 's/^/# /' "$W/report"
line() { grep "^$1 " "$W/report"; }
set -- $(line stored)
is "$2" "$appended" "every message the server holds was stored ($2 of $appended)"
is "$6" 0 "none is missing"
is "$(sql "SELECT count(*) FROM plaint.raw_messages WHERE mailbox = 'corpus' AND (state = 'new' OR outcome IS NULL)")" 0 \
	"every stored message has an outcome"
is "$(sql "SELECT sum(messages) FROM plaint.intake_summary WHERE mailbox = 'corpus'")" "$appended" \
	"the ledger's messages are the messages APPENDed"
is "$(sql "SELECT sum(ticket + bounce + duplicate + dropped + quarantined + waiting) FROM plaint.intake_summary WHERE mailbox = 'corpus'")" \
	"$appended" "and its outcomes add up to them"
set -- $(line human_lost)
is "$2" 0 "no message a person wrote is dropped, quarantined or lost"
set -- $(line quarantined)
is "$2" 0 "nothing is quarantined: every message the server holds has text"
set -- $(line machine)
machine_n=$2 acked=$4 unexplained=$6
ok "$([ "$acked" -le 1 ] && [ "$unexplained" = 0 ]; echo $?)" \
	"the loop guard holds in the daemon: $acked of $machine_n machine messages acknowledged, each explained in KNOWN.md"
set -- $(line people_in_sisimai_acknowledged)
is "$2/$4" "2/2" "both people's messages among Sisimai's are acknowledged"
tap_done
