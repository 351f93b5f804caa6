"""``/impressum``, ``/datenschutz`` and ``/barrierefreiheit``: what a public-sector website must say.

The operator's name, address and contacts come from the settings (``SCHULE_OPERATOR_*``); whatever
is unset is named as not configured on the page, never filled in with a guess. The texts describe
what this app really stores (accounts, sessions, server logs) and what it does not do (tracking,
external resources: the CSP allows nothing but this server).
"""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from schule.auth.credentials import SESSION_HOURS
from schule.settings import Settings
from schule.web.pages import Pages


def _operator(request: Request) -> dict[str, object]:
    settings: Settings = request.app.state.schule.settings
    return {
        "name": settings.operator_name, "address": settings.operator_address, "email": settings.operator_email,
        "phone": settings.operator_phone, "representative": settings.operator_representative,
        "responsible": settings.content_responsible, "privacy_officer": settings.privacy_officer,
        "accessibility_date": date.fromisoformat(settings.accessibility_date) if settings.accessibility_date else None,
    }


async def imprint_page(pages: Pages, request: Request) -> Response:
    return pages.render(request, "impressum.html", operator=_operator(request))


async def privacy_page(pages: Pages, request: Request) -> Response:
    return pages.render(request, "datenschutz.html", operator=_operator(request), session_hours=SESSION_HOURS)


async def accessibility_page(pages: Pages, request: Request) -> Response:
    return pages.render(request, "barrierefreiheit.html", operator=_operator(request))
