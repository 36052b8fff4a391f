"""What counts as evidence for a rule section: scoped rules join for the files a task names,
an oversize section is trimmed rather than dropped, one common word keeps nothing, and a
file the pack leaves out speaks for no section. Also `ctxtrim rules`' short and --verbose
reports."""

from __future__ import annotations

from pathlib import Path

from ctxtrim.rules import discover, select_sections
from ctxtrim.rules.model import TRIM_GAP
from ctxtrim.rules.workspace import list_files
from ctxtrim.task import Task
from ctxtrim.tokens import Tokenizer
from ctxtrim.workspace import Workspace

from ..support.repos import write
from ..support.rules import line_of, run, run_json, sample

TOKENIZER = Tokenizer()
BILLING = "services/billing/AGENTS.md"


def _kept(report: dict) -> dict[tuple[str, str], dict]:
    return {(s["path"], s["section"]): s for s in report["selection"]["kept"]}


# ------------------------------------------------------------------ scoped rules


def test_a_nested_rule_joins_for_a_path_the_task_names(tmp_path: Path, capsys) -> None:
    root = sample("scoped", tmp_path)
    task = "round invoice totals half-even in services/billing/invoice.py"
    code, report = run_json(["rules", str(root), task], capsys)
    assert code == 0
    kept = _kept(report)
    money = kept[(BILLING, "Billing service > Money")]
    assert money["reasons"][0] == (
        "nested rule for services/billing/ covers services/billing/invoice.py"
    )
    assert report["selection"]["paths"][0] == "services/billing/invoice.py"


def test_a_symbol_or_module_the_task_names_brings_its_files_rules(tmp_path: Path, capsys) -> None:
    root = sample("scoped", tmp_path)
    for task in ("InvoiceTotal.amount returns a float", "services.billing.invoice uses floats"):
        _, report = run_json(["rules", str(root), task], capsys)
        assert (BILLING, "Billing service > Money") in _kept(report), task


def test_a_named_file_too_large_to_show_still_brings_its_rules(tmp_path: Path, capsys) -> None:
    # A pack could only list this file, yet the task is about it: its folder's rules apply.
    root = sample("scoped", tmp_path)
    rows = [f"C{n:04d},{n % 27}.{n % 10}" for n in range(6000)]
    (root / "services/billing/rates.csv").write_text("country,rate\n" + "\n".join(rows) + "\n")
    task = "the VAT rates in services/billing/rates.csv are off by one"
    _, report = run_json(["rules", str(root), task], capsys)
    assert report["selection"]["paths"][0] == "services/billing/rates.csv"
    overview = _kept(report)[(BILLING, "Billing service")]
    assert overview["reasons"][0] == (
        "nested rule for services/billing/ covers services/billing/rates.csv"
    )


def test_a_glob_rule_joins_for_the_files_a_pack_would_show(tmp_path: Path, capsys) -> None:
    # No path in the task: the pack's own selection finds the migration, and the
    # `.claude/rules` file scoped to db/migrations/** comes with it.
    root = sample("scoped", tmp_path)
    _, report = run_json(["rules", str(root), "the accounts table migration"], capsys)
    migrations = _kept(report)[(".claude/rules/migrations.md", "Migrations")]
    assert migrations["reasons"][0] == (
        "glob `db/migrations/**` matches db/migrations/0001_accounts.py"
    )
    # ... and the rule scoped to another folder stays out.
    dropped = {(s["path"], s["section"]) for s in report["selection"].get("dropped", [])}
    assert report["selection"]["dropped_count"] > 0 and not dropped  # drops only with -v
    _, verbose = run_json(["rules", str(root), "the accounts table migration", "-v"], capsys)
    reasons = {(s["path"], s["section"]): s["reasons"] for s in verbose["selection"]["dropped"]}
    assert reasons[(BILLING, "Billing service > Money")] == [
        "applies to services/billing/ only, and no file in play is there"
    ]


def test_a_manual_rule_the_task_plainly_concerns_joins(tmp_path: Path, capsys) -> None:
    root = sample("scoped", tmp_path)
    _, report = run_json(["rules", str(root), "write the data export for accounts"], capsys)
    export = _kept(report)[(".cursor/rules/data-export.mdc", "Data export")]
    assert export["reasons"][0] == "the task concerns the manual rule data-export"
    _, other = run_json(["rules", str(root), "export the ledger balance"], capsys)
    assert (".cursor/rules/data-export.mdc", "Data export") not in _kept(other)


# ------------------------------------------------------------------ trimming


