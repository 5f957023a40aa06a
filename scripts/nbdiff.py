"""Compare two executed notebooks cell by cell, bar what a rerun changes.

    /usr/bin/python3 scripts/nbdiff.py BEFORE.ipynb AFTER.ipynb
    /usr/bin/python3 scripts/nbdiff.py BEFORE_DIR AFTER_DIR     # the notebooks both hold, by name

For: checking that a change to the kernel or the runtime left what the
notebooks show alone (the same cells, outputs, streams, errors and words),
when every number in them is measured afresh on each run. Not for: numbers
(they are masked), or notebooks with different sources (a source that
differs is reported, and its outputs are still compared).

What a rerun legitimately changes is masked before comparing: numbers
(durations and sizes with their unit, percentages, counts, pids, timestamps, ids),
absolute paths, bar-chart glyphs, the padding of text tables; an SVG is
compared by the kinds of elements it has and the set of its texts, not its
geometry. Consecutive stream outputs of one name are joined (how output is
batched into messages depends on timing), and an empty display_data is left
out: the runtime shows a live progress line only once a run has lasted a
second, and clears it when the run ends. What is compared: the number of
cells and their types and sources, the number and types of each cell's
outputs, stream names, error names and values, each MIME type's text, and
corelab's output metadata (an exercise check's verdict).

Prints one line per notebook, `equal` or `differs`, then each difference
(cell index and id, what, and the masked text of both sides where it is
text). Exits 1 if any notebook differs, 2 on bad arguments.
"""
import difflib
import html
import os
import re
import sys

import nbformat

# An absolute path of two parts or more, not the tail of a word (CPU/wall).
PATH = re.compile(r"(?<![\w.:/])/(?:[\w.+@~-]+/)+[\w.+@~-]*")
# A Go or human duration: 1h2m3.5s, 12.3ms, 5 µs, 200ms.
DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s?(?:ns|µs|μs|us|ms|s|m|h)\b)+")
SIZE = re.compile(r"\d+(?:\.\d+)?\s?(?:[KMGT]i?B|kB|B)\b")
NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:[eE][-+]?\d+)?")
HEX = re.compile(r"\b[0-9a-f]{8,}\b")
# Glyphs of text bar charts and sparklines, whose length is a measurement.
BARS = re.compile(r"[▁▂▃▄▅▆▇█▏▎▍▌▋▊▉░▒▓■□▪▫●○◦·∙]+")
RULE = re.compile(r"([-─━=_])\1{2,}")
SPACES = re.compile(r"[ \t]+")
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
SVG_TAG = re.compile(r"<([a-zA-Z][\w:-]*)")
SVG_TEXT = re.compile(r"<(text|title|tspan)\b[^>]*>([^<]*)<", re.S)


def mask(text):
    """The text with what varies between runs replaced by placeholders."""
    text = PATH.sub("PATH", text)
    text = HEX.sub("HEX", text)
    text = DURATION.sub("DUR", text)
    text = SIZE.sub("SIZE", text)
    text = NUMBER.sub("N", text)
    text = BARS.sub("BAR", text)
    text = RULE.sub(r"\1\1\1", text)
    lines = [SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def svg_summary(svg):
    """What an SVG shows, without its geometry: its element kinds and the
    set of its texts, masked."""
    tags = sorted(set(SVG_TAG.findall(svg)))
    texts = sorted({mask(html.unescape(t)) for _, t in SVG_TEXT.findall(svg)} - {""})
    return "svg elements: " + " ".join(tags) + "\nsvg texts:\n" + "\n".join(texts)


def mask_markup(text):
    """HTML or SVG masked, each embedded SVG replaced by its summary."""
    parts, last = [], 0
    for m in SVG.finditer(text):
        parts.append(mask(text[last:m.start()]))
        parts.append(svg_summary(m.group(0)))
        last = m.end()
    parts.append(mask(text[last:]))
    return "\n".join(p for p in parts if p)


def as_text(v):
    return "".join(v) if isinstance(v, list) else str(v)


def outputs(cell):
    """The cell's outputs as comparable records, consecutive streams of one
    name joined."""
    out = []
    for o in cell.get("outputs", []):
        t = o.get("output_type")
        if t == "display_data" and not o.get("data"):
            continue  # a live progress display, cleared at the end (see the module doc)
        if t == "stream":
            if out and out[-1]["type"] == "stream" and out[-1]["name"] == o.get("name"):
                out[-1]["raw"] += as_text(o.get("text", ""))
                continue
            out.append({"type": "stream", "name": o.get("name"), "raw": as_text(o.get("text", ""))})
        elif t == "error":
            out.append({"type": "error", "ename": o.get("ename"), "evalue": mask(o.get("evalue", "")),
                        "traceback": mask(re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(o.get("traceback", []))))})
        else:
            data = {}
            for mime, v in (o.get("data") or {}).items():
                v = as_text(v)
                data[mime] = mask_markup(v) if mime in ("text/html", "image/svg+xml") else mask(v)
            meta = (o.get("metadata") or {}).get("corelab")
            out.append({"type": t, "data": data, "corelab": meta})
    for o in out:
        if o["type"] == "stream":
            o["text"] = mask(o.pop("raw"))
    return out


