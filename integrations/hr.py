"""HR (人事給与システム): who holds which post (職位) in which unit on a date, who is away (不在), and who
substitutes for whom (代決順位).

``HrClient`` is what activities and the API depend on; ``HttpHrClient`` is the real one (httpx), used
against the HR stub in dev and tests.  A 404 becomes ``HrNotFound``, a refused absence (422) ``HrInvalid``, a
posting HR refuses for a business reason (409, e.g. the leave balance) ``HrRefused``;
every other failure (5xx, timeouts, refused connections) propagates as ``httpx.HTTPStatusError`` /
``httpx.TransportError`` so that Temporal retries the activity.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from integrations.http import HttpServiceClient
from schemas.general_affairs import LeaveBalances
from schemas.org import Absence, AbsenceKind, OrgUnit, StaffRef
from schemas.transfers import TransferPlan


class AbsentAnswer(BaseModel):
    """What we read of HR's answer to ``GET /staff/{id}/absent``."""

    absent: bool
    absences: list[Absence]


class SubstitutionAnswer(BaseModel):
    """What we read of one item of HR's answer to ``GET /staff/{id}/substituting``: whom one may act for."""

    absent: StaffRef


class PostingAnswer(BaseModel):
    """What we read of HR's answer to ``POST /postings/{kind}``."""

    id: int


_STAFF_LIST = TypeAdapter(list[StaffRef])
_ABSENCE_LIST = TypeAdapter(list[Absence])
_SUBSTITUTIONS = TypeAdapter(list[SubstitutionAnswer])


class HrNotFound(LookupError):
    """HR does not know the staff member, org unit, post or absence (or the person holds no post on that date)."""


class HrInvalid(ValueError):
    """HR refused the request as invalid (422): an unknown staff member, an end before the start …"""


class HrRefused(Exception):
    """HR refused a posting for a business reason (409): ``type`` is stable, e.g. ``leave_balance_insufficient``."""

    def __init__(self, type_: str, detail: str) -> None:
        super().__init__(detail)
        self.type = type_
        self.detail = detail


