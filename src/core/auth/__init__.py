from core.auth.deps import CurrentUser, OptionalUser, Principal, public, require

__all__ = ["CurrentUser", "OptionalUser", "Principal", "public", "require"]
