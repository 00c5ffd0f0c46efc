import json

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "otel_genai" / "valid"
INVALID = FIXTURES / "otel_genai" / "invalid"


def test_genai_spans_load_and_other_spans_do_not(con, landing):
    place(landing, "otel_genai/2025-10/traces.jsonl", VALID / "traces.jsonl")

    result = load(con, "otel_genai", landing)

    # the HTTP span is not a GenAI span; the chat, agent and legacy spans are
    assert (result.files_loaded, result.rows_loaded, result.quarantined) == (1, 3, [])
    chat = con.execute(
        "SELECT service_name, deployment_environment, operation_name, provider_name, request_model, response_model, "
        "response_id, input_tokens, cache_read_input_tokens, output_tokens, reasoning_output_tokens, "
        "conversation_id, parent_span_id, status_code, strftime(start_time, '%Y-%m-%dT%H:%M:%S'), "
        "date_diff('millisecond', start_time, end_time) FROM raw_otel_genai.spans WHERE span_id = 'b7ad6b7169203331'"
    ).fetchall()
    assert chat == [
        ("support-assistant", "prod", "chat", "openai", "gpt-4o", "gpt-4o-2024-08-06", "chatcmpl-abc123", 1200, 1000,
         300, 100, "conv-1", "00f067aa0ba902b7", "UNSET", "2025-10-01T12:00:00", 1250)
    ]  # fmt: skip


def test_deprecated_attribute_names_are_read(con, landing):
    place(landing, "otel_genai/t.jsonl", VALID / "traces.jsonl")

    load(con, "otel_genai", landing)

    legacy = con.execute(
        "SELECT provider_name, input_tokens, output_tokens, status_code, service_name "
        "FROM raw_otel_genai.spans WHERE span_id = '2222222222222222'"
    ).fetchall()
    assert legacy == [("anthropic", 50, 20, "ERROR", "notebook")]


def test_prompt_and_response_content_is_never_stored(con, landing):
    place(landing, "otel_genai/t.jsonl", VALID / "traces.jsonl")

    load(con, "otel_genai", landing)

    stored = con.execute("SELECT * FROM raw_otel_genai.spans").fetchall()
    assert "SECRET" not in repr(stored)
    attributes = scalar(
        con, "SELECT attribution_attributes FROM raw_otel_genai.spans WHERE span_id = 'b7ad6b7169203331'"
    )
    assert json.loads(attributes) == {"app.customer_id": "cust-9", "app.team": "support"}


def test_configured_attribution_keys_never_include_content(con, landing, monkeypatch):
    monkeypatch.setenv("AICOST_OTEL_ATTRIBUTE_KEYS", "app.customer_id, gen_ai.input.messages, service.name")
    place(landing, "otel_genai/t.jsonl", VALID / "traces.jsonl")

    load(con, "otel_genai", landing)

    attributes = scalar(
        con, "SELECT attribution_attributes FROM raw_otel_genai.spans WHERE span_id = 'b7ad6b7169203331'"
    )
    # a resource attribute can be a key too; the content attribute is dropped from the configuration
    assert json.loads(attributes) == {"app.customer_id": "cust-9", "service.name": "support-assistant"}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "negative_tokens.jsonl",
            "line 1, column gen_ai.usage.output_tokens: resourceSpans[0].scopeSpans[0].spans[0]: "
            "gen_ai.usage.output_tokens must be a non-negative integer, got -5",
            id="negative-token-count",
        ),
        pytest.param("truncated.jsonl", "line 2: invalid JSON", id="truncated-line"),
        pytest.param("not_utf8.jsonl", "line 1: not UTF-8", id="non-utf8-byte"),
        pytest.param("not_otlp.jsonl", "line 1: not an OTLP trace export", id="not-otlp"),
    ],
)
def test_malformed_file_is_quarantined_and_others_still_load(con, landing, fixture, expected):
    place(landing, "otel_genai/bad.jsonl", INVALID / fixture)
    place(landing, "otel_genai/good.jsonl", VALID / "traces.jsonl")

    result = load(con, "otel_genai", landing)

    assert result.rows_loaded == 3
    assert len(result.quarantined) == 1
    assert result.quarantined[0].startswith("otel_genai/bad.jsonl")
    assert expected in result.quarantined[0]


def test_a_pretty_printed_export_request_loads_as_one_document(con, landing):
    place(landing, "otel_genai/export.json", VALID / "export_pretty.json")

    result = load(con, "otel_genai", landing)

    # the first line of traces.jsonl, indented over many lines: its chat and agent spans
    assert (result.rows_loaded, result.quarantined) == (2, [])
    assert scalar(con, "SELECT sum(input_tokens) FROM raw_otel_genai.spans WHERE operation_name = 'chat'") == 1200


def test_demo_spans_carry_customer_and_feature_as_the_gateway_logs_them(con, landing):
    from pipelines.sources.litellm import demo as litellm_demo
    from pipelines.sources.otel_genai import demo as otel_demo
    from tests.unit.test_litellm_source import demo_world

    world = demo_world(landing)
    litellm_demo.write(world)
    spans = otel_demo.write(world)
    load(con, "litellm", landing)
    load(con, "otel_genai", landing)

    chat = con.execute(
        "SELECT service_name, attribution_attributes->>'$.\"app.customer_id\"', "
        "attribution_attributes->>'$.\"app.feature\"' FROM raw_otel_genai.spans WHERE operation_name = 'chat'"
    ).fetchall()
    assert len(chat) == spans
    # every traced application serves customers and names its features (the loader's default keys keep them)
    assert {service for service, _, _ in chat} == {"support-assistant", "sales-copilot", "agent-runtime"}
    assert all(customer and customer.startswith("cust_") and feature for _, customer, feature in chat)
    assert {f for s, _, f in chat if s == "agent-runtime"} == {"order-status", "returns"}
    # a call both saw: the span and the gateway's metadata name the same customer
    mismatched = scalar(
        con,
        "SELECT count(*) FROM raw_otel_genai.spans AS s JOIN raw_litellm.spend_logs AS g "
        "ON s.response_id = g.request_id "
        "WHERE s.attribution_attributes->>'$.\"app.customer_id\"' "
        "IS DISTINCT FROM json_extract_string(g.metadata, '$.requester_metadata.customer_id')",
    )
    both = scalar(
        con,
        "SELECT count(*) FROM raw_otel_genai.spans AS s JOIN raw_litellm.spend_logs AS g "
        "ON s.response_id = g.request_id",
    )
    assert both > 0 and mismatched == 0
