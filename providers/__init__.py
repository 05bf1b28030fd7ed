"""LLM back ends behind one interface: echo (built in), bedrock (boto3), openai (httpx)."""