LONG_SECTION = (
    "# Handbook\n\n## Operations\n\n"
    + "\n\n".join(
        f"Paragraph {n} is about the office plants, the coffee machine and the parking rota."
        for n in range(40)
    )
    + "\n\nRotate the signing keys of the webhook service every ninety days; the webhook "
    "signing secret lives in the vault.\n\n"
    + "\n\n".join(
        f"Note {n}: the kitchen closes at six and the lights switch off at nine." for n in range(40)
    )
    + "\n"
)


def test_an_oversize_best_section_is_trimmed_to_what_matches(tmp_path: Path) -> None:
    root = write(tmp_path, {"AGENTS.md": LONG_SECTION, "src/hooks.py": ""})
    whole = TOKENIZER.count(LONG_SECTION)
    selection = select_sections(
        discover(root, list_files(root)), "rotate the webhook signing keys", [], 200, TOKENIZER
    )
    (kept,) = selection.kept
    section = kept.section
    assert kept.reasons[-1].startswith("trimmed to the parts that match") and whole > 200
    assert selection.tokens <= 200
    lines = section.text.split("\n")
    assert lines[0] == "## Operations" and "Rotate the signing keys" in section.text
    assert "office plants" not in section.text and lines.count(TRIM_GAP) == 2
    key_line = line_of(root / "AGENTS.md", "Rotate the signing keys")
    assert section.parts == ((section.start, section.start), (key_line, key_line))


def test_a_trimmed_section_claims_only_the_lines_it_shows(tmp_path: Path) -> None:
    root = write(tmp_path, {"AGENTS.md": LONG_SECTION, "src/hooks.py": "def sign(): ...\n"})
    ws = Workspace.open(root)
    pack = ws.pack(Task("rotate the webhook signing keys"), 1400, "json")
    (rule,) = [i for i in pack.items if i.kind == "rule"]
    key_line = line_of(root / "AGENTS.md", "Rotate the signing keys")
    assert rule.mode == "slice"
    assert rule.lines == [(3, 3), (key_line, key_line)]
    text = (root / "AGENTS.md").read_text().split("\n")
    shown = [line for line in rule.text.split("\n") if line != TRIM_GAP]
    assert shown == [text[3 - 1], text[key_line - 1]]


def test_a_section_with_no_matching_part_is_not_trimmed_into_noise(tmp_path: Path) -> None:
    root = write(tmp_path, {"AGENTS.md": LONG_SECTION, "src/hooks.py": ""})
    selection = select_sections(discover(root, list_files(root)), "operations", [], 200, TOKENIZER)
    # The heading matches but no paragraph does: nothing useful fits in 200 tokens.
    assert selection.kept == []
    assert selection.dropped[0].reasons[-1].startswith("over budget (")


# ------------------------------------------------------------------ common words


def test_one_common_word_keeps_nothing(tmp_path: Path) -> None:
    root = sample("scoped", tmp_path)
    rules = discover(root, list_files(root))
    selection = select_sections(rules, "start the download", [], 2000, TOKENIZER)
    assert selection.kept == []
    pulls = next(s for s in selection.dropped if s.section.title == "Tally › Pull requests")
    assert pulls.reasons == ["only common words match (start)", "not relevant to the task"]
    # A rarer word in the heading is evidence: "start the worker" keeps the worker queue.
    worker = select_sections(rules, "start the worker", [], 2000, TOKENIZER)
    assert [s.section.title for s in worker.kept] == ["Tally › Worker queue"]


def test_a_word_common_in_texts_but_rare_in_headings_is_evidence_in_a_heading(
    tmp_path: Path,
) -> None:
    # "test" is in nearly every section's text here, so its body weight is close to nothing;
    # as a heading word it names the two sections about tests, and they are kept.
    sections = "".join(
        f"## {topic}\n\nRun the test suite after changing {topic.lower()}; the test must pass.\n\n"
        for topic in ("Caching", "Queues", "Logging", "Metrics", "Storage", "Routing")
    )
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\n"
            + sections
            + "## Test style\n\nOne behaviour per test, named for it.\n\n"
            + "## Test coverage\n\nEvery bug fix comes with a test that failed before it.\n"
        },
    )
    selection = select_sections(
        discover(root, list_files(root)), "add tests for the parser", [], 2000, TOKENIZER
    )
    assert sorted(s.section.title for s in selection.kept) == [
        "P › Test coverage",
        "P › Test style",
    ]


def test_task_verbs_are_no_evidence(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\n## Bugs\n\nFix bugs with a failing test first.\n\n"
            "## Caching\n\nThe cache lives in Redis.\n\n## Queues\n\nJobs go to SQS.\n",
        },
    )
    selection = select_sections(
        discover(root, list_files(root)), "fix the login page", [], 2000, TOKENIZER
    )
    assert selection.kept == []


