"""The web app for members and moderators: server-rendered German pages at ``/``.

Pages are a frontend like any other: every handler runs GraphQL documents (``documents.py``)
against the same schema the ``/graphql`` endpoint serves, with the same per-request context,
in-process (``api.py``). Nothing here reads the store directly. Templates and static files ship
inside the package (no CDN), and every page works without JavaScript.
"""
