"""LangChain's OpenAI integration (langchain-openai) driven live against the server's echo models:
tools bound to a chat model, structured output, and embeddings."""

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from pydantic import BaseModel, SecretStr


@tool
def get_weather(city: str) -> str:
    """The weather in a city now."""
    return f"22 C and sunny in {city}"


class Trip(BaseModel):
    """A trip plan."""

    city: str
    days: int


@pytest.fixture
def chat(live_url: str, user_key: str) -> ChatOpenAI:
    return ChatOpenAI(
        model="echo", base_url=f"{live_url}/openai/v1", api_key=SecretStr(user_key), max_retries=0
    )


def test_bind_tools_calls_the_tool_and_reads_its_result(chat: ChatOpenAI) -> None:
    with_tools = chat.bind_tools([get_weather])
    question = HumanMessage("Lisbon")
    asked = with_tools.invoke([question])
    (call,) = asked.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Lisbon"}
    result = get_weather.invoke(call["args"])
    answer = with_tools.invoke([question, asked, ToolMessage(result, tool_call_id=call["id"])])
    assert answer.content == "Echo: 22 C and sunny in Lisbon"


def test_with_structured_output_returns_the_model(chat: ChatOpenAI) -> None:
    trip = chat.with_structured_output(Trip).invoke("Plan a trip to Porto")
    assert trip == Trip(city="Plan a trip to Porto", days=1)


def test_with_structured_output_over_a_tool_call(chat: ChatOpenAI) -> None:
    trip = chat.with_structured_output(Trip, method="function_calling").invoke("Porto")
    assert trip == Trip(city="Porto", days=1)


def test_openai_embeddings(live_url: str, user_key: str) -> None:
    embeddings = OpenAIEmbeddings(
        model="echo-embed",
        base_url=f"{live_url}/openai/v1",
        api_key=SecretStr(user_key),
        check_embedding_ctx_length=False,  # else it sends tiktoken ids, made for OpenAI's models
        max_retries=0,
    )
    documents = embeddings.embed_documents(["red apple", "green pear"])
    assert [len(vector) for vector in documents] == [16, 16]
    assert documents[0] != documents[1]
    assert embeddings.embed_query("red apple") == pytest.approx(documents[0], abs=1e-6)
