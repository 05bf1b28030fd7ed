from enum import StrEnum


class ModelCapabilitiesItem(StrEnum):
    CAPABILITY_UNSPECIFIED = "CAPABILITY_UNSPECIFIED"
    CHAT = "CHAT"
    EMBEDDINGS = "EMBEDDINGS"
    TOOLS = "TOOLS"
    VISION = "VISION"

    def __str__(self) -> str:
        return str(self.value)
