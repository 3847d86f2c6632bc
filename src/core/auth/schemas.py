from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, Strict, StringConstraints, field_validator

from core.auth.passwords import MIN_LENGTH
from core.auth.roles import Role

def _stripped_not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# The length limit applies to what was sent (as the OpenAPI schema says), then it is stripped.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_stripped_not_blank)]
Password = Annotated[str, StringConstraints(min_length=MIN_LENGTH, max_length=256)]
# A role's name in a strict model (strict alone would want an enum member, not its JSON string).
RoleIn = Annotated[Role, Strict(False)]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds")


class MeOut(BaseModel):
    id: int | None = Field(description="null for an OIDC caller without a local user")
    email: str
    name: str
    roles: list[Role]
    agency: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    email: Annotated[EmailStr, Field(max_length=254)]
    name: Name
    password: Password | None = None
    roles: list[RoleIn] = Field(default_factory=list, max_length=len(Role))
    agency: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    is_active: bool = True

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name | None = None
    password: Password | None = None
    roles: list[RoleIn] | None = Field(default=None, max_length=len(Role))
    agency: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    is_active: bool | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    roles: list[Role]
    agency: str | None
    is_active: bool


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class SessionUser(BaseModel):
    id: int
    email: str
    name: str


class SessionOut(BaseModel):
    user: SessionUser
    roles: list[Role]
    csrf_token: str = Field(description="send it as X-CSRF-Token on every POST, PUT, PATCH and DELETE")
    expires_at: dt.datetime = Field(
        description="when the session ends unless used again (the idle limit), or its absolute end if sooner")


class SingleSignOnOut(BaseModel):
    label: str = Field(description="the words of the sign-in page's button, e.g. 'Sign in with your organisation's account'")
    login_url: str = Field(description="where the button goes (add ?next=/path inside the app)")


class AuthOptionsOut(BaseModel):
    """How staff may sign in here: shown by the staff app's sign-in page."""

    password: bool = True
    oidc: SingleSignOnOut | None = Field(default=None, description="null unless an OpenID Connect issuer is configured")
