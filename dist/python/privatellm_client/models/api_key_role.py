from enum import StrEnum


class ApiKeyRole(StrEnum):
    ADMIN = "ADMIN"
    ROLE_UNSPECIFIED = "ROLE_UNSPECIFIED"
    USER = "USER"

    def __str__(self) -> str:
        return str(self.value)
