"""schule: the knowledge-transfer network of the Smart Cities: Schule.

A graph of communes, people, projects, lessons learned and Handlungsfelder, served through a
GraphQL API and a German full-text search. Nothing happens at import time: build the app with
``schule.app.create_app(settings)`` or use the ``schule`` command.
"""

__version__ = "0.1.0"
