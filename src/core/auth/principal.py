from __future__ import annotations

import hashlib
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
        if self.user_id is not None:
            return f"user:{self.user_id}"
        subject = self.subject
        if len(subject) > 180:  # audit/history columns hold 200 characters; OIDC allows 255
            subject = "sha256:" + hashlib.sha256(subject.encode()).hexdigest()
        return f"oidc:{subject}"
