from core.audit.service import record, verify

__all__ = ["record", "verify"]
