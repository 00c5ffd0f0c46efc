import gzip

import pytest

from tests.conftest import FIXTURES, load, place, scalar

VALID = FIXTURES / "bedrock_invocation_logs" / "valid"
INVALID = FIXTURES / "bedrock_invocation_logs" / "invalid"
S3_KEY = "bedrock_invocation_logs/AWSLogs/111100002222/BedrockModelInvocationLogs/us-east-1/2025/10/01/12/"


def test_invocation_records_load_with_their_usage_and_identity(con, landing):
    place(
        landing,
        S3_KEY + "111100002222_BedrockModelInvocationLogs_us-east-1_20251001T1200Z_a1.json",
        VALID / "invocations.jsonl",
    )
    export = landing / "bedrock_invocation_logs/cloudwatch/4f1c-task/bedrock-logs-stream/000000.gz"
    export.parent.mkdir(parents=True)
    export.write_bytes(gzip.compress((VALID / "cloudwatch_export.log").read_bytes()))

    result = load(con, "bedrock_invocation_logs", landing)

    # the record of another schema type is not an invocation
    assert (result.files_loaded, result.rows_loaded, result.quarantined) == (2, 3, [])
    rows = con.execute(
        "SELECT request_id, strftime(invoked_at, '%Y-%m-%dT%H:%M:%S'), account_id, identity_arn, operation, model_id, "
        "inference_region, error_code, input_token_count, cache_read_input_token_count, "
        "cache_write_input_token_count, output_token_count, request_metadata::VARCHAR, _source_row "
        "FROM raw_bedrock_invocation_logs.invocations ORDER BY invoked_at"
    ).fetchall()
    assert rows == [
        ("ff4b6c63-5561-4431-93b8-06a817275900", "2025-10-01T12:00:02", "111100002222",
         "arn:aws:iam::111100002222:role/support-assistant", "ConverseStream", "amazon.nova-lite-v1:0", None, None,
         4, 0, 0, 38, '{"application":"semantic-search","team":"search"}', 1),
        ("0d9c0e53-7f4f-4a39-9b1e-2f2b54a3c001", "2025-10-01T13:30:00", "111100002222",
         "arn:aws:iam::111100002222:role/litellm-gateway", "InvokeModel",
         "arn:aws:bedrock:us-east-1:111100002222:inference-profile/global.anthropic.claude-sonnet-4-6", "us-west-2",
         None, 1200, 3000, 200, 400, None, 2),
        ("7c1e7d2a-0000-4000-8000-00000000000e", "2025-10-02T08:00:00", "222200003333",
         "arn:aws:iam::222200003333:user/analyst", "Converse", "us.meta.llama3-3-70b-instruct-v1:0", None,
         "ThrottlingException", 0, None, None, 0, None, 1),
    ]  # fmt: skip


def test_prompt_and_response_bodies_are_never_stored(con, landing):
    place(landing, "bedrock_invocation_logs/a.jsonl", VALID / "invocations.jsonl")

    load(con, "bedrock_invocation_logs", landing)

    stored = con.execute("SELECT * FROM raw_bedrock_invocation_logs.invocations").fetchall()
    assert len(stored) == 2
    assert "SECRET" not in repr(stored)
    assert "DEMO" not in repr(stored)


def test_fields_the_contract_does_not_know_are_reported_as_drift_by_name(con, landing):
    place(landing, "bedrock_invocation_logs/a.jsonl", VALID / "invocations.jsonl")

    load(con, "bedrock_invocation_logs", landing)

    drift = con.execute(
        "SELECT field, files FROM raw._schema_drift WHERE raw_table = 'raw_bedrock_invocation_logs.invocations' "
        "ORDER BY field"
    ).fetchall()
    # body fields are known (and never read); a new token field, a new top-level field and a new record type
    # are reported, their values never stored
    assert drift == [("input.newTokenCount", 1), ("newTopLevelField", 1), ("schemaType=SomethingElse", 1)]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        pytest.param(
            "negative_tokens.jsonl",
            "line 2, column input_token_count: value '-3' is negative (a token count never is)",
            id="negative-token-count",
        ),
        pytest.param("no_request_id.jsonl", "line 1, column requestId: a record needs requestId", id="no-request-id"),
        pytest.param("not_json.jsonl", "line 2: not a JSON invocation log record", id="not-a-record"),
        pytest.param("truncated.json.gz", "cannot be decompressed", id="truncated-gzip"),
    ],
)
def test_a_malformed_file_is_quarantined_and_others_still_load(con, landing, fixture, expected):
    name = "bad.json.gz" if fixture.endswith(".gz") else "bad.jsonl"
    place(landing, f"bedrock_invocation_logs/{name}", INVALID / fixture)
    place(landing, "bedrock_invocation_logs/good.jsonl", VALID / "invocations.jsonl")

    result = load(con, "bedrock_invocation_logs", landing)

    assert result.rows_loaded == 2
    assert len(result.quarantined) == 1
    assert result.quarantined[0].startswith(f"bedrock_invocation_logs/{name}")
    assert expected in result.quarantined[0]


def test_the_same_request_id_in_two_files_is_recorded_as_repeated(con, landing, tmp_path):
    first_record = (VALID / "invocations.jsonl").read_text().splitlines()[0] + "\n"
    (tmp_path / "overlap.jsonl").write_text(first_record)
    place(landing, "bedrock_invocation_logs/s3/a.jsonl", VALID / "invocations.jsonl")
    place(landing, "bedrock_invocation_logs/export/b.jsonl", tmp_path / "overlap.jsonl")

    load(con, "bedrock_invocation_logs", landing)

    # both files load (each is a delivery of its own); a load records the ids an earlier one already had,
    # and int_llm_requests_deduplicated keeps the first
    assert scalar(con, "SELECT count(*) FROM raw_bedrock_invocation_logs.invocations") == 3
    assert scalar(con, "SELECT sum(duplicate_rows) FROM raw._loads WHERE source = 'bedrock_invocation_logs'") == 1


def test_files_that_are_not_logs_are_ignored(con, landing):
    place(landing, "bedrock_invocation_logs/README.txt", VALID / "invocations.jsonl")

    result = load(con, "bedrock_invocation_logs", landing)

    assert (result.files_loaded, result.rows_loaded) == (0, 0)
