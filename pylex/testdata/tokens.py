# Prints, for each file named on the command line, one JSON line: the file
# and its NAME, NUMBER, STRING, OP and COMMENT tokens as [type, start, end]
# byte offsets, as CPython's own tokenize module reads them. Files that
# tokenize rejects are skipped. Used by pylex's corpus test.
import json, sys, tokenize

KINDS = {tokenize.NAME: "Name", tokenize.NUMBER: "Number", tokenize.STRING: "String",
         tokenize.OP: "Op", tokenize.COMMENT: "Comment"}

for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        text = data.decode("utf-8")
        starts, off = [], 0
        for line in text.splitlines(keepends=True):
            starts.append((off, line))
            off += len(line.encode("utf-8"))
        def pos(rc):
            r, c = rc
            if r - 1 >= len(starts):
                return off
            o, line = starts[r - 1]
            return o + len(line[:c].encode("utf-8"))
        toks = []
        with open(path, "rb") as f:
            for t in tokenize.tokenize(f.readline):
                if t.type in KINDS:
                    toks.append([KINDS[t.type], pos(t.start), pos(t.end)])
    except Exception:
        continue
    print(json.dumps({"file": path, "tokens": toks}))