class HrClient(Protocol):
    """Read-only look-ups in HR.  ``as_of`` None means today (in Japan, as HR sees it)."""

    async def ping(self, *, within: float) -> None:
        """Raise (``httpx.HTTPError``) unless the system answers its health check within ``within`` seconds."""
        ...

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> StaffRef:
        """The person in the post they hold on ``as_of``; ``HrNotFound`` if unknown or without a post."""
        ...

    async def get_org_unit(self, code: str, *, as_of: date | None = None) -> OrgUnit:
        """One org unit (部・課) as of ``as_of``; ``HrNotFound`` if unknown."""
        ...

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        """Who holds ``post`` in ``org_unit`` on ``as_of`` (maybe nobody); ``HrNotFound`` if unknown."""
        ...

    async def absences(self, staff_id: str, *, on: date) -> list[Absence]:
        """The staff member's absences (不在) covering ``on``; ``HrNotFound`` if unknown."""
        ...

    async def is_absent(self, staff_id: str, *, on: date) -> bool:
        """Whether the staff member is away (休暇, 出張) on ``on``; ``HrNotFound`` if unknown."""
        ...

    async def substitutes(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        """代決順位: the holders of the substitute posts of ``post`` in ``org_unit`` on ``as_of``, first first.

        Absences are not considered; ``HrNotFound`` if the org unit or post is unknown.
        """
        ...

    async def substituting(self, staff_id: str, *, on: date) -> list[StaffRef]:
        """The absent post holders the staff member may act for (代決) on ``on``; ``HrNotFound`` if unknown."""
        ...

    async def add_absence(
        self,
        staff_id: str,
        *,
        kind: AbsenceKind,
        start: date,
        end: date,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> Absence:
        """Register 不在 from ``start`` to ``end`` (inclusive), once per key; ``HrInvalid`` if refused."""
        ...

    async def delete_absence(self, absence_id: int) -> None:
        """Cancel an absence; ``HrNotFound`` if there is none with that id."""
        ...

    async def post_record(self, kind: str, payload: dict[str, Any], *, key: str) -> int:
        """Post a decided 休暇 / 時間外勤務 / 出張 (``kind``) once per ``key``: its posting id.

        ``HrRefused`` if HR refuses it (e.g. the leave balance is insufficient), ``HrInvalid`` if it is invalid.
        """

    async def get_absence(self, absence_id: int) -> Absence:
        """One absence; ``HrNotFound`` if there is none with that id."""
        ...

    async def list_absences(self, *, staff_id: str | None = None, on: date | None = None) -> list[Absence]:
        """Absences, optionally of one staff member and covering one day, by start date."""
        ...

    async def apply_transfer(self, transfer_id: str, plan: TransferPlan) -> None:
        """人事異動: write the next org chart, once per transfer id; ``HrInvalid`` if refused."""
        ...

    async def leave_balances(self, staff_id: str, *, year: int) -> LeaveBalances:
        """休暇の残 in calendar year ``year`` (年次有給休暇 with 繰越, 時間単位, 特別休暇) from what HR has been
        posted; ``HrNotFound`` if the staff member is unknown."""
        ...


class HttpHrClient(HttpServiceClient):
    """``HrClient`` over HTTP.  Use as ``async with HttpHrClient(url) as hr:`` or call ``aclose()``."""

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> StaffRef:
        data = await self._get(f"/staff/{quote(staff_id, safe='')}", _as_of(as_of))
        return StaffRef.model_validate(data)

    async def get_org_unit(self, code: str, *, as_of: date | None = None) -> OrgUnit:
        return OrgUnit.model_validate(await self._get(f"/org-units/{quote(code, safe='')}", _as_of(as_of)))

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        data = await self._get("/holders", {"org_unit": org_unit, "post": post, **_as_of(as_of)})
        return _STAFF_LIST.validate_python(data)

    async def absences(self, staff_id: str, *, on: date) -> list[Absence]:
        return (await self._absent(staff_id, on=on)).absences

    async def is_absent(self, staff_id: str, *, on: date) -> bool:
        return (await self._absent(staff_id, on=on)).absent

    async def substitutes(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        data = await self._get("/substitutes", {"org_unit": org_unit, "post": post, **_as_of(as_of)})
        return _STAFF_LIST.validate_python(data)

    async def substituting(self, staff_id: str, *, on: date) -> list[StaffRef]:
        data = await self._get(f"/staff/{quote(staff_id, safe='')}/substituting", {"on": on.isoformat()})
        return [item.absent for item in _SUBSTITUTIONS.validate_python(data)]

    async def add_absence(
        self,
        staff_id: str,
        *,
        kind: AbsenceKind,
        start: date,
        end: date,
        note: str = "",
        idempotency_key: str | None = None,
    ) -> Absence:
        body = {"staff_id": staff_id, "kind": kind, "start": start.isoformat(), "end": end.isoformat(), "note": note}
        headers = {} if idempotency_key is None else {"Idempotency-Key": idempotency_key}
        response = await self._http.post("/absences", json=body, headers=headers)
        return Absence.model_validate(_checked(response).json())

    async def delete_absence(self, absence_id: int) -> None:
        _checked(await self._http.delete(f"/absences/{absence_id}"))

    async def post_record(self, kind: str, payload: dict[str, Any], *, key: str) -> int:
        response = await self._http.post(
            f"/postings/{quote(kind, safe='')}", json=payload, headers={"Idempotency-Key": key}
        )
        if response.status_code == httpx.codes.CONFLICT:
            body = response.json()
            raise HrRefused(str(body.get("type", "refused")), str(body.get("detail", "refused by HR")))
        return PostingAnswer.model_validate(_checked(response).json()).id

    async def get_absence(self, absence_id: int) -> Absence:
        return Absence.model_validate(await self._get(f"/absences/{absence_id}"))

    async def list_absences(self, *, staff_id: str | None = None, on: date | None = None) -> list[Absence]:
        params = {k: v for k, v in {"staff_id": staff_id, "on": on.isoformat() if on else None}.items() if v}
        return _ABSENCE_LIST.validate_python(await self._get("/absences", params))

    async def apply_transfer(self, transfer_id: str, plan: TransferPlan) -> None:
        body = plan.model_dump(mode="json")
        _checked(await self._http.put(f"/org/transfers/{quote(transfer_id, safe='')}", json=body, timeout=120))

    async def leave_balances(self, staff_id: str, *, year: int) -> LeaveBalances:
        data = await self._get(f"/staff/{quote(staff_id, safe='')}/leave-balances", {"year": str(year)})
        return LeaveBalances.model_validate(data)

    async def _absent(self, staff_id: str, *, on: date) -> AbsentAnswer:
        data = await self._get(f"/staff/{quote(staff_id, safe='')}/absent", {"on": on.isoformat()})
        return AbsentAnswer.model_validate(data)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return _checked(await self._http.get(path, params=params)).json()


def _checked(response: httpx.Response) -> httpx.Response:
    """``response`` if it succeeded; ``HrNotFound`` for 404, ``HrInvalid`` for 422, else ``HTTPStatusError``."""
    if response.status_code == httpx.codes.NOT_FOUND:
        raise HrNotFound(_detail(response))
    if response.status_code == httpx.codes.UNPROCESSABLE_ENTITY:
        raise HrInvalid(_detail(response))
    response.raise_for_status()
    return response


def _as_of(as_of: date | None) -> dict[str, str]:
    return {} if as_of is None else {"as_of": as_of.isoformat()}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # FastAPI's validation errors
        detail = "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in detail)
    if detail:
        return str(detail)
    return f"{response.request.method} {response.request.url.path}: {response.status_code}"
