from core.outbox.service import enqueue_email

__all__ = ["enqueue_email"]
