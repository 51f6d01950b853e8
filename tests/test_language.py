from django.conf import settings


def test_the_interface_speaks_chinese_even_to_an_english_browser(world, client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in page.content.decode()


def test_the_language_switch_turns_the_interface_english(world, client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"
    assert "Log in to zhanyi" in page.content.decode()


def test_no_message_is_translated_two_ways_in_two_catalogues():
    """Django merges every catalogue into one: when two apps translate the
    same message (and context) differently, one of them silently shows the
    other's words (a tube "Closed" read as a task's 已办结). Words that mean
    different things in different places carry a context (pgettext)."""
    from pathlib import Path

    import polib

    root = Path(settings.BASE_DIR)
    catalogues = [root / "locale", *sorted(p for p in root.glob("*/locale") if p.is_dir())]
    seen: dict[tuple, dict[str, str]] = {}
    for folder in catalogues:
        for entry in polib.pofile(str(folder / "zh_Hans" / "LC_MESSAGES" / "django.po")):
            if entry.obsolete or not entry.msgstr:
                continue
            seen.setdefault((entry.msgctxt, entry.msgid), {})[folder.parent.name] = entry.msgstr
    clashes = {key: where for key, where in seen.items() if len(set(where.values())) > 1}
    assert not clashes, clashes


def test_words_that_differ_by_place_read_right_in_chinese():
    from django.utils import translation

    from zhanyi.testing.models import Tube, TubeStatus
    from zhanyi.tracing.models import ExposureSetting

    with translation.override("zh-hans"):
        assert [str(s.label) for s in TubeStatus] == [
            "采样中",
            "已封管",
            "已送检",
            "已接收",
            "已报告",
        ]
        assert str(Tube._meta.get_field("closed_at").verbose_name) == "封管时间"
        assert str(ExposureSetting.HOUSEHOLD.label) == "共同居住"
        # The same words without a context: a screening task's states.
        assert translation.gettext("Closed") == "已办结"
