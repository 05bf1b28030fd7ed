from enum import StrEnum


class MessageFinishReason(StrEnum):
    CONTENT_FILTER = "CONTENT_FILTER"
    FINISH_REASON_UNSPECIFIED = "FINISH_REASON_UNSPECIFIED"
    LENGTH = "LENGTH"
    STOP = "STOP"
    STOP_SEQUENCE = "STOP_SEQUENCE"

    def __str__(self) -> str:
        return str(self.value)
