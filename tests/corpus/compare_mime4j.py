#!/usr/bin/python3
"""Compares plaint's decoding with mime4j's expected decoded parts.

mime4j ships, next to each test message NAME.msg, the decoded content of
its leaf parts as NAME_decoded_A_B_C.txt (or .bin).  Its numbering is
plaint's part path with '_' for '.': A_B_C is the part plaint calls
"A.B.C" (the top object is 1; children of a multipart or of a
message/rfc822 part are numbered from 1).  For every such file the sha256
of its bytes must equal the sha256 plaint reports for that part.

  PLAINT=./plaint CORPUS=../shared/corpus compare_mime4j.py [--tap]

Prints one line per difference (a comment with --tap) and a summary
line "figure PASSED TOTAL"; the caller asserts a floor.  Every file with
a difference must be listed in tests/corpus/KNOWN.md, or this exits 1.
"""
import glob, hashlib, json, os, re, subprocess, sys

plaint = os.environ.get("PLAINT", "./plaint")
corpus = os.environ.get("CORPUS", "../shared/corpus")
tap = "--tap" in sys.argv
known = open("tests/corpus/KNOWN.md", encoding="utf-8").read()

expected = {}   # msg path -> {part path: sha256}
for d in ("testmsgs", "mimetools-testmsgs"):
    for f in glob.glob(os.path.join(corpus, "mime4j", d, "*_decoded_*")):
        m = re.match(r"(.*)_decoded_([\d_]+)\.(txt|bin)$", f)
        if not m:
            continue
        msg = m.group(1) + ".msg"
        if not os.path.exists(msg):
            continue
        with open(f, "rb") as fh:
            expected.setdefault(msg, {})[m.group(2).replace("_", ".")] = \
                hashlib.sha256(fh.read()).hexdigest()

msgs = sorted(expected)
out = subprocess.run([plaint, "parse"] + msgs, capture_output=True, text=True).stdout
got = {}
for line in out.splitlines():
    o = json.loads(line)
    got[o["file"]] = {p["path"]: p["sha256"] for p in o.get("parts", [])}

passed = failed = unknown = 0
n = 0
for msg in msgs:
    for path, sha in sorted(expected[msg].items()):
        n += 1
        name = f"{os.path.relpath(msg, corpus)} part {path}"
        mine = got.get(msg, {}).get(path)
        if mine == sha:
            passed += 1
            if tap:
                print(f"ok {n} - {name}: decoded bytes as mime4j's")
            continue
        failed += 1
        why = "no such part" if mine is None else "different bytes"
        listed = os.path.relpath(msg, os.path.join(corpus, "mime4j")) in known
        unknown += not listed
        print(f"# differs: {name}: {why}{'' if listed else ' (NOT in KNOWN.md)'}")
print(f"# mime4j decoded parts: {passed} match, {failed} differ "
      f"({failed - unknown} of them known)")
print(f"figure {passed} {n}")
sys.exit(1 if unknown else 0)
