"""Fill a translation catalogue from a JSON file of {msgid: msgstr}.

python scripts/po_fill.py zhanyi/testing/locale/zh_Hans/LC_MESSAGES/django.po --todo
    prints every entry that is untranslated or fuzzy, as JSON to fill in
python scripts/po_fill.py CATALOGUE.po translations.json
    fills those entries (a plural entry takes a list of forms) and clears
    their fuzzy flag; `make messages` then compiles the catalogue
"""

from __future__ import annotations

import json
import sys

import polib


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    po = polib.pofile(argv[0], wrapwidth=0)
    if argv[1] == "--todo":
        todo = {}
        for e in po:
            if e.obsolete:
                continue
            if e.msgid_plural:
                if "fuzzy" in e.flags or not all(e.msgstr_plural.values()):
                    todo[e.msgid] = [e.msgid, e.msgid_plural]
            elif "fuzzy" in e.flags or not e.msgstr:
                todo[e.msgid] = ""
        print(json.dumps(todo, ensure_ascii=False, indent=1))
        return 0
    with open(argv[1], encoding="utf-8") as f:
        table = json.load(f)
    filled = 0
    for e in po:
        if e.msgid not in table or not table[e.msgid]:
            continue
        value = table[e.msgid]
        if e.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            e.msgstr_plural = {0: forms[0]}  # Chinese has one plural form
        else:
            e.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
        e.previous_msgid = None
        filled += 1
    po.save()
    print(f"filled {filled} entries in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
