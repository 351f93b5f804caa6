"""The web app's routes, for ``create_app`` to include: ``routes=[…, *web_routes(graphql_view)]``."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from schule.auth.ratelimit import Limits
from schule.graphql.view import GraphQLView
from schule.web import (
    action_pages,
    detail_pages,
    edit_pages,
    feeds,
    freshness_pages,
    legal_pages,
    list_pages,
    member_pages,
    moderation_pages,
)
from schule.web.account_pages import account_routes
from schule.web.api import Api
from schule.web.open_data import open_data_routes
from schule.web.pages import Pages
from schule.web.rendering import STATIC, Renderer
from schule.web.search_page import search_page
from schule.web.statistics_page import statistics_page


class CachedStatic(StaticFiles):
    """Static files; URLs carry a content hash (``Renderer.static_url``), so they may be cached for long."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def web_routes(graphql: GraphQLView, limits: Limits | None = None) -> list[BaseRoute]:
    """Pages at ``/`` that run their GraphQL documents through ``graphql``'s schema and context;
    their forms' mutations count against ``limits.mutations`` like mutations sent to ``/graphql``."""
    pages = Pages(Api(graphql, limits.mutations if limits else None), Renderer())
    detail = [
        ("/projekte/{id}", detail_pages.project_page),
        ("/erkenntnisse/{id}", detail_pages.lesson_page),
        ("/uebernahmen/{id}", detail_pages.adaptation_page),
        ("/kommunen/{id}", detail_pages.commune_page),
        ("/personen/{id}", detail_pages.person_page),
        ("/handlungsfelder/{id}", detail_pages.handlungsfeld_page),
        ("/netzwerke/{id}", detail_pages.network_page),
        ("/veranstaltungen/{id}", detail_pages.event_page),
        ("/organisationen/{id}", detail_pages.organisation_page),
    ]
    return [
        Route("/", pages.endpoint(search_page), methods=["GET"]),
        # -- browsing: lists with facets, and their Atom feeds (list_pages.py, feeds.py)
        Route("/projekte", pages.endpoint(list_pages.projects_page), methods=["GET"]),
        Route("/erkenntnisse", pages.endpoint(list_pages.lessons_page), methods=["GET"]),
        Route("/projekte.atom", pages.endpoint(feeds.projects_feed), methods=["GET"]),
        Route("/erkenntnisse.atom", pages.endpoint(feeds.lessons_feed), methods=["GET"]),
        Route("/suche.atom", pages.endpoint(feeds.search_feed), methods=["GET"]),
        # -- end browsing
        *(Route(path, pages.endpoint(handler), methods=["GET"]) for path, handler in detail),
        Route("/anmelden", pages.endpoint(member_pages.sign_in_page), methods=["GET"]),
        Route("/einreichen/projekt", pages.endpoint(member_pages.submit_project_page), methods=["GET", "POST"]),
        Route("/einreichen/erkenntnis", pages.endpoint(member_pages.submit_lesson_page), methods=["GET", "POST"]),
        Route("/veraltet", pages.endpoint(freshness_pages.stale_page), methods=["GET", "POST"]),
        Route("/meine-einreichungen", pages.endpoint(moderation_pages.my_submissions_page), methods=["GET", "POST"]),
        Route("/pruefen", pages.endpoint(moderation_pages.review_page), methods=["GET", "POST"]),
        # -- Netzwerk und Statistik --
        Route("/statistik", pages.endpoint(statistics_page), methods=["GET"]),
        # members edit, resubmit and withdraw their entries (edit_pages)
        Route("/projekte/{id}/bearbeiten", pages.endpoint(edit_pages.edit_project_page), methods=["GET", "POST"]),
        Route("/erkenntnisse/{id}/bearbeiten", pages.endpoint(edit_pages.edit_lesson_page), methods=["GET", "POST"]),
        Route("/projekte/{id}/zurueckziehen", pages.endpoint(edit_pages.withdraw_project_page),
              methods=["GET", "POST"]),
        Route("/erkenntnisse/{id}/zurueckziehen", pages.endpoint(edit_pages.withdraw_lesson_page),
              methods=["GET", "POST"]),
        # -- project actions --
        Route("/projekte/{id}/uebernehmen", pages.endpoint(action_pages.adopt_page), methods=["GET", "POST"]),
        *open_data_routes(pages),
        # public-sector basics and accounts (schule.web.legal_pages, schule.web.account_pages)
        Route("/impressum", pages.endpoint(legal_pages.imprint_page), methods=["GET"]),
        Route("/datenschutz", pages.endpoint(legal_pages.privacy_page), methods=["GET"]),
        Route("/barrierefreiheit", pages.endpoint(legal_pages.accessibility_page), methods=["GET"]),
        *account_routes(pages, limits),
        Mount("/static", CachedStatic(directory=STATIC), name="static"),
    ]
