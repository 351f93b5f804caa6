"""The committed SDL contract ``schema/schema.graphql``: printed from the code, checked for drift."""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

from schule.settings import Settings

REPO = Path(__file__).resolve().parent.parent.parent
SCHEMA_FILE = REPO / "schema" / "schema.graphql"


def render_sdl(settings: Settings | None = None) -> str:
    from schule.graphql.schema import build_schema

    return print_schema(build_schema(settings or Settings())) + "\n"


def write_sdl(settings: Settings | None = None, path: Path = SCHEMA_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_sdl(settings), encoding="utf-8")


def check_sdl(settings: Settings | None = None, path: Path = SCHEMA_FILE) -> str | None:
    """None if ``path`` matches the code, else a one-line reason."""
    if not path.exists():
        return f"{path} fehlt; 'schule schema' schreibt sie"
    if path.read_text(encoding="utf-8") != render_sdl(settings):
        return f"{path} weicht vom Code ab; 'schule schema' schreibt sie neu"
    return None
