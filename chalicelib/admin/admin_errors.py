"""What the admin's work raises: a refusal naming its error code, event files that do not hold."""

from __future__ import annotations


class AdminRefusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class EventFileErrors(Exception):
    """One or more files are bad; `problems` lists each as `file: field: reason`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