def text_diff(a, b):
    return "\n".join("        " + line for line in difflib.unified_diff(
        a.splitlines(), b.splitlines(), "before", "after", lineterm="", n=1))


def compare_cell(i, ca, cb):
    """The differences between two cells, as lines."""
    where = "cell %d (%s)" % (i, cb.get("id") or ca.get("id") or "no id")
    diffs = []
    if ca.cell_type != cb.cell_type:
        return ["%s: a %s cell, then a %s cell" % (where, ca.cell_type, cb.cell_type)]
    if ca.source != cb.source:
        diffs.append("%s: the source differs\n%s" % (where, text_diff(ca.source, cb.source)))
    if ca.cell_type != "code":
        return diffs
    oa, ob = outputs(ca), outputs(cb)
    ta, tb = [o["type"] for o in oa], [o["type"] for o in ob]
    if ta != tb:
        diffs.append("%s: outputs %s, then %s" % (where, ta, tb))
        # Still compare the texts of both sides, joined, to say what changed.
        ja = "\n".join(o.get("text", "") for o in oa if o["type"] == "stream")
        jb = "\n".join(o.get("text", "") for o in ob if o["type"] == "stream")
        if ja != jb:
            diffs.append("%s: stream text differs\n%s" % (where, text_diff(ja, jb)))
        return diffs
    for n, (a, b) in enumerate(zip(oa, ob)):
        at = "%s output %d (%s)" % (where, n, a["type"])
        if a["type"] == "stream":
            if a["name"] != b["name"]:
                diffs.append("%s: stream %s, then %s" % (at, a["name"], b["name"]))
            if a["text"] != b["text"]:
                diffs.append("%s: text differs\n%s" % (at, text_diff(a["text"], b["text"])))
        elif a["type"] == "error":
            for k in ("ename", "evalue", "traceback"):
                if a[k] != b[k]:
                    diffs.append("%s: %s differs\n%s" % (at, k, text_diff(a[k], b[k])))
        else:
            if sorted(a["data"]) != sorted(b["data"]):
                diffs.append("%s: MIME types %s, then %s" % (at, sorted(a["data"]), sorted(b["data"])))
            for mime in sorted(set(a["data"]) & set(b["data"])):
                if a["data"][mime] != b["data"][mime]:
                    diffs.append("%s %s differs\n%s" % (at, mime, text_diff(a["data"][mime], b["data"][mime])))
            if a["corelab"] != b["corelab"]:
                diffs.append("%s: corelab metadata %s, then %s" % (at, a["corelab"], b["corelab"]))
    return diffs


def compare(path_a, path_b):
    """The differences between two notebooks, as lines."""
    a, b = nbformat.read(path_a, 4), nbformat.read(path_b, 4)
    diffs = []
    if len(a.cells) != len(b.cells):
        diffs.append("%d cells, then %d" % (len(a.cells), len(b.cells)))
    for i, (ca, cb) in enumerate(zip(a.cells, b.cells)):
        diffs.extend(compare_cell(i, ca, cb))
    return diffs


def pairs(a, b):
    if os.path.isdir(a) and os.path.isdir(b):
        names = sorted(n for n in os.listdir(a) if n.endswith(".ipynb"))
        only = sorted(set(names) ^ {n for n in os.listdir(b) if n.endswith(".ipynb")})
        for n in only:
            print("%s: only in %s" % (n, a if n in names else b))
        return [(n, os.path.join(a, n), os.path.join(b, n)) for n in names if os.path.exists(os.path.join(b, n))]
    return [(os.path.basename(b), a, b)]


def main(argv):
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    differ = False
    for name, a, b in pairs(argv[1], argv[2]):
        diffs = compare(a, b)
        print("%s: %s" % (name, "differs" if diffs else "equal"))
        for d in diffs:
            print("    " + d)
        differ = differ or bool(diffs)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
