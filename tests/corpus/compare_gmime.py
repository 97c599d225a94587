#!/usr/bin/python3
"""Compares plaint's mbox split and MIME trees with GMime's own test dump.

GMime ships gmime/data/mbox/input/NAME.mbox and the dump its test prints
for it, gmime/data/mbox/output/NAME.mbox: per message the From and
Subject headers and the tree of content types, indented three blanks a
level.  `plaint parse --mbox` must give as many messages, with the same
From address, Subject, and tree (plaint's part path has one more dot a
level).

  PLAINT=./plaint CORPUS=../shared/corpus compare_gmime.py

Prints one line per message and "figure MATCHED TOTAL"; exits 1 on any
difference.
"""
import glob, json, os, re, subprocess, sys

plaint = os.environ.get("PLAINT", "./plaint")
corpus = os.environ.get("CORPUS", "../shared/corpus")
matched = total = 0
for inp in sorted(glob.glob(os.path.join(corpus, "gmime/data/mbox/input/*.mbox"))):
    dump = open(inp.replace("/input/", "/output/"), encoding="utf-8", errors="replace").read()
    expected = []
    for block in dump.split("message offsets:")[1:]:
        frm = re.search(r"^From: (.*)$", block, re.M)
        subj = re.search(r"^Subject: (.*(?:\n\t.*)*)$", block, re.M)
        tree = [(len(m.group(1)) // 3, m.group(2).split(";")[0].strip().lower())
                for m in re.finditer(r"^( *)Content-Type: (.*)$", block, re.M)]
        expected.append((frm.group(1).strip() if frm else "",
                         " ".join(subj.group(1).split()) if subj else "", tree))
    out = subprocess.run([plaint, "parse", "--mbox", inp], capture_output=True, text=True).stdout
    got = []
    for line in out.splitlines():
        o = json.loads(line)
        tree = [(p["path"].count("."), p["type"]) for p in o.get("parts", [])]
        got.append(((o.get("from") or {}).get("address", ""), " ".join(o.get("subject", "").split()), tree))
    name = os.path.basename(inp)
    if len(got) != len(expected):
        print(f"# {name}: {len(got)} messages, GMime's dump has {len(expected)}")
    for i, (e, g) in enumerate(zip(expected, got)):
        total += 1
        if e == g:
            matched += 1
            print(f"# {name} message {i + 1}: as GMime's dump")
        else:
            print(f"# {name} message {i + 1}: differs: expected {e}, got {g}")
    total += abs(len(got) - len(expected))
print(f"figure {matched} {total}")
sys.exit(0 if matched == total else 1)
