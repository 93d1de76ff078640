"""Both catalogues are complete and compiled, so the app never needs system gettext."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_ui_string_is_translated(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
    assert untranslated == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.pofile(str(folder / "django.po"))
        if e.translated()
    }
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
        for e in polib.mofile(str(folder / "django.mo"))
    }
    compiled.pop((None, ""), None)  # the header
    assert compiled == source, "run `make messages` to recompile the catalogues"
