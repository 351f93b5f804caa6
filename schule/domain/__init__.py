"""Domain model: kinds, enums and the entity dataclasses the store returns."""

from schule.domain.model import *  # noqa: F403
