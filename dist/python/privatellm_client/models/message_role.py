from enum import StrEnum


class MessageRole(StrEnum):
    ASSISTANT = "ASSISTANT"
    ROLE_UNSPECIFIED = "ROLE_UNSPECIFIED"
    USER = "USER"

    def __str__(self) -> str:
        return str(self.value)
