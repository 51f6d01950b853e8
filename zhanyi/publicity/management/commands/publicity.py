"""``zhanyi publicity …``: publicity (宣传) from the command line.

- ``conferences`` · ``conference TITLE --at TIME --area CODE --speaker … --topic … [--place …]``
- ``sources [--area CODE]``: the decisions a notice may be drafted from.
- ``notices [--state STATE]`` · ``draft --from KIND:KEY | --title … --body … --area CODE``
- ``approve ID`` · ``publish ID --on DATE [--channel …]``
- ``media OUTLET --level L --kind K --on DATE --area CODE [--count N] [--title …] [--url …]``
- ``tally [--json]``: media reports by outlet and kind, and by level.
- ``opinion SUMMARY --platform P --area CODE --found TIME [--url …]`` · ``opinions``
- ``follow-up ID NOTE [--resolve]``

Times without an offset are local (Asia/Shanghai). The command acts as
``cli:<user>`` in the audit trail and sees the whole city.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhanyi.core.audit import cli_actor
from zhanyi.engine.protocol import LOCAL_TZ
from zhanyi.places.models import Area
from zhanyi.publicity import actions, queries, sources
from zhanyi.publicity.models import (
    MediaKind,
    MediaLevel,
    MediaReport,
    Notice,
    NoticeState,
    OpinionItem,
    PressConference,
)


def _time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"not a date and time: {text!r} (2021-09-17 18:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"not a date: {text!r} (2021-09-17)") from None


def _area(code: str) -> Area:
    found = Area.objects.filter(code=code.strip()).first()
    if found is None:
        raise CommandError(f"no area with the code {code!r}")
    return found


def _one(model, pk: str):
    try:
        return model.objects.get(pk=int(pk))
    except (ValueError, model.DoesNotExist):
        raise CommandError(f"no {model._meta.verbose_name} {pk!r}") from None


def _local(value: dt.datetime | None) -> str:
    return f"{value.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}" if value else ""


class Command(BaseCommand):
    help = "Publicity: press conferences, public notices, media reports, public opinion."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("conferences", help="the press conferences")
        conf = sub.add_parser("conference", help="record a press conference")
        conf.add_argument("title")
        conf.add_argument("--at", required=True)
        conf.add_argument("--area", required=True)
        conf.add_argument("--speaker", action="append", required=True)
        conf.add_argument("--topic", action="append", required=True)
        conf.add_argument("--place", default="")
        src = sub.add_parser("sources", help="decisions a notice may be drafted from")
        src.add_argument("--area")
        notices = sub.add_parser("notices", help="the public notices")
        notices.add_argument("--state", choices=NoticeState.values)
        draft = sub.add_parser("draft", help="draft a notice")
        draft.add_argument("--from", dest="source", help="KIND:KEY of a decision (see sources)")
        draft.add_argument("--title", default="")
        draft.add_argument("--body", default="")
        draft.add_argument("--area")
        sub.add_parser("approve", help="approve a drafted notice").add_argument("id")
        publish = sub.add_parser("publish", help="record an approved notice published")
        publish.add_argument("id")
        publish.add_argument("--on", required=True, help="the day it was published")
        publish.add_argument("--channel", default="")
        media = sub.add_parser("media", help="record media reports")
        media.add_argument("outlet")
        media.add_argument("--level", choices=MediaLevel.values, required=True)
        media.add_argument("--kind", choices=MediaKind.values, required=True)
        media.add_argument("--on", required=True)
        media.add_argument("--area", required=True)
        media.add_argument("--count", type=int, default=1)
        media.add_argument("--title", default="")
        media.add_argument("--url", default="")
        sub.add_parser("tally", help="media reports by outlet and kind").add_argument(
            "--json", action="store_true"
        )
        opinion = sub.add_parser("opinion", help="record a public-opinion item")
        opinion.add_argument("summary")
        opinion.add_argument("--platform", required=True)
        opinion.add_argument("--area", required=True)
        opinion.add_argument("--found", required=True)
        opinion.add_argument("--url", default="")
        sub.add_parser("opinions", help="the public-opinion items")
        follow = sub.add_parser("follow-up", help="a step of an item's follow-up")
        follow.add_argument("id")
        follow.add_argument("note")
        follow.add_argument("--resolve", action="store_true")

    def handle(self, *args, **options) -> None:
        verbs = {
            "conferences": self._conferences,
            "conference": self._conference,
            "sources": self._sources,
            "notices": self._notices,
            "draft": self._draft,
            "approve": self._approve,
            "publish": self._publish,
            "media": self._media,
            "tally": self._tally,
            "opinion": self._opinion,
            "opinions": self._opinions,
            "follow-up": self._follow_up,
        }
        try:
            verbs[options["verb"]](options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _conferences(self, options) -> None:
        for c in PressConference.objects.select_related("area").order_by("held_at"):
            self.stdout.write(
                f"{c.pk}\t{_local(c.held_at)}\t{c.area.name}\t{c.title}\t"
                f"{'、'.join(c.speaker_list())}"
            )

    def _conference(self, options) -> None:
        c = actions.do_record_conference(
            acting_user=cli_actor(),
            title=options["title"],
            held_at=_time(options["at"]),
            area=_area(options["area"]),
            speakers="\n".join(options["speaker"]),
            topics="\n".join(options["topic"]),
            place=options["place"],
        )
        self.stdout.write(f"press conference {c.pk}: {_local(c.held_at)}")

    def _sources(self, options) -> None:
        area = _area(options["area"]) if options["area"] else None
        for d in sources.drafts(area, limit=200):
            self.stdout.write(f"{d.kind}:{d.key}\t{_local(d.at)}\t{d.area.name}\t{d.label}")

    def _notices(self, options) -> None:
        notices = Notice.objects.select_related("area").order_by("drafted_at")
        if options["state"]:
            notices = notices.filter(state=options["state"])
        for n in notices:
            on = n.published_on.isoformat() if n.published_on else ""
            self.stdout.write(f"{n.pk}\t{n.get_state_display()}\t{on}\t{n.area.name}\t{n.title}")

    def _draft(self, options) -> None:
        kind, key = "", ""
        if options["source"]:
            kind, sep, key = options["source"].partition(":")
            if not sep:
                raise CommandError("--from takes KIND:KEY (see zhanyi publicity sources)")
        n = actions.do_draft_notice(
            acting_user=cli_actor(),
            title=options["title"],
            body=options["body"],
            area=_area(options["area"]) if options["area"] else None,
            source_kind=kind,
            source_key=key,
        )
        self.stdout.write(f"notice {n.pk}: {n.get_state_display()} · {n.title}")

    def _approve(self, options) -> None:
        n = actions.do_approve_notice(_one(Notice, options["id"]), acting_user=cli_actor())
        self.stdout.write(f"notice {n.pk}: {n.get_state_display()}")

    def _publish(self, options) -> None:
        n = actions.do_publish_notice(
            _one(Notice, options["id"]),
            acting_user=cli_actor(),
            published_on=_date(options["on"]),
            channel=options["channel"],
        )
        self.stdout.write(f"notice {n.pk}: {n.get_state_display()} {n.published_on}")

    def _media(self, options) -> None:
        r = actions.do_record_media_report(
            acting_user=cli_actor(),
            outlet=options["outlet"],
            level=options["level"],
            kind=options["kind"],
            published_on=_date(options["on"]),
            area=_area(options["area"]),
            count=options["count"],
            title=options["title"],
            url=options["url"],
        )
        self.stdout.write(f"media report {r.pk}: {r.outlet} × {r.count}")

    def _tally(self, options) -> None:
        tally = queries.tally_of(MediaReport.objects.all())
        if options["json"]:
            data = {
                "rows": tally.rows,
                "by_level": tally.by_level,
                "by_kind": tally.by_kind,
                "total": tally.total,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for row in tally.rows:
            self.stdout.write(
                f"{row['outlet']}\t{row['level_label']}\t{row['kind_label']}\t{row['reports']}"
            )
        for row in tally.by_level:
            self.stdout.write(f"{row['label']}\t{row['reports']}")
        self.stdout.write(f"total\t{tally.total}")

    def _opinion(self, options) -> None:
        item = actions.do_record_opinion(
            acting_user=cli_actor(),
            summary=options["summary"],
            platform=options["platform"],
            area=_area(options["area"]),
            found_at=_time(options["found"]),
            url=options["url"],
        )
        self.stdout.write(f"opinion item {item.pk}: {item.get_state_display()}")

    def _opinions(self, options) -> None:
        for item in OpinionItem.objects.select_related("area").order_by("found_at"):
            self.stdout.write(
                f"{item.pk}\t{item.get_state_display()}\t{_local(item.found_at)}\t"
                f"{item.area.name}\t{item.platform}\t{item.summary}"
            )

    def _follow_up(self, options) -> None:
        step = actions.do_follow_up_opinion(
            _one(OpinionItem, options["id"]),
            acting_user=cli_actor(),
            note=options["note"],
            resolve=options["resolve"],
        )
        self.stdout.write(f"opinion item {step.item_id}: {step.item.get_state_display()}")