# ------------------------------------------------------------------ halves of names

SERVICE_RULES = (
    "# P\n\n## Changelog\n\nEvery fix gets a changelog fragment in `CHANGES/`.\n\n"
    "## Threat model\n\nRevise THREAT_MODEL.md when a default changes (`keepalive_timeout`, "
    "`client_max_size`) or the API of `client.py` grows.\n\n"
    "## Build\n\nBuild the C extensions with `make cythonize`.\n\n"
    "## Lint\n\nRun the linters before you push.\n"
)


def test_a_word_shared_only_as_part_of_a_name_is_no_evidence(tmp_path: Path) -> None:
    # "timeouts" meets `keepalive_timeout`, and "ClientSession" meets `client.py` and
    # `client_max_size`, only by halves of names: the threat model is not about this task.
    root = write(tmp_path, {"AGENTS.md": SERVICE_RULES})
    rules = discover(root, list_files(root))
    task = "add a changelog fragment for the fix to ClientSession timeouts"
    selection = select_sections(rules, task, [], 2000, TOKENIZER)
    assert [s.section.title for s in selection.kept] == ["P › Changelog"]
    threat = next(s for s in selection.dropped if s.section.title == "P › Threat model")
    assert threat.reasons == [
        "shares only parts of names (client, timeout)",
        "not relevant to the task",
    ]


def test_a_part_of_a_name_the_task_gives_is_half_a_word(tmp_path: Path) -> None:
    # `WebhookSecretModal` is partly about modals and webhooks: a heading naming one is
    # evidence, one mention in a body is not; the same words on their own are.
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\n## Modals\n\nOpen them with the shared hook.\n\n"
            "## Delivery\n\nWebhook deliveries retry three times.\n\n"
            "## Styling\n\nUse the design tokens.\n",
        },
    )
    rules = discover(root, list_files(root))
    named = select_sections(rules, "WebhookSecretModal.tsx shows a blank page", [], 2000, TOKENIZER)
    assert [s.section.title for s in named.kept] == ["P › Modals"]
    delivery = next(s for s in named.dropped if s.section.title == "P › Delivery")
    assert delivery.reasons == ["shares only parts of names (webhook)", "not relevant to the task"]
    spelled = select_sections(rules, "the webhook secret modal is blank", [], 2000, TOKENIZER)
    assert sorted(s.section.title for s in spelled.kept) == ["P › Delivery", "P › Modals"]


def test_a_name_the_task_spells_out_whole_is_evidence(tmp_path: Path) -> None:
    root = write(tmp_path, {"AGENTS.md": SERVICE_RULES})
    rules = discover(root, list_files(root))
    for task in ("raise the keepalive timeout default", "raise keepalive_timeout to 75 s"):
        selection = select_sections(rules, task, [], 2000, TOKENIZER)
        assert [s.section.title for s in selection.kept] == ["P › Threat model"], task
        assert selection.kept[0].reasons[0].startswith("matches the task ("), task


def test_a_heading_and_a_task_fold_a_code_keyword_alike(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\n## Import organization\n\nStandard library first, then "
            "third-party, then local; one group each.\n\n## Naming\n\nClasses in CamelCase."
            "\n\n## Errors\n\nRaise ValueError for bad input.\n",
        },
    )
    rules = discover(root, list_files(root))
    selection = select_sections(
        rules, "reorder the imports in core/dataset.py", [], 2000, TOKENIZER
    )
    assert [s.section.title for s in selection.kept] == ["P › Import organization"]


# ------------------------------------------------------------------ folders


CHECKER_RULES = (
    "# Linter\n\n## Getting started\n\nStudy the existing checkers in `lint/checkers/` "
    "for patterns.\n\n## Releases\n\nTag releases from main.\n\n"
    "## Style\n\nFormat with black.\n"
)


def test_a_folder_of_a_file_only_shown_is_evidence_only_if_the_task_names_it(
    tmp_path: Path,
) -> None:
    # A pack shows something for any task: that a shown file lies in `lint/checkers/` says
    # nothing about fixing the docs, unless the task is about checkers (or about that file).
    root = write(
        tmp_path,
        {"AGENTS.md": CHECKER_RULES, "lint/checkers/base.py": "class Checker: ...\n"},
    )
    rules = discover(root, list_files(root))
    shown = ["lint/checkers/base.py"]
    docs = select_sections(
        rules, "repair the broken link in the user guide", shown, 2000, TOKENIZER
    )
    assert docs.kept == []
    about = select_sections(rules, "a checker that warns about print calls", shown, 2000, TOKENIZER)
    (kept,) = about.kept
    assert kept.section.title == "Linter › Getting started"
    assert kept.reasons[-1] == "mentions lint/checkers/, which holds lint/checkers/base.py"
    named = select_sections(
        rules, "repair the broken link in the user guide", shown, 2000, TOKENIZER, focus=shown
    )
    assert [s.section.title for s in named.kept] == ["Linter › Getting started"]


