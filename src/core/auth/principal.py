from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """Who is calling: a local user (built-in token) or an OIDC subject."""

    subject: str
    email: str
    name: str
    roles: frozenset[str]
    user_id: int | None = None
    agency: str | None = None
    source: str = "local"
    claims: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def actor(self) -> str:
        """How the audit trail and history name this caller."""
        return f"user:{self.user_id}" if self.user_id is not None else f"oidc:{self.subject}"
