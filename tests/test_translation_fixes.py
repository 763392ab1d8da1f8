"""Translation errors found by native-speaker review stay fixed (issue 20)."""

from __future__ import annotations

from babel.messages.pofile import read_po

from tests.conftest import ROOT


def catalog(code: str) -> dict[str, str]:
    """msgid → msgstr of one language's catalog."""
    with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as file:
        po = read_po(file)
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str)}


def test_chinese_states_the_austrian_ban_as_a_condition_not_a_right() -> None:
    zh = catalog("zh_Hans")
    [source] = [m for m in zh if "You must not have a ban on entering or staying" in m]
    assert "您不能被禁止" not in zh[source]  # "you cannot be banned": a right that does not exist
    assert "条件是" in zh[source] and "禁令" in zh[source]


def test_french_says_eloignement_for_removal() -> None:
    fr = catalog("fr")
    removal = [m for m in fr if "removal" in m]
    assert removal
    for source in removal:
        assert "expulsion" not in fr[source] and "éloignement" in fr[source], source


def test_romanian_uses_one_form_of_address_for_hide_and_the_commands() -> None:
    ro = catalog("ro")
    for source in [
        "✖ Hide: delete this conversation at once",
        "Delete this conversation now",
        "Forget my answers",
        "/exit: delete this conversation",
    ]:
        assert "ștergeți" in ro[source].lower(), (source, ro[source])