# ------------------------------------------------------------------ left-out files


def test_a_file_left_out_of_the_pack_is_no_evidence(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\nThe P service.\n\n## Billing\n\nSee `src/billing/tax.py` "
            "for the rates table.\n\n## Deploy\n\nDeploy with `make ship`.\n",
            "src/billing/tax.py": "RATES = {}\n",
            "src/billing/invoice.py": "def total(lines):\n    return sum(lines)\n",
        },
    )
    rules = discover(root, list_files(root))
    shown = ["src/billing/invoice.py"]  # tax.py, in the same folder, was left out
    selection = select_sections(rules, "total of an invoice", shown, 2000, TOKENIZER)
    assert "P › Billing" not in [s.section.title for s in selection.kept]
    both = select_sections(
        rules, "total of an invoice", [*shown, "src/billing/tax.py"], 2000, TOKENIZER
    )
    billing = next(s for s in both.kept if s.section.title == "P › Billing")
    assert "mentions src/billing/tax.py" in billing.reasons


def test_in_a_pack_only_shown_files_bring_rules(tmp_path: Path) -> None:
    root = sample("scoped", tmp_path)
    ws = Workspace.open(root)
    pack = ws.pack(Task("InvoiceTotal.amount returns a float"), 3000, "json")
    shown = {i.path for i in pack.items if i.kind == "file" and i.mode in ("full", "slice")}
    sections = {(i.path, i.section) for i in pack.items if i.kind == "rule"}
    assert "services/billing/invoice.py" in shown
    assert (BILLING, "Billing service > Money") in sections
    assert "db/migrations/0001_accounts.py" not in shown
    assert (".claude/rules/migrations.md", "Migrations") not in sections


# ------------------------------------------------------------------ the report


def test_rules_report_lists_drops_only_when_verbose(tmp_path: Path, capsys) -> None:
    root = sample("scoped", tmp_path)
    task = "the worker queue drops jobs"
    code, out, _ = run(["rules", str(root), task], capsys)
    assert code == 0
    assert "  keep  AGENTS.md:17-20  Tally › Worker queue" in out
    assert "  drop  " not in out
    left_out = out.strip().split("\n")[-1]
    assert left_out.startswith("  (") and left_out.endswith(
        "sections left out; --verbose lists them and why)"
    )
    _, verbose, _ = run(["rules", str(root), task, "--verbose"], capsys)
    drops = [line for line in verbose.split("\n") if line.startswith("  drop  ")]
    assert len(drops) == int(left_out.split()[0].lstrip("(")) and len(drops) > 5
    assert all("--verbose" not in line for line in verbose.split("\n"))


def test_a_section_its_author_marks_as_binding_is_kept_for_any_task(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "AGENTS.md": "# P\n\n"
            "## Backward compatibility (CRITICAL)\n\nEvery change stays backward-compatible.\n\n"
            "## What you do NOT do\n\nNo new dependencies without asking.\n\n"
            "## Non-negotiables\n\nSecrets come from the vault.\n\n"
            "## Caching\n\nThe cache lives in Redis; never flush it by hand.\n\n"
            "## Logging rules\n\nLog lines are JSON.\n\n"
            "## Queue rules for workers\n\n"
            + "Jobs go to SQS and are retried three times. " * 80
            + "\n",
            "services/billing/AGENTS.md": "# Billing\n\n## Hard rules\n\nAmounts are Decimal.\n",
        },
    )
    rules = discover(root, list_files(root))
    selection = select_sections(rules, "add a parser for CSV imports", [], 2000, TOKENIZER)
    kept = {s.section.title: s.reasons for s in selection.kept}
    # Capitals or a heading that is about rules as such mark a binding section; a lower-case
    # "never" in a body does not, nor do rules about one topic, and a long section is a
    # topic whatever its heading; the billing folder's rules apply to no file in play.
    assert sorted(kept) == [
        "P › Backward compatibility (CRITICAL)",
        "P › Non-negotiables",
        "P › What you do NOT do",
    ]
    assert kept["P › Non-negotiables"] == ["a rule its file marks as binding"]
