"""JSON API of slots: public reading of published slots, management by host users (their own
organisations only; another's answers 404), coordinators and admins (any host), host pause and
resume, municipal coverage, and bulk import and export for coordinators and admins.

The public slot search (`GET /api/v1/slots/search`) belongs to the search package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import (
    Body,
    FromPath,
    FromQuery,
    HeaderParameter,
    JSONBody,
    PathParameter,
    QueryParameter,
)
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET

from employers import schemas as emp
from employers import vocabulary as employer_vocabulary
from marketplace.kernel.auth import AuthUser, public, requires, staff
from marketplace.kernel.errors import ValidationFailed
from marketplace.kernel.openapi import ErrorBody, file_operation
from marketplace.kernel.paging import Limit, Offset
from marketplace.kernel.settings import get_settings
from placements import exchange, vocabulary
from placements.schemas import slots as s
from placements.services import slots

host_side = requires("host", "coordinator", "admin")


def _etag_version(header: str) -> str:
    """The version an If-Match header names (one entity tag, quoted or not, weak or not);
    anything else is a Swedish 400, as a wrong `version` in the body is."""
    tag = header.strip().removeprefix("W/").strip('"')
    if not re.fullmatch(r"[0-9a-f]{1,64}", tag):
        raise ValidationFailed(
            "If-Match ska vara platsens version (fältet version) inom citattecken.",
            fields=["If-Match"],
        )
    return tag


Year = Annotated[int, QueryParameter(ge=2000, le=2100)]
PathYear = Annotated[int, PathParameter(ge=2000, le=2100)]

# Litestar adds "; charset=utf-8" to every text/ type it answers: a charset named here too
# made the CSV's header "text/csv; charset=utf-8; charset=utf-8" (as the report exports' once).
_MEDIA = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# The export's answer is the file it is, in each format, not JSON.
ExportOperation = file_operation(_MEDIA.values())


class SlotController(Controller):
    """Slots. Reading published slots is public; every other handler names its own guard:
    host users manage only their organisations' slots, coordinators and admins any."""

    path = "/api/v1/slots"
    guards = [public]
    tags = ["slots"]

    @get("/", operation_id="listPublishedSlots")
    async def list_slots(
        self,
        kind: FromQuery[vocabulary.SlotKind | None] = None,
        town: Annotated[str | None, QueryParameter(max_length=100)] = None,
        occupation_id: Annotated[str | None, QueryParameter(max_length=20)] = None,
        host_id: FromQuery[int | None] = None,
        setting: FromQuery[employer_vocabulary.Setting | None] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> s.PublicSlotPage:
        """Published slots, newest first; contacts only where the host made them public."""
        return await slots.list_public_slots(
            kind=kind,
            town=town,
            occupation_id=occupation_id,
            host_id=host_id,
            setting=setting,
            limit=limit,
            offset=offset,
        )

    @get("/{slot_id:int}", operation_id="getPublishedSlot")
    async def get_slot(self, slot_id: FromPath[int]) -> s.PublicSlot:
        """One published slot; drafts, paused and closed slots answer 404."""
        return await slots.get_public_slot(slot_id)

    @get("/managed", operation_id="listManagedSlots", guards=[host_side])
    async def list_managed(
        self,
        request: Request[AuthUser, Any, Any],
        host_id: FromQuery[int | None] = None,
        status: FromQuery[s.Status | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.SlotPage:
        """Slots the caller manages, in every status."""
        return await slots.list_managed_slots(
            request.user, host_id=host_id, status=status, limit=limit, offset=offset
        )

    @post("/", operation_id="createSlot", guards=[host_side], status_code=HTTP_201_CREATED)
    async def create_slot(
        self, data: JSONBody[s.SlotCreate], request: Request[AuthUser, Any, Any]
    ) -> s.Slot:
        """Create a slot as a draft."""
        return await slots.create_slot(request.user, data)

    @get("/{slot_id:int}/edit", operation_id="getSlotForEdit", guards=[host_side])
    async def get_for_edit(
        self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> s.Slot:
        """Every field of a slot, any status, for editing."""
        return await slots.get_slot(request.user, slot_id)

    @patch("/{slot_id:int}", operation_id="updateSlot", guards=[host_side])
    async def update_slot(
        self,
        slot_id: FromPath[int],
        data: JSONBody[s.SlotUpdate],
        request: Request[AuthUser, Any, Any],
        if_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-Match",
                max_length=80,
                description='The slot\'s `version` as read, quoted (`"3f2a…"`); as the '
                "body's `version`.",
            ),
        ] = None,
    ) -> s.Slot:
        """Change the fields sent.

        To change the slot only as it was read, send the `version` it was read with (from
        this answer or `getSlotForEdit`), in the body or as `If-Match: "<version>"`: when a
        field has changed since, nothing is saved and the answer is 409, its `fields` the
        fields sent whose stored value is another now. Without a version, the fields sent
        replace whatever is stored."""
        if if_match is not None and data.version is UNSET:
            data = msgspec.structs.replace(data, version=_etag_version(if_match))
        return await slots.update_slot(request.user, slot_id, data)

    @delete(
        "/{slot_id:int}",
        operation_id="deleteSlot",
        guards=[host_side],
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_slot(
        self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> None:
        """Delete an unpublished slot without bookings."""
        await slots.delete_slot(request.user, slot_id)

    @post(
        "/{slot_id:int}/publish",
        operation_id="publishSlot",
        guards=[host_side],
        status_code=HTTP_200_OK,
    )
    async def publish(self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]) -> s.Slot:
        """Publish a draft or paused slot (needs a capacity and a town)."""
        return await slots.change_status(request.user, slot_id, "publish")

    @post(
        "/{slot_id:int}/pause",
        operation_id="pauseSlot",
        guards=[host_side],
        status_code=HTTP_200_OK,
    )
    async def pause(self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]) -> s.Slot:
        """Take a published slot down for a while."""
        return await slots.change_status(request.user, slot_id, "pause")

    @post(
        "/{slot_id:int}/close",
        operation_id="closeSlot",
        guards=[host_side],
        status_code=HTTP_200_OK,
    )
    async def close(self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]) -> s.Slot:
        """Close a slot (it leaves the search; `reopen` undoes it)."""
        return await slots.change_status(request.user, slot_id, "close")

    @post(
        "/{slot_id:int}/reopen",
        operation_id="reopenSlot",
        guards=[host_side],
        status_code=HTTP_200_OK,
    )
    async def reopen(self, slot_id: FromPath[int], request: Request[AuthUser, Any, Any]) -> s.Slot:
        """Undo closing: the slot comes back paused, to be published again when ready."""
        return await slots.change_status(request.user, slot_id, "reopen")


class HostPauseController(Controller):
    """Pausing a host takes all its published slots down; resuming puts them back."""

    path = "/api/v1/hosts"
    guards = [host_side]
    tags = ["hosts"]

    @post("/{host_id:int}/pause", operation_id="pauseHost", status_code=HTTP_200_OK)
    async def pause(
        self, host_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> emp.HostPaused:
        """Pause the organisation: no open slots, the account stays."""
        return await slots.pause_host(request.user, host_id)

    @post("/{host_id:int}/resume", operation_id="resumeHost", status_code=HTTP_200_OK)
    async def resume(
        self, host_id: FromPath[int], request: Request[AuthUser, Any, Any]
    ) -> emp.HostPaused:
        """Resume the organisation: the slots its pause took down are published again."""
        return await slots.resume_host(request.user, host_id)


@get(
    "/api/v1/coverage",
    guards=[requires("admin", "coordinator", "analyst")],
    operation_id="unitCoverage",
    tags=["hosts"],
)
async def coverage(request: Request[AuthUser, Any, Any], year: Year) -> emp.Coverage:
    """Registered, published and used places per municipal unit against its yearly target;
    for an analyst, used places of 1–4 are null and named in `suppressed`."""
    answer = await slots.unit_coverage(year)
    return slots.protect_coverage(answer) if request.user.role == "analyst" else answer


@dataclass
class ImportUpload:
    """The multipart form of an import: the file, and how to treat it."""

    file: UploadFile
    format: str = ""
    source: str = exchange.DEFAULT_SOURCE
    skip_bad_rows: bool = False
    draft: bool = False


class ExchangeController(Controller):
    """Bulk import and export in the slot exchange format, for coordinators and admins."""

    path = "/api/v1/slots"
    guards = [staff]
    tags = ["slots"]

    @post(
        "/import",
        operation_id="importSlots",
        status_code=HTTP_200_OK,
        request_max_body_size=get_settings().max_upload_bytes,
        responses={
            400: ResponseSpec(
                data_container=s.ImportReport | ErrorBody,  # type: ignore[arg-type]
                description="Rader med fel (inget sparades): rapporten, med varje fel rad i "
                "`errors` och vad som ska göras i `detail`. Går filen inte att läsa alls "
                "(format, kodning, rubrikrad, tom fil): ett vanligt felsvar.",
                generate_examples=False,
            )
        },
    )
    async def import_slots(
        self,
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        request: Request[AuthUser, Any, Any],
    ) -> Response[s.ImportReport]:
        """Upload a JSON Lines or CSV file (cells separated by commas, or by semicolons as
        Excel set to Swedish saves it; the header row decides). With bad rows nothing is written (400) unless
        `skip_bad_rows`; the report lists every bad row's line, field and reason."""
        fmt = data.format or exchange.guess_format(data.file.filename or "")
        if fmt not in exchange.FORMATS:
            raise ValidationFailed("Formatet ska vara jsonl eller csv.", fields=["format"])
        source = data.source.strip()[:60] or exchange.DEFAULT_SOURCE
        content = await data.file.read()
        try:
            report = await exchange.import_slots(
                content,
                fmt,
                actor=request.user,
                source=source,
                skip_bad_rows=data.skip_bad_rows,
                draft=data.draft,
            )
        except exchange.ExchangeError as exc:
            raise ValidationFailed(str(exc), fields=["file"]) from None
        return Response(report, status_code=HTTP_200_OK if report.written else 400)

    @get("/export", operation_id="exportSlots", operation_class=ExportOperation)
    async def export_slots(
        self,
        format: FromQuery[Literal["jsonl", "csv", "xlsx"]] = "jsonl",
        status: FromQuery[s.Status | None] = None,
        source: Annotated[str | None, QueryParameter(max_length=60)] = None,
    ) -> Response[bytes]:
        """Every slot (or those with the status or source given) as a file to download."""
        body = await exchange.export_slots(format, status=status, source=source)
        return Response(
            body,
            media_type=_MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="platser.{format}"'},
        )


ROUTES = [
    SlotController,
    HostPauseController,
    coverage,
    ExchangeController,
]
