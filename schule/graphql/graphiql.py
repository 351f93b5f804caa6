"""The GraphiQL page ``/graphql`` shows to a browser, from assets bundled in the package.

Strawberry's own GraphiQL page loads React and GraphiQL from a CDN (unpkg); ours loads the same
GraphiQL (3.8.3, with React 18) from ``schule/web/static/graphiql/`` (versions, licences and how to
update them: the README there), through the app's ``/static`` mount with content-hash URLs. So the
page's Content-Security-Policy can name this server only: scripts from files (no inline code, no
``eval``), stylesheets from files, requests to this server, and the fonts GraphiQL's stylesheet
carries as ``data:`` URLs. One exception: GraphiQL's dialogs (settings, keyboard shortcuts) lock the
page's scrolling with a ``<style>`` element they write at run time (``react-remove-scroll``, whose
nonce hook is internal to the bundle), so ``style-src-elem`` allows inline ``<style>`` elements;
inline ``style=""`` attributes and inline scripts stay forbidden. A style cannot fetch anything
from elsewhere either: images, fonts and requests are limited to this server and ``data:``.
The browser test ``tests/e2e/web/test_graphiql.py`` proves GraphiQL runs under exactly this policy.
"""

from __future__ import annotations

import functools
import hashlib
from html import escape

from schule.web.rendering import STATIC

ASSETS = STATIC / "graphiql"
STYLES = ("graphiql/graphiql.min.css", "graphiql/page.css")
# in this order: GraphiQL's UMD build expects React and ReactDOM as globals
SCRIPTS = (
    "graphiql/react.production.min.js",
    "graphiql/react-dom.production.min.js",
    "graphiql/graphiql.min.js",
    "graphiql/start.js",
)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-elem 'self' 'unsafe-inline'; "
    "font-src data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

DEFAULT_QUERY = """# GraphiQL für die GraphQL-API der Smart Cities: Schule.
# Strg+Enter führt die Abfrage aus; das Schema mit allen Beschreibungen
# zeigt die Dokumentation (Buch-Symbol links).
{
  search(query: "Mobilität", first: 5) {
    total
    hits {
      kind
      title
      node {
        ... on Project { slug summary communes { name } }
        ... on Lesson { slug text }
      }
    }
  }
}
"""

PAGE = """<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL – Smart Cities: Schule</title>
<link rel="icon" href="{favicon}">
{styles}
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}" data-default-query="{default_query}">GraphiQL wird geladen …</div>
{scripts}
</body>
</html>
"""


@functools.cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def _url(name: str) -> str:
    return f"/static/{name}?v={_version(name)}"


def graphiql_html(endpoint: str) -> str:
    """The page for GraphiQL on ``endpoint`` (the path it was asked for)."""
    return PAGE.format(
        favicon=escape(_url("favicon.svg")),
        styles="\n".join(f'<link rel="stylesheet" href="{escape(_url(s))}">' for s in STYLES),
        scripts="\n".join(f'<script src="{escape(_url(s))}"></script>' for s in SCRIPTS),
        endpoint=escape(endpoint),
        default_query=escape(DEFAULT_QUERY),
    )
