from enum import StrEnum


class MessageStatus(StrEnum):
    CANCELLED = "CANCELLED"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    IN_PROGRESS = "IN_PROGRESS"
    STATUS_UNSPECIFIED = "STATUS_UNSPECIFIED"

    def __str__(self) -> str:
        return str(self.value)
