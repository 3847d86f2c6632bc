from core.audit.service import record, seal, seal_all, verify

__all__ = ["record", "seal", "seal_all", "verify"]
