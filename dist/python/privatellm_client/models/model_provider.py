from enum import StrEnum


class ModelProvider(StrEnum):
    BEDROCK = "BEDROCK"
    ECHO = "ECHO"
    OPENAI = "OPENAI"
    PROVIDER_UNSPECIFIED = "PROVIDER_UNSPECIFIED"

    def __str__(self) -> str:
        return str(self.value)
