import shutil
from pathlib import Path

import pytest

from pipelines.mappings import GATEWAY_IDENTITIES, KEY_TYPES, KEYS, TEAMS, render_errors, seeds_dir, validate_mappings

SEEDS = Path(__file__).parents[2] / "seeds"
KEYS_HEADER = "key_type,key_value,team,application,environment,cost_centre_id,valid_from,valid_to,description"
OPENAI_ROW = (
    "openai_project,proj_support,support,ticket-triage,prod,,2020-01-01,,OpenAI project of the ticket triage service"
)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A copy of the shipped mapping seeds the test may break."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in (KEYS, TEAMS, KEY_TYPES, GATEWAY_IDENTITIES):
        shutil.copyfile(SEEDS / name, folder / name)
    return folder


def append(folder: Path, name: str, *lines: str) -> int:
    """Appends rows to a seed; returns the line number of the first."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return text.count("\n") + 1


def messages(folder: Path) -> list[str]:
    return [str(e) for e in validate_mappings(folder)]


def test_the_shipped_seeds_are_valid():
    assert seeds_dir() == SEEDS.resolve()
    assert validate_mappings() == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            "openai_projet,proj_x,support,,,,2020-01-01,,typo",
            "unknown key_type 'openai_projet' (not in attribution_key_types.csv) (key_type=openai_projet, "
            "key_value=proj_x, team=support, application=, environment=, cost_centre_id=, valid_from=2020-01-01, "
            "valid_to=)",
            id="unknown-key-type",
        ),
        pytest.param(
            "openai_project,proj_x,suport,,,,2020-01-01,,",
            "team 'suport' is not in teams.csv (key_type=openai_project, key_value=proj_x, team=suport, "
            "application=, environment=, cost_centre_id=, valid_from=2020-01-01, valid_to=)",
            id="unknown-team",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,2026-10-32,,",
            "valid_from '2026-10-32' is not a date (YYYY-MM-DD) (key_type=openai_project, key_value=proj_x, "
            "team=support, application=, environment=, cost_centre_id=, valid_from=2026-10-32, valid_to=)",
            id="bad-date",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,15/10/2026,,",
            "valid_from '15/10/2026' is not a date (YYYY-MM-DD) (key_type=openai_project, key_value=proj_x, "
            "team=support, application=, environment=, cost_centre_id=, valid_from=15/10/2026, valid_to=)",
            id="date-not-iso",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,2026-10-15,2026-10-15,",
            "valid_to 2026-10-15 is not after valid_from 2026-10-15 (key_type=openai_project, key_value=proj_x, "
            "team=support, application=, environment=, cost_centre_id=, valid_from=2026-10-15, valid_to=2026-10-15)",
            id="empty-validity",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,,,",
            "valid_from is empty (key_type=openai_project, key_value=proj_x, team=support, application=, "
            "environment=, cost_centre_id=, valid_from=, valid_to=)",
            id="missing-valid-from",
        ),
        pytest.param(
            "openai_project,proj_x ,support,,,,2020-01-01,,",
            "key_value 'proj_x ' has leading or trailing spaces (key_type=openai_project, key_value=proj_x , "
            "team=support, application=, environment=, cost_centre_id=, valid_from=2020-01-01, valid_to=)",
            id="trailing-space",
        ),
        pytest.param(
            "aws_account,22220003333,data-science,,,,2020-01-01,,",
            "key_value '22220003333' of key_type aws_account is not 12 digits (key_type=aws_account, "
            "key_value=22220003333, team=data-science, application=, environment=, cost_centre_id=, "
            "valid_from=2020-01-01, valid_to=)",
            id="aws-account-lost-a-digit",
        ),
        pytest.param(
            "otel_resource_attribute,agent-runtime,platform,,,,2020-01-01,,",
            "key_value 'agent-runtime' of key_type otel_resource_attribute is not written name=value "
            "(key_type=otel_resource_attribute, key_value=agent-runtime, team=platform, application=, "
            "environment=, cost_centre_id=, valid_from=2020-01-01, valid_to=)",
            id="attribute-without-name",
        ),
        pytest.param(
            "team,support,support,,,,2020-01-01,,",
            "key_value 'support' is a team of teams.csv, already a key of itself (key_type=team, key_value=support, "
            "team=support, application=, environment=, cost_centre_id=, valid_from=2020-01-01, valid_to=)",
            id="team-key-repeats-a-team",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,CC-9999,2020-01-01,,",
            "cost_centre_id 'CC-9999' is not a cost centre of teams.csv (key_type=openai_project, key_value=proj_x, "
            "team=support, application=, environment=, cost_centre_id=CC-9999, valid_from=2020-01-01, valid_to=)",
            id="unknown-cost-centre-override",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,2019-06-01,,",
            "team 'support' has no row in teams.csv valid on 2019-06-01 (key_type=openai_project, key_value=proj_x, "
            "team=support, application=, environment=, cost_centre_id=, valid_from=2019-06-01, valid_to=)",
            id="team-not-valid-yet",
        ),
        pytest.param(
            "openai_project,proj_x,support,,,,2020-01-01",
            "7 values for 9 columns (key_type=openai_project, key_value=proj_x, team=support, application=, "
            "environment=, cost_centre_id=, valid_from=2020-01-01)",
            id="row-too-short",
        ),
    ],
)
def test_a_bad_attribution_key_row_is_named_with_its_line_and_values(seeds, row, expected):
    line = append(seeds, KEYS, row)

    assert messages(seeds) == [f"seeds/attribution_keys.csv, line {line}: {expected}"]


def test_a_duplicate_key_names_both_lines(seeds):
    line = append(seeds, KEYS, OPENAI_ROW)

    assert messages(seeds) == [
        f"seeds/attribution_keys.csv, line {line}: duplicate of line 2 (same key_type, key_value and valid_from) "
        "(key_type=openai_project, key_value=proj_support, team=support, application=ticket-triage, "
        "environment=prod, cost_centre_id=, valid_from=2020-01-01, valid_to=)"
    ]


def test_overlapping_validity_of_one_key_is_an_error_and_a_clean_change_is_not(seeds):
    (seeds / KEYS).write_text(
        f"{KEYS_HEADER}\n"
        "litellm_team,team-x,support,,,,2020-01-01,2026-10-15,until the move\n"
        "litellm_team,team-x,search,,,,2026-10-15,,after the move\n"
        "litellm_team,team-y,support,,,,2020-01-01,2026-11-01,\n"
        "litellm_team,team-y,search,,,,2026-10-15,,\n",
        encoding="utf-8",
    )

    assert messages(seeds) == [
        "seeds/attribution_keys.csv, line 5: valid 2026-10-15 to open overlaps line 4 (valid 2020-01-01 to "
        "2026-11-01) for the same key_type, key_value (key_type=litellm_team, key_value=team-y, team=search, "
        "application=, environment=, cost_centre_id=, valid_from=2026-10-15, valid_to=)"
    ]


def test_unknown_and_missing_columns_are_named(seeds):
    path = seeds / KEYS
    rows = path.read_text(encoding="utf-8").splitlines()[1:]
    header = "key_type,key_value,team,application,env,cost_centre_id,valid_from,valid_to,description"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    assert messages(seeds) == [
        "seeds/attribution_keys.csv, line 1: unknown column(s) env (the columns are key_type, key_value, team, "
        "application, environment, cost_centre_id, valid_from, valid_to, description)",
        "seeds/attribution_keys.csv, line 1: missing column(s) environment",
    ]


def test_a_team_moving_cost_centre_needs_contiguous_rows(seeds):
    path = seeds / TEAMS
    text = path.read_text(encoding="utf-8").replace(
        "support,Customer Support Engineering,CC-1001,Customer Support,2020-01-01,",
        "support,Customer Support Engineering,CC-1001,Customer Support,2020-01-01,2026-10-15\n"
        "support,Customer Support Engineering,CC-1009,Customer Service,2026-11-01,",
    )
    path.write_text(text, encoding="utf-8")

    errors = messages(seeds)

    # every support key is valid from 2020 on, and support has no cost centre from 2026-10-15 to 2026-11-01
    assert errors[0] == (
        "seeds/attribution_keys.csv, line 2: team 'support' has no row in teams.csv valid on 2026-10-15 "
        "(key_type=openai_project, key_value=proj_support, team=support, application=ticket-triage, "
        "environment=prod, cost_centre_id=, valid_from=2020-01-01, valid_to=)"
    )
    assert len(errors) == 3  # proj_support, team-support and the Azure subscription of support


def test_overlapping_team_rows_are_an_error(seeds):
    line = append(seeds, TEAMS, "support,Customer Support Engineering,CC-1009,Customer Service,2026-10-15,")

    assert messages(seeds) == [
        f"seeds/teams.csv, line {line}: valid 2026-10-15 to open overlaps line 2 (valid 2020-01-01 to open) for "
        "the same team (team=support, team_name=Customer Support Engineering, cost_centre_id=CC-1009, "
        "cost_centre_name=Customer Service, valid_from=2026-10-15, valid_to=)"
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            "gateway_key,0,request,zero",
            "precedence '0' is not a whole number >= 1 (key_type=gateway_key, precedence=0, applies_to=request)",
            id="precedence-zero",
        ),
        pytest.param(
            "gateway_key,3,request,shares a rank",
            "precedence 3 is also that of line 4 (team): each key type needs its own rank "
            "(key_type=gateway_key, precedence=3, applies_to=request)",
            id="precedence-taken",
        ),
        pytest.param(
            "gateway_key,99,requests,typo",
            "applies_to 'requests' is not bill, request or both (key_type=gateway_key, precedence=99, "
            "applies_to=requests)",
            id="applies-to-typo",
        ),
        pytest.param(
            "api_key,99,request,again",
            "duplicate of line 5 (same key_type) (key_type=api_key, precedence=99, applies_to=request)",
            id="duplicate-key-type",
        ),
    ],
)
def test_a_bad_key_type_row_is_named(seeds, row, expected):
    line = append(seeds, KEY_TYPES, row)

    assert messages(seeds) == [f"seeds/attribution_key_types.csv, line {line}: {expected}"]


def test_gateway_identities_are_checked(seeds):
    line = append(seeds, GATEWAY_IDENTITIES, "litellm,,litellm-gateway,again", "litellm,12345,other-role,short")

    assert messages(seeds) == [
        f"seeds/gateway_identities.csv, line {line}: duplicate of line 2 (same aws_account_id and iam_role_name) "
        "(gateway=litellm, aws_account_id=, iam_role_name=litellm-gateway)",
        f"seeds/gateway_identities.csv, line {line + 1}: aws_account_id '12345' is not 12 digits "
        "(gateway=litellm, aws_account_id=12345, iam_role_name=other-role)",
    ]


def test_a_missing_seed_is_named(seeds):
    (seeds / TEAMS).unlink()

    assert messages(seeds) == ["seeds/teams.csv: file not found"]


def test_a_byte_order_mark_is_not_part_of_the_first_column(seeds):
    path = seeds / TEAMS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    assert messages(seeds) == []


def test_the_report_ends_with_what_to_do(seeds):
    append(seeds, KEYS, "openai_project,proj_x,suport,,,,2020-01-01,,")

    report = render_errors(validate_mappings(seeds))

    lines = report.splitlines()
    assert lines[0] == "The mapping seeds are invalid (1 error(s)); nothing was loaded or built:"
    assert lines[1].startswith("  seeds/attribution_keys.csv, line 23: team 'suport' is not in teams.csv")
    assert lines[-1] == "Fix seeds/attribution_keys.csv and run again (`aicost run` checks them before every run)."


def test_a_run_with_invalid_mappings_stops_before_any_step(seeds, tmp_path, monkeypatch):
    from orchestration import run
    from pipelines.config import Settings

    append(seeds, KEYS, "openai_project,proj_x,suport,,,,2020-01-01,,")
    monkeypatch.setattr(run, "validate_mappings", lambda: validate_mappings(seeds))
    settings = Settings(landing=str(tmp_path / "landing"), warehouse=tmp_path / "wh" / "aicost.duckdb")

    outcome = run.run_pipeline(settings)

    assert not outcome.success and outcome.materialized == 0
    log = outcome.log_path.read_text(encoding="utf-8")
    assert "seeds/attribution_keys.csv, line 23: team 'suport' is not in teams.csv" in log
    assert (outcome.log_path.parent / "last_run.log").resolve() == outcome.log_path.resolve()


def test_every_problem_of_a_row_is_reported(seeds):
    line = append(seeds, KEYS, "openai_projet,proj_x,suport,,,,2026-10-15,2026-10-01,typos")

    values = (
        "(key_type=openai_projet, key_value=proj_x, team=suport, application=, environment=, cost_centre_id=, "
        "valid_from=2026-10-15, valid_to=2026-10-01)"
    )
    assert messages(seeds) == [
        f"seeds/attribution_keys.csv, line {line}: valid_to 2026-10-01 is not after valid_from 2026-10-15 {values}",
        f"seeds/attribution_keys.csv, line {line}: unknown key_type 'openai_projet' (not in "
        f"attribution_key_types.csv) {values}",
        f"seeds/attribution_keys.csv, line {line}: team 'suport' is not in teams.csv {values}",
    ]
