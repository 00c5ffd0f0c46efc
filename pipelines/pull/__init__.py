"""Pulling provider Admin APIs (OpenAI, Anthropic) into the landing zone, page by page, as received."""
