from enum import StrEnum


class ApiKeyState(StrEnum):
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"
    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"

    def __str__(self) -> str:
        return str(self.value)
