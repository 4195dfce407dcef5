"""JSON API of candidates (deltagare): the coordinator's record, health notes, the
arbetsmarknadsplan, and the narrow view a host gets of a participant proposed to it.

Every handler reads or changes a candidate through one service call that checks access and
writes the audit row. Analysts have no route here: they never see a person.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from marketplace.kernel.auth import AuthUser, requires, staff
from marketplace.kernel.paging import Limit, Offset
from placements import vocabulary
from placements.schemas import candidates as s
from placements.services import candidate_updates, candidates

Req = Request[AuthUser, Any, Any]


class CandidateController(Controller):
    """Candidates, for coordinators (their own, and their team's when sharing is on) and
    admins. Another coordinator's candidate answers 404."""

    path = "/api/v1/candidates"
    guards = [staff]
    tags = ["candidates"]

    @get("/", operation_id="listCandidates")
    async def list_candidates(
        self,
        request: Req,
        status: FromQuery[vocabulary.CaseStatus | None] = None,
        q: FromQuery[Annotated[str, msgspec.Meta(max_length=100)] | None] = None,
        sort: FromQuery[candidates.SortKey] = "name",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.CandidatePage:
        """The caller's candidates; the personnummer is masked.

        `q` finds by name: å, ä and ö may be written a, a and o ("aa" for å), first and last
        name in either order, part of a name. A `q` that looks like a personnummer answers
        400: search on the number with `POST /api/v1/candidates/search`. `sort` is `name`,
        `registered`, `status` or `updated` (last changed), with "-" first for descending.
        """
        return await candidates.list_candidates_for(
            request.user, status=status, q=q, sort=sort, limit=limit, offset=offset
        )

    @post("/search", operation_id="searchCandidatesByPersonnummer", status_code=200)
    async def search_by_personnummer(
        self,
        request: Req,
        data: JSONBody[s.PersonnummerSearch],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.CandidatePage:
        """Exact search on a personnummer or samordningsnummer (12 or 10 digits, with or
        without "-"), posted so that the number never stands in a URL. A partial or invalid
        number finds nothing; every search is audited."""
        return await candidates.find_by_personnummer(
            request.user, data.personnummer, limit=limit, offset=offset
        )

    @post("/", operation_id="createCandidate", status_code=HTTP_201_CREATED)
    async def create_candidate(
        self, request: Req, data: JSONBody[s.CandidateCreate]
    ) -> s.Candidate:
        """Register a participant (personnummer or samordningsnummer optional, validated)."""
        return await candidates.create_candidate(request.user, data)

    @get("/{candidate_id:int}", operation_id="getCandidate")
    async def get_candidate(self, request: Req, candidate_id: FromPath[int]) -> s.Candidate:
        """The full record (the read is logged)."""
        return await candidates.get_candidate_for(request.user, candidate_id)

    @patch("/{candidate_id:int}", operation_id="updateCandidate")
    async def update_candidate(
        self, request: Req, candidate_id: FromPath[int], data: JSONBody[s.CandidateUpdate]
    ) -> s.Candidate:
        """Change the fields sent."""
        return await candidate_updates.update_candidate(request.user, candidate_id, data)

    @get("/{candidate_id:int}/health-notes", operation_id="listHealthNotes")
    async def list_health_notes(
        self, request: Req, candidate_id: FromPath[int]
    ) -> list[s.HealthNote]:
        """Health notes: only the candidate's own coordinator may read them."""
        return await candidates.list_health_notes(request.user, candidate_id)

    @post(
        "/{candidate_id:int}/health-notes",
        operation_id="addHealthNote",
        status_code=HTTP_201_CREATED,
    )
    async def add_health_note(
        self, request: Req, candidate_id: FromPath[int], data: JSONBody[s.HealthNoteCreate]
    ) -> s.HealthNote:
        """Add a health note (the candidate's own coordinator only)."""
        return await candidates.add_health_note(request.user, candidate_id, data)

    @get("/{candidate_id:int}/plan", operation_id="getPlan")
    async def get_plan(self, request: Req, candidate_id: FromPath[int]) -> s.Plan:
        """The arbetsmarknadsplan: goal and planned activities."""
        return await candidates.get_plan_for(request.user, candidate_id)

    @post(
        "/{candidate_id:int}/plan/activities",
        operation_id="addPlanActivity",
        status_code=HTTP_201_CREATED,
    )
    async def add_plan_activity(
        self, request: Req, candidate_id: FromPath[int], data: JSONBody[s.PlanActivityCreate]
    ) -> s.PlanActivity:
        """Add a planned activity with dates."""
        return await candidates.add_plan_activity(request.user, candidate_id, data)

    @patch(
        "/{candidate_id:int}/plan/activities/{activity_id:int}",
        operation_id="updatePlanActivity",
    )
    async def update_plan_activity(
        self,
        request: Req,
        candidate_id: FromPath[int],
        activity_id: FromPath[int],
        data: JSONBody[s.PlanActivityUpdate],
    ) -> s.PlanActivity:
        """Change a planned activity: dates, status, follow-up."""
        return await candidates.update_plan_activity(request.user, candidate_id, activity_id, data)

    @delete(
        "/{candidate_id:int}/plan/activities/{activity_id:int}",
        operation_id="deletePlanActivity",
    )
    async def delete_plan_activity(
        self, request: Req, candidate_id: FromPath[int], activity_id: FromPath[int]
    ) -> None:
        """Remove a planned activity from the plan (204)."""
        await candidates.delete_plan_activity(request.user, candidate_id, activity_id)


class ParticipantController(Controller):
    """What a host user may see of a participant proposed to or placed with its organisation
    (`placements.booking_states.host_view`: the one rule of every host path)."""

    path = "/api/v1/participants"
    guards = [requires("host")]
    tags = ["candidates"]

    @get("/{candidate_id:int}", operation_id="getParticipantForHost")
    async def get_participant(self, request: Req, candidate_id: FromPath[int]) -> s.HostParticipant:
        """The first name and the adaptations the participant agreed to share; the last
        name, e-mail and phone (null until then) once the host has accepted a proposal of
        the participant. 404 when no booking at the host's organisations shows the
        participant (never proposed, declined or withdrawn)."""
        return await candidates.get_participant_for_host(request.user, candidate_id)


ROUTES = [CandidateController, ParticipantController]
