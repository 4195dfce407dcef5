"""Attacks on the search log (`search/usage.py`): a participant's name typed into the slot
search must never be kept, whatever letters or marks the name is written with."""

from __future__ import annotations

from placements.tables import Application, Candidate
from search import usage
from tests import builders
from tests.placements import bookingdata as bd


async def test_names_with_apostrophes_and_other_letters_are_never_logged():
    w = await bd.make_world()
    names = (("Seán", "O'Brien"), ("Đorđe", "Yılmaz"), ("Chloë", "D’Angelo"), ("Leila", "Al‐Amin"))
    for first, last in names:
        candidate = await builders.make_candidate(w.coordinator, first)
        await Candidate.update({Candidate.last_name: last}).where(Candidate.id == candidate)
    words = await usage.clean_words("sean brien yilmaz dorde angelo chloe amin lager")
    assert words == ["lager"]


async def test_an_applicants_name_is_never_logged_either():
    """A resident who applied for support (not yet a participant) has the same secrecy: the
    coordinator working the intake queue may type the applicant's name into the slot search."""
    await Application.insert(Application(first_name="Jamal", last_name="Okafor-Nwosu"))
    assert await usage.clean_words("Jamal nwosu okafor lager") == ["lager"]
