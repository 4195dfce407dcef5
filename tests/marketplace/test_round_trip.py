"""`forms.round_trip`, the one answer of a page form: every wrong field and unticked box
named at once, what was typed kept, the service's refusal shown with its 4xx and headers,
and on success a 303 to the landing page with its notice.

A small app of its own posts to the helper; the page it shows again is the submitted values
and the messages as JSON, so the test reads exactly what a template would be given."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Litestar, Request, Response, post
from litestar.testing import AsyncTestClient

from marketplace.kernel.errors import Conflict, NotFound, TooManyRequests
from marketplace.kernel.forms import ACTION, Form, Landing, NoFields, confirmed, round_trip
from tests.inloop import InLoopClient


class Offer(msgspec.Struct, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
    capacity: Annotated[int, msgspec.Meta(ge=1, le=20)]
    note: str = ""


OFFER = Form(
    Offer,
    labels={"title": "Rubrik", "capacity": "Antal platser", "note": "Anteckning"},
    blank_is_empty=["note"],
    boxes={"consent": "Kryssa i rutan för att gå vidare."},
)
UNCONFIRMED = "Kryssa i rutan för att stänga platsen."


def shown_again(
    *, values: dict[str, Any], errors: dict[str, str], status_code: int
) -> Response[Any]:
    """The form's page again, as the data a template would be given."""
    return Response({"values": values, "errors": errors}, status_code=status_code)


async def shown_again_later(
    *, values: dict[str, Any], errors: dict[str, str], status_code: int
) -> Response[Any]:
    """The same page, built by an async page builder (most pages read the database)."""
    return shown_again(values=values, errors=errors, status_code=status_code)


@post("/erbjud", status_code=303)
async def offer(request: Request[Any, Any, Any]) -> Response[Any]:
    async def save(data: Offer) -> Landing:
        if data.title == "Upptagen":
            raise Conflict("Rubriken används redan av en annan plats.", fields=["title"])
        if data.title == "Bråttom":
            raise TooManyRequests("För många försök. Vänta en minut.", retry_after=60)
        return f"/platser/{data.capacity}#plats", "plats-sparad"

    return await round_trip(request, OFFER, save, shown_again_later)


@post("/kvitto", status_code=200)
async def receipt(request: Request[Any, Any, Any]) -> Response[Any]:
    async def save(data: Offer) -> Response[Any]:
        return Response({"received": data.title}, status_code=200)

    return await round_trip(request, OFFER, save, shown_again)


@post("/stang", status_code=303)
async def close(request: Request[Any, Any, Any]) -> Response[Any]:
    async def run(_: NoFields) -> Landing:
        return "/platser/1", "plats-stangd"

    return await round_trip(request, confirmed("confirm", UNCONFIRMED), run, shown_again)


@post("/pausa", status_code=303)
async def pause(request: Request[Any, Any, Any]) -> Response[Any]:
    async def run(_: NoFields) -> Landing:
        raise NotFound("Platsen finns inte.")

    return await round_trip(request, ACTION, run, shown_again)


@post("/anteckning", status_code=303)
async def note(request: Request[Any, Any, Any]) -> Response[Any]:
    def text(values: dict[str, Any]) -> str:
        return str(values.get("note", ""))

    async def run(written: str) -> Landing:
        if not written:
            raise Conflict("Skriv en anteckning.", fields=["note"])
        return "/platser/1", "plats-sparad"

    return await round_trip(request, text, run, shown_again, fields=["note"])


def client() -> AsyncTestClient[Litestar]:
    app = Litestar(route_handlers=[offer, receipt, close, pause, note])
    return InLoopClient(app=app)


async def test_every_wrong_field_and_the_unticked_box_are_named_at_once() -> None:
    async with client() as http:
        answer = await http.post("/erbjud", data={"title": "ab", "capacity": "noll"})
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors == {
        "title": "Rubrik måste ha minst 3 tecken.",
        "capacity": "Antal platser ska vara ett heltal, till exempel 3.",
        "consent": "Kryssa i rutan för att gå vidare.",
    }


async def test_what_was_typed_is_kept_when_the_form_is_refused() -> None:
    typed = {"title": "ab", "capacity": "30", "note": "Åtta timmar på lördagar"}
    async with client() as http:
        answer = await http.post("/erbjud", data=typed)
    assert answer.status_code == 400
    assert answer.json()["values"] == typed
    assert set(answer.json()["errors"]) == {"title", "capacity", "consent"}


async def test_a_missing_field_is_named_with_the_others() -> None:
    async with client() as http:
        answer = await http.post("/erbjud", data={"consent": "1"})
    assert answer.status_code == 400
    assert answer.json()["errors"] == {
        "title": "Rubrik måste fyllas i.",
        "capacity": "Antal platser måste fyllas i.",
    }


async def test_the_services_refusal_is_shown_at_its_field_with_its_status() -> None:
    typed = {"title": "Upptagen", "capacity": "2", "consent": "1"}
    async with client() as http:
        answer = await http.post("/erbjud", data=typed)
    assert answer.status_code == 409
    assert answer.json() == {
        "values": typed,
        "errors": {"title": "Rubriken används redan av en annan plats."},
    }


async def test_the_refusals_headers_are_kept() -> None:
    async with client() as http:
        answer = await http.post(
            "/erbjud", data={"title": "Bråttom", "capacity": "2", "consent": "1"}
        )
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "60"
    assert answer.json()["errors"] == {"_form": "För många försök. Vänta en minut."}


async def test_success_redirects_with_the_notice_before_the_fragment() -> None:
    async with client() as http:
        answer = await http.post(
            "/erbjud",
            data={"title": "Lager", "capacity": "4", "consent": "on"},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/platser/4?klart=plats-sparad#plats"


async def test_a_service_may_answer_with_a_page_of_its_own() -> None:
    async with client() as http:
        answer = await http.post(
            "/kvitto", data={"title": "Lager", "capacity": "4", "consent": "1"}
        )
    assert answer.status_code == 200
    assert answer.json() == {"received": "Lager"}


async def test_a_confirmed_action_waits_for_its_box() -> None:
    async with client() as http:
        refused = await http.post("/stang", data={})
        done = await http.post("/stang", data={"confirm": "1"}, follow_redirects=False)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"confirm": UNCONFIRMED}
    assert done.status_code == 303
    assert done.headers["location"] == "/platser/1?klart=plats-stangd"


async def test_an_action_without_fields_shows_its_refusal_in_the_summary() -> None:
    async with client() as http:
        answer = await http.post("/pausa", data={})
    assert answer.status_code == 404
    assert answer.json()["errors"] == {"_form": "Platsen finns inte."}


async def test_a_parse_of_its_own_and_named_fields() -> None:
    async with client() as http:
        refused = await http.post("/anteckning", data={})
        saved = await http.post("/anteckning", data={"note": "Klart"}, follow_redirects=False)
    assert refused.status_code == 409
    assert refused.json()["errors"] == {"note": "Skriv en anteckning."}
    assert saved.headers["location"] == "/platser/1?klart=plats-sparad"
