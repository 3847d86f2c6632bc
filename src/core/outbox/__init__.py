from core.outbox.service import enqueue_email, queue_email

__all__ = ["enqueue_email", "queue_email"]
