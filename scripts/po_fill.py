"""Fill the gettext catalogues from locale-notes/*.tsv and report what is still missing.

msgids are English. locale-notes/*.tsv hold `msgid<TAB>Dutch` lines (\\n for newlines; for a
plural entry `msgid<TAB>singular<TAB>plural`; for a msgid with a context
`context|msgid`). The English catalogue gets msgstr = msgid so
both catalogues are complete. Run `make messages` afterwards (or before: it re-extracts).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def load_notes() -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for path in sorted((ROOT / "locale-notes").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            parts = [p.replace("\\n", "\n") for p in line.split("\t")]
            notes[parts[0]] = parts[1:]
    return notes


def main() -> int:
    notes = load_notes()
    nl = polib.pofile(str(ROOT / "locale/nl/LC_MESSAGES/django.po"))
    en = polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))
    missing = []
    for entry in nl:
        # A msgid with a context is noted as "context|msgid".
        key = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
        note = notes.get(key)
        if entry.msgid_plural:
            if note and len(note) >= 2:
                entry.msgstr_plural = {0: note[0], 1: note[1]}
            done = all(entry.msgstr_plural.get(i) for i in (0, 1))
        else:
            if note:
                entry.msgstr = note[0]
            done = bool(entry.msgstr)
        if note and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        # msgmerge's fuzzy guesses are usually wrong ("Edit team" → "team"): not translated.
        if not done or "fuzzy" in entry.flags:
            missing.append(entry.msgid)
    for entry in en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    nl.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    en.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    nl.metadata["Content-Type"] = en.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    nl.save()
    en.save()
    for msgid in missing:
        print("untranslated:", msgid.replace("\n", "\\n"))
    print(f"{len(missing)} untranslated in nl", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
