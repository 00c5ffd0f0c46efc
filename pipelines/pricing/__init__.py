"""The dated list-price catalogue: genai-prices' bundled data, read offline, for the models we know."""
