"""The date rules of the placement lifecycle, as one table.

Every date a person types (or a file brings in) is first checked against the service's
window (2000-01-01 – 2100-12-31, `marketplace.kernel.dates`). Then it is checked here, against
today (the Swedish day, `marketplace.kernel.clock.today`) and against the other dates it must
follow. Each event lists its date fields; for each field the table says:

- `past`: how many days before today it may lie (None: any day; 0: today at the earliest);
- `future`: how many days after today it may lie (None: any day; 0: today at the latest);
- `after`: the dates it may not come before (a field of the same submission, or a stored
  date given as context, such as the placement's start);
- `advice`: what to do, in Swedish, added to the message.

The decisions, in words:

| Event                | Field            | Past            | Future            | Not before            |
|----------------------|------------------|-----------------|-------------------|-----------------------|
| slot (plats)         | start_date       | any             | ≤ 2 years         |                       |
|                      | end_date         | today earliest  | ≤ 2 years         | start_date            |
| proposal / accept    | start_date       | today earliest  | ≤ 2 years         |                       |
|                      | end_date         | today earliest  | ≤ 2 years         | start_date            |
| agreement period     | start_date       | today earliest  | ≤ 2 years         |                       |
|                      | end_date         | today earliest  | ≤ 2 years         | start_date            |
| follow-up meeting    | date (each)      | any             | period end        | period start          |
| start of placement   | start_date       | any             | today at latest   |                       |
| end of placement     | end_date         | any             | today at latest   | actual start          |
| outcome              | outcome_date     | any             | today at latest   | placement end         |
| participant          | registered_at    | any             | today at latest   |                       |
|                      | consent_date     | any             | today at latest   |                       |
| plan activity        | planned_start    | any             | ≤ 5 years         |                       |
|                      | planned_end      | any             | ≤ 5 years         | planned_start         |
| attendance week      | week_start       | any             | this week latest  | start of first week   |
|                      |                  |                 | (and not after the week the placement ended or is planned to end) | |

- A date already stored is checked again only where it is changed: a slot whose end date
  has passed keeps it while the host edits its text (the publish step refuses such a slot),
  but a new or moved end date must not have passed (a draft saved so could never be
  published; a year mistyped is the usual cause).
- A placement is started on or after its start date, never before: the start sweep starts
  it on the day (`activate_due`), and a host who wants to begin earlier first moves the
  start date in the agreement (which the signatories sign again). The start date is not
  silently moved.
- Ending a placement records the real end: today, or a given day in the past that is not
  before the day the placement really started. A placement is "avslutad" only by being
  ended; an end date in the future is refused, it never ends a placement ahead of time.
  A period change (agreement) may move the planned end, but not into the past: ending is
  the action for that.
- An outcome is what happened at exit (Kolada's outcome "efter avslutad insats"): its date is
  not in the future and not before the day the placement ended, so work or studies that began
  during the placement are dated from that day. The follow-ups count 90 and 180 days from the
  end, not from the outcome's date (`outcomes.exit_day`). A coordinator may correct the
  outcome later (`outcomes.correct_outcome`), by the same rules.
- Attendance is reported per week, named by its Monday: a week that has not begun is not
  reported, nor a week before the one the placement started in, nor one after the week it
  ended or is planned to end in. The placement's first and last week hold only its days
  (a placement that starts on a Wednesday has five that week): the days reported may not be
  more (`attendance.week_problems`). This week may be reported while it runs, but a day
  after today has not been attended: days present and unexcused absence together are at
  most the week's days up to today, today included; absence known ahead (sick, granted
  leave, other) may be reported for the rest of the week (`attendance.days_not_yet`).
- Kolada's one-month rule for "arbete" (employment lasting at least one continuous month,
  not a municipal labour-market job) holds for the outcome at exit and for the follow-ups
  at 90 and 180 days alike (`outcomes.check_work_rule`).

All problems of one submission are reported together (`DateRulesFailed.problems`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from marketplace.kernel import clock
from marketplace.kernel.errors import ValidationFailed, by_field

# The day the rules count from when history is written (the demo walks each step of a past
# placement on its own day); unset, the rules use today.
_AS_OF: ContextVar[dt.date | None] = ContextVar("date_rules_as_of", default=None)

TWO_YEARS = 730
FIVE_YEARS = 1826


@dataclass(frozen=True)
class DateRule:
    field: str
    label: str
    past: int | None = None
    future: int | None = None
    after: tuple[str, ...] = ()
    advice: str = ""
    # What to do when the date lies before one it must follow (`after`); `advice` otherwise.
    order_advice: str = ""


_PERIOD_ADVICE = "Välj en period som börjar i dag eller senare och slutar inom två år."
_ORDER_ADVICE = "Välj ett slutdatum på eller efter startdatumet."

RULES: dict[str, tuple[DateRule, ...]] = {
    "slot": (
        DateRule(
            "start_date",
            "Startdatum",
            future=TWO_YEARS,
            advice="Ange ett startdatum inom två år, eller lämna fältet tomt.",
        ),
        DateRule(
            "end_date",
            "Slutdatum",
            past=0,
            future=TWO_YEARS,
            after=("start_date",),
            advice="Ange ett slutdatum från i dag, efter startdatumet och inom två år, eller "
            "lämna tomt.",
        ),
    ),
    "proposal": (
        DateRule("start_date", "Startdatum", past=0, future=TWO_YEARS, advice=_PERIOD_ADVICE),
        DateRule(
            "end_date",
            "Slutdatum",
            past=0,
            future=TWO_YEARS,
            after=("start_date",),
            advice=_PERIOD_ADVICE,
            order_advice=_ORDER_ADVICE,
        ),
    ),
    "agreement": (
        DateRule("start_date", "Startdatum", past=0, future=TWO_YEARS, advice=_PERIOD_ADVICE),
        DateRule(
            "end_date",
            "Slutdatum",
            past=0,
            future=TWO_YEARS,
            after=("start_date",),
            advice="Välj ett slutdatum i dag eller senare; för att avsluta en pågående "
            "placering, använd Avsluta placeringen.",
            order_advice=_ORDER_ADVICE,
        ),
    ),
    "start": (
        DateRule(
            "start_date",
            "Startdatum",
            future=0,
            advice="Placeringen startar av sig själv den dagen. Vill ni börja tidigare, "
            "ändra startdatumet i överenskommelsen först.",
        ),
    ),
    "end": (
        DateRule(
            "end_date",
            "Slutdatum",
            future=0,
            after=("actual_start",),
            advice="En placering avslutas när den verkligen har slutat: ange dagens datum "
            "eller en dag som har varit.",
        ),
    ),
    "outcome": (
        DateRule(
            "outcome_date",
            "Utfallsdatum",
            future=0,
            after=("placement_end", "placement_start"),
            advice="Utfallet är deltagarens läge när placeringen har avslutats: ange dagen då "
            "placeringen avslutades eller en senare dag då utfallet började gälla, senast i dag.",
        ),
    ),
    "candidate": (
        DateRule(
            "registered_at",
            "Inskrivningsdatum",
            future=0,
            advice="Ange dagen då deltagaren skrevs in.",
        ),
        DateRule(
            "consent_date",
            "Datum för samtycket",
            future=0,
            advice="Ange dagen då deltagaren gav sitt samtycke.",
        ),
    ),
    "plan_activity": (
        DateRule(
            "planned_start",
            "Planerad start",
            future=FIVE_YEARS,
            advice="Ange en planerad start inom fem år.",
        ),
        DateRule(
            "planned_end",
            "Planerat slut",
            future=FIVE_YEARS,
            after=("planned_start",),
            advice="Ange ett planerat slut efter den planerade starten.",
        ),
    ),
    "attendance": (
        DateRule(
            "week_start",
            "Veckan som börjar",
            future=0,
            after=("placement_week",),
            advice="Välj en vecka som har börjat, från den vecka placeringen startade.",
        ),
    ),
}

# Dates a rule may refer to that are not themselves typed in the submission.
CONTEXT_LABELS = {
    "placement_week": "veckan placeringen startade, som börjar",
    "actual_start": "dagen placeringen startade",
    "placement_start": "placeringens startdatum",
    "placement_end": "dagen placeringen avslutades",
}


def _label_of(event: str, name: str) -> str:
    for rule in RULES[event]:
        if rule.field == name:
            return rule.label.lower()
    return CONTEXT_LABELS.get(name, name)


def _sv(day: dt.date) -> str:
    return day.isoformat()


def rule_for(event: str, field: str) -> DateRule:
    for rule in RULES[event]:
        if rule.field == field:
            return rule
    raise KeyError(f"{event}.{field}")


def problems(
    event: str,
    values: Mapping[str, dt.date | None],
    context: Mapping[str, dt.date | None] | None = None,
    *,
    today: dt.date | None = None,
) -> list[tuple[str, str]]:
    """Every broken rule of `event` as (field, Swedish message), in table order.

    `values` are the dates of this submission (checked against today and each other);
    `context` the stored dates they are compared with but that are not checked themselves
    (an unchanged start date, the placement's start)."""
    today = today or rules_today()
    known: dict[str, dt.date | None] = {**(context or {}), **values}
    found: list[tuple[str, str]] = []
    for rule in RULES[event]:
        typed = values.get(rule.field)
        # An unchanged stored date is still compared with a changed date it must follow.
        day = typed or (known.get(rule.field) if any(values.get(o) for o in rule.after) else None)
        if day is None:
            continue
        reason = ""
        advice = rule.advice
        if (
            typed is not None
            and rule.past is not None
            and day < today - dt.timedelta(days=rule.past)
        ):
            reason = (
                f"{rule.label} {_sv(day)} har redan passerat."
                if rule.past == 0
                else f"{rule.label} {_sv(day)} ligger mer än {rule.past} dagar bakåt i tiden."
            )
        elif (
            typed is not None
            and rule.future is not None
            and day > today + dt.timedelta(days=rule.future)
        ):
            reason = (
                f"{rule.label} {_sv(day)} ligger i framtiden."
                if rule.future == 0
                else f"{rule.label} {_sv(day)} ligger för långt fram "
                f"(senast {_sv(today + dt.timedelta(days=rule.future))})."
            )
        else:
            for other in rule.after:
                bound = known.get(other)
                if bound is not None and day < bound:
                    reason = (
                        f"{rule.label} {_sv(day)} ligger före "
                        f"{_label_of(event, other)} {_sv(bound)}."
                    )
                    advice = rule.order_advice or rule.advice
                    break
        if reason:
            found.append((rule.field, f"{reason} {advice}".strip()))
    return found


def form_rules(
    event: str, context: Mapping[str, dt.date | None] | None = None
) -> Callable[[Mapping[str, Any]], list[tuple[str, str]]]:
    """The rules of `event` for a form (`marketplace.kernel.forms.parse_form(rules=...)`): run on the
    dates typed so far, so that a broken date rule is listed with the form's other errors.
    A date that is not a date yet is left to the form's own check. `context`: the stored
    dates they are compared with (`problems`), where the page knows them; a date typed as
    it is stored is not checked again (an edit form shows the stored dates)."""
    stored = context or {}

    def run(typed: Mapping[str, Any]) -> list[tuple[str, str]]:
        dates = {rule.field: as_day(typed.get(rule.field)) for rule in RULES[event]}
        changed = {k: v for k, v in dates.items() if v is not None and v != stored.get(k)}
        return problems(event, changed, context)

    return run


def as_day(value: Any) -> dt.date | None:
    """A form's date as typed: a date, an ISO date text, or None (blank or not a date yet;
    the form's own check names that)."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    return None


def meeting_problems(
    days: list[dt.date], start: dt.date | None, end: dt.date | None
) -> list[tuple[str, str]]:
    """The agreement's follow-up meetings lie within the placement's period: a meeting
    before it starts or after it ends follows up nothing."""
    found: list[tuple[str, str]] = []
    for day in days:
        if (start is not None and day < start) or (end is not None and day > end):
            period = f"{_sv(start) if start else '…'} – {_sv(end) if end else '…'}"
            found.append(
                (
                    "follow_up_meetings",
                    f"Uppföljningsmötet {_sv(day)} ligger utanför perioden {period}. "
                    "Lägg uppföljningsmötena inom placeringens period.",
                )
            )
    return found


def rules_today() -> dt.date:
    """The day the rules count from: today in Sweden, or the day history is written as of."""
    return _AS_OF.get() or clock.today()


@contextlib.contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Check the rules as if today were `day`: for writing a history that really happened
    (the demo's past placements), never for what a person submits."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


class DateRulesFailed(ValidationFailed):
    """One submission's broken date rules, each with its field (`problems`)."""

    def __init__(self, found: list[tuple[str, str]]) -> None:
        # The joined message says each sentence once (two fields may share their advice);
        # `problems` keeps each field's whole message for the form.
        sentences: list[str] = []
        for _, message in found:
            for sentence in re.split(r"(?<=[.!?])\s+", message):
                if sentence and sentence not in sentences:
                    sentences.append(sentence)
        # Each field its own messages (two rules may speak of one field).
        super().__init__(
            " ".join(sentences),
            fields=list(dict.fromkeys(field for field, _ in found)),
            errors=by_field(found),
        )
        self.problems = found


def check(
    event: str,
    values: Mapping[str, dt.date | None],
    context: Mapping[str, dt.date | None] | None = None,
    *,
    today: dt.date | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> None:
    """Raise `DateRulesFailed` naming every broken rule (and `extra` problems found by the
    caller in the same submission); return quietly when all hold."""
    found = [*(extra or []), *problems(event, values, context, today=today)]
    if found:
        raise DateRulesFailed(found)
