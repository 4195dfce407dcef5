"""Numbers in the page's language. `plural`: a count's words by the language's plural rule
(Arabic has six forms: "20 ساعة" was right, but the same text gave "10 ساعة" and "1 ساعة"
where Arabic says "10 ساعات" and "ساعة واحدة"; Swedish says "1 timme", not "1 timmar").
`number`: "3,5 km" in Swedish, "3.5 km" on an English or Arabic page."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from marketplace.kernel.templating import number_in_language, plural
from search.pages import search_options

HOURS = '{{ plural("%(h)s timme i veckan", "%(h)s timmar i veckan", n) | format(h=n) }}'


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", ["1 timme i veckan", "2 timmar i veckan", "10 timmar i veckan"]),
        (None, ["1 timme i veckan", "2 timmar i veckan", "10 timmar i veckan"]),
        ("en", ["1 hour a week", "2 hours a week", "10 hours a week"]),
        ("ar", ["ساعة واحدة في الأسبوع", "ساعتان في الأسبوع", "10 ساعات في الأسبوع"]),
    ],
)
def test_hours_are_counted_by_the_pages_language(lang: str | None, expected: list[str]) -> None:
    env = Environment(autoescape=True)
    env.globals["plural"] = plural
    template = env.from_string(HOURS)
    context = {"lang": lang} if lang else {}
    assert [template.render(n=n, **context) for n in (1, 2, 10)] == expected
    if lang == "ar":  # eleven to ninety-nine take the singular again
        assert template.render(n=20, lang=lang) == "20 ساعة في الأسبوع"


def test_the_search_forms_hours_are_counted_too() -> None:
    assert search_options(lang="ar")["hours"][:2] == [(10, "10 ساعات"), (20, "20 ساعة")]
    assert search_options()["hours"][0] == (10, "10 timmar")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("sv", "3,5 · 1\u00a0234,0"),
        (None, "3,5 · 1\u00a0234,0"),
        ("en", "3.5 · 1,234.0"),
        ("ar", "3.5 · 1,234.0"),
    ],
)
def test_a_decimal_number_is_written_as_the_pages_language_writes_it(
    lang: str | None, expected: str
) -> None:
    env = Environment(autoescape=True)
    env.filters["number"] = number_in_language
    template = env.from_string("{{ km | number(1) }} · {{ big | number(1) }}")
    context = {"lang": lang} if lang else {}
    assert template.render(km=3.48, big=1234, **context) == expected
    assert env.from_string("{{ none | number }}").render(none=None, lang=lang) == "–"
