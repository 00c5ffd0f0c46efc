"""Demo Bedrock model invocation logs: one record per Bedrock call the demo company's accounts served.

Invocation logging sees every call of the account, whether it came through the LiteLLM gateway (logged under
the gateway's role, seed gateway_identities, and counted from the gateway's spend log) or straight from an
application or a notebook (then this log is the only request-level record of it, unless the application's
AWS SDK span carries the same request id). Files are laid
out as Bedrock delivers them to S3, gzip JSON lines per account and hour (here: per day).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipelines.demo.world import DemoWorld

_REGION = "us-east-1"
# The gateway's own role session (seed gateway_identities): Bedrock sees the gateway, not the application.
_GATEWAY_SESSION = "arn:aws:sts::{account}:assumed-role/litellm-gateway/litellm-proxy"


def _model_id(model: str, account: str, cross_region: str, call_id: int) -> str:
    """The modelId as the caller sent it: a model id, an inference profile id, or now and then an ARN."""
    if cross_region == "-cross-region-global":
        profile = f"global.{model}"
    elif cross_region == "-cross-region-geo":
        profile = f"us.{model}"
    else:
        return f"arn:aws:bedrock:{_REGION}::foundation-model/{model}" if call_id % 5 == 0 else model
    return f"arn:aws:bedrock:{_REGION}:{account}:inference-profile/{profile}" if call_id % 5 == 0 else profile


def write(world: DemoWorld) -> int:
    """Writes ``bedrock_invocation_logs/AWSLogs/<account>/BedrockModelInvocationLogs/...``; returns records."""
    rows = world.con.execute(
        """
        SELECT aws_request_id, started_at, account_id, principal, via_gateway, model_id, cross_region,
               call_id, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, endpoint,
               application, team
        FROM billed_calls
        WHERE provider = 'bedrock' AND NOT is_batch
        ORDER BY started_at, call_id
        """
    ).fetchall()
    files: dict[Path, list[str]] = {}
    for (
        request_id, started, account, principal, via_gateway, model, cross_region,
        call_id, input_tokens, cache_read, cache_write, output, endpoint, application, team,
    ) in rows:  # fmt: skip
        record = {
            "schemaType": "ModelInvocationLog",
            "schemaVersion": "1.0",
            "timestamp": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "accountId": account,
            "identity": {"arn": _GATEWAY_SESSION.format(account=account) if via_gateway else principal},
            "region": _REGION,
            "requestId": request_id,
            "operation": "InvokeModel" if endpoint == "embeddings" else "Converse",
            "modelId": _model_id(model, account, cross_region, call_id),
            "input": {
                "inputContentType": "application/json",
                # the body is in every record; the loader never reads it
                "inputBodyJson": {"messages": [{"role": "user", "content": [{"text": "DEMO PROMPT"}]}]},
                "inputTokenCount": int(input_tokens),
                "cacheReadInputTokenCount": int(cache_read),
                "cacheWriteInputTokenCount": int(cache_write),
            },
            "output": {
                "outputContentType": "application/json",
                "outputBodyJson": {"output": {"message": {"content": [{"text": "DEMO RESPONSE"}]}}},
                "outputTokenCount": int(output),
            },
        }
        if not via_gateway and team is not None:
            # applications calling Converse directly tag their calls for their own tracking
            record["requestMetadata"] = {"team": team, "application": application}
        folder = (
            world.landing
            / "bedrock_invocation_logs"
            / "AWSLogs"
            / account
            / "BedrockModelInvocationLogs"
            / _REGION
            / started.strftime("%Y/%m/%d")
        )
        name = f"{account}_BedrockModelInvocationLogs_{_REGION}_{started:%Y%m%d}.json.gz"
        files.setdefault(folder / name, []).append(json.dumps(record, separators=(",", ":")))
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))
    return len(rows)
