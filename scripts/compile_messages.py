"""Compile every gettext catalogue (locale*/<lang>/LC_MESSAGES/django.po → .mo) with Babel.

Django's compilemessages needs GNU gettext's msgfmt; Babel is pure Python, so `make run` works on a
machine without it. The .mo files are build output (not committed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    catalogues = sorted(ROOT.glob("locale*/*/LC_MESSAGES/django.po"))
    for po_path in catalogues:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
    print(f"compiled {len(catalogues)} message catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
