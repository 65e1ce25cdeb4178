"""chatsum: local-first summaries and answers over exported group chats."""

__version__ = "0.1.0"
