"""The one error type of the Open311 server: rendered in the spec's format, not as problem+json."""

from __future__ import annotations


class Open311Error(Exception):
    """A refusal in the spec's format: the HTTP status (also the error's ``code``), a stable key, zh-CN text."""

    def __init__(self, status: int, key: str, description: str) -> None:
        super().__init__(description)
        self.status, self.key, self.description = status, key, description


def bad_request(key: str, description: str) -> Open311Error:
    return Open311Error(400, key, description)
