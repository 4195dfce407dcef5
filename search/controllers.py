"""The public slot search API and the occupation autocomplete."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from marketplace.kernel.auth import AuthUser, admin_only, public, requires, staff
from marketplace.reference import taxonomy_changes
from search import taxonomy_cache, vocabulary
from search.queries import slot_query
from search.schemas import (
    MAX_SEARCH_LENGTH,
    MAX_TOWN_LENGTH,
    CandidateMatches,
    EverydayWordIn,
    EverydayWordOut,
    EverydayWordsOut,
    OccupationOut,
    OccupationSuggestionOut,
    SearchResponse,
    SlotMatches,
    SlotTextIn,
    TaxonomyOut,
)
from search.services import match_candidates, match_slots, run_search
from search.suggest import suggestions_for


class SearchController(Controller):
    path = "/api/v1"
    guards = [public]
    tags = ["search"]

    @get("/slots/search", operation_id="searchSlots")
    async def search_slots(
        self,
        q: Annotated[str, Parameter(max_length=MAX_SEARCH_LENGTH)] = "",
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=10000)] = 0,
        kind: FromQuery[str | None] = None,
        track: FromQuery[str | None] = None,
        town: Annotated[str | None, Parameter(max_length=MAX_TOWN_LENGTH)] = None,
        near: Annotated[str | None, Parameter(max_length=60)] = None,
        radius_km: Annotated[float | None, Parameter(gt=0, le=1000)] = None,
        max_hours: Annotated[int | None, Parameter(ge=1, le=40)] = None,
        min_hours: Annotated[int | None, Parameter(ge=1, le=40)] = None,
        adaptations: Annotated[str | None, Parameter(max_length=500)] = None,
        driving_licence: FromQuery[bool | None] = None,
        open_only: Annotated[bool, QueryParameter(name="open")] = True,
    ) -> SearchResponse:
        """Search published slots, typo-tolerant and Swedish-aware, with filters.

        `why` explains each hit per query word. An empty `q` lists by distance (with `near`)
        or newest first. `driving_licence=false` keeps only slots that need no licence.
        """
        query = slot_query(
            q,
            limit=limit,
            offset=offset,
            kind=kind,
            track=track,
            town=town,
            near=near,
            radius_km=radius_km,
            max_hours=max_hours,
            min_hours=min_hours,
            adaptations=adaptations,
            driving_licence=driving_licence,
            open_only=open_only,
        )
        return await run_search(query)

    @get("/taxonomy/occupations", operation_id="suggestOccupations")
    async def suggest_occupations(
        self,
        q: Annotated[str, Parameter(min_length=1, max_length=100)],
        limit: Annotated[int, Parameter(ge=1, le=50)] = 10,
    ) -> list[OccupationOut]:
        """Occupation autocomplete for forms: typo-tolerant, with the SSYK-4 group."""
        return [
            OccupationOut(id=s.id, label=s.label, ssyk=s.ssyk, group=s.group_label)
            for s in taxonomy_cache.suggest_occupations(q, limit)
        ]

    @get("/taxonomy", operation_id="taxonomyVersion")
    async def taxonomy_version(self) -> TaxonomyOut:
        """Which JobTech Taxonomy version the service holds, how many occupations, and how many
        outdated occupation ids it can still resolve (and where that knowledge comes from)."""
        v = taxonomy_changes.taxonomy_version()
        return TaxonomyOut(
            name=v.name,
            version=v.version,
            published=v.published,
            occupations=v.occupations,
            replaced_ids=v.replaced_ids,
            replaced_ids_source=v.replaced_ids_source,
            alternative_labels_source=v.alternative_labels_source,
        )


class OccupationSuggestionController(Controller):
    """Occupation suggestions for the slot a host is writing: hosts, coordinators, admins."""

    path = "/api/v1/taxonomy/occupation-suggestions"
    guards = [requires("host", "coordinator", "admin")]
    tags = ["search"]

    @post("/", operation_id="suggestOccupationsForSlot", status_code=200)
    async def suggest_for_slot(self, data: JSONBody[SlotTextIn]) -> list[OccupationSuggestionOut]:
        """The three likeliest taxonomy occupations for a slot's title and description, best
        first, each with the words of the text that speak for it. Send what the host has
        written so far; 400 when it holds no word."""
        return [
            OccupationSuggestionOut(
                id=s.id, label=s.label, ssyk=s.ssyk, group=s.group_label, words=list(s.words)
            )
            for s in await suggestions_for(data.title, data.description)
        ]


class MatchController(Controller):
    """Matching both ways. Coordinators and admins only; every participant shown is audited."""

    path = "/api/v1/matching"
    guards = [staff]
    tags = ["search"]

    @get("/candidates/{candidate_id:int}/slots", operation_id="matchSlotsForCandidate")
    async def slots_for_candidate(
        self,
        candidate_id: FromPath[int],
        request: Request[AuthUser, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=10000)] = 0,
    ) -> SlotMatches:
        """Published slots that suit the participant's profile, best first, with reasons."""
        return await match_slots(request.user, candidate_id, limit=limit, offset=offset)

    @get("/slots/{slot_id:int}/candidates", operation_id="matchCandidatesForSlot")
    async def candidates_for_slot(
        self,
        slot_id: FromPath[int],
        request: Request[AuthUser, Any, Any],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=10000)] = 0,
    ) -> CandidateMatches:
        """Active participants the caller may see who suit the slot, with reasons."""
        return await match_candidates(request.user, slot_id, limit=limit, offset=offset)


class EverydayWordController(Controller):
    """Everyday words beside the built-in table: admins add and remove them."""

    path = "/api/v1/search/everyday-words"
    guards = [admin_only]
    tags = ["search"]

    @get("/", operation_id="listEverydayWords")
    async def list_words(self) -> EverydayWordsOut:
        """The added everyday words, and the built-in ones, each with its taxonomy words."""
        return await vocabulary.list_words()

    @post("/", operation_id="addEverydayWord", status_code=HTTP_201_CREATED)
    async def add_word(
        self, data: JSONBody[EverydayWordIn], request: Request[AuthUser, Any, Any]
    ) -> EverydayWordOut:
        """Teach the search an everyday word: every worker uses it from its next search."""
        return await vocabulary.add_word(request.user, data)

    @delete("/{word:str}", operation_id="removeEverydayWord", status_code=HTTP_204_NO_CONTENT)
    async def remove_word(self, word: FromPath[str], request: Request[AuthUser, Any, Any]) -> None:
        """Remove an added everyday word (built-in words cannot be removed here)."""
        await vocabulary.remove_word(request.user, word)


ROUTES = [SearchController, OccupationSuggestionController, MatchController, EverydayWordController]
