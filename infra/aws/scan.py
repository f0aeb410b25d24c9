"""Validate packaged templates offline: cfn-lint, AWS's SAM transform, checkov.

    python -m infra.aws.scan build/dev/sam.yaml [build/prod/sam.yaml ...]

- cfn-lint (requirements-dev.txt) on the SAM template, and again on the CloudFormation that
  AWS's SAM translator expands it to (what the stack will really contain);
- checkov on the SAM template: every finding is fixed, or skipped in place with a reason
  (Metadata.checkov.skip in resources.yaml, or infra/package.py for what every function
  shares). A skip without a reason counts as a failure here.

checkov and aws-sam-translator pin boto3 and pydantic versions the app cannot use, so they
live in their own venv, build/.venv-scan, created on first use from requirements-scan.txt
(about a minute; reused while that file is unchanged). Nothing here contacts AWS, and
checkov runs with --skip-download (no Prisma Cloud calls).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCAN_REQUIREMENTS = HERE / "requirements-scan.txt"
SCAN_VENV = ROOT / "build" / ".venv-scan"
REGION = "ap-southeast-3"
MIN_SKIP_REASON = 40  # characters: a reason, not a shrug


def _scan_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true")
    return env


def scan_python(venv: Path = SCAN_VENV) -> Path:
    """The scanners' interpreter; (re)creates their venv when requirements-scan.txt changed."""
    digest = hashlib.sha256(SCAN_REQUIREMENTS.read_bytes()).hexdigest()[:16]
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{digest}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    # Test workers (pytest -n) may get here together: one installs, the others wait.
    with open(venv.parent / ".venv-scan.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", "-r", str(SCAN_REQUIREMENTS)],
                           check=True)
            stamp.touch()
    return python


# -- cfn-lint --------------------------------------------------------------------------------

def cfn_lint(path: Path) -> list[str]:
    """cfn-lint's errors and warnings for a template file, as readable lines."""
    from cfnlint.api import lint_file
    from cfnlint.config import ManualArgs

    matches = lint_file(path, config=ManualArgs(regions=[REGION]))
    return [f"{m.rule.id} {m.message} ({path.name}:{m.linenumber})" for m in matches
            if m.rule.severity in ("error", "warning")]


# -- the SAM transform -------------------------------------------------------------------------

def sam_transform(path: Path, target: Path) -> dict[str, Any]:
    """The CloudFormation template SAM makes of `path` (written to `target`)."""
    result = subprocess.run([str(scan_python()), str(HERE / "sam_transform.py"), str(path),
                             str(target)], capture_output=True, text=True, env=_scan_env(),
                            check=False)
    if result.returncode != 0:
        raise RuntimeError(f"SAM rejects {path}:\n{result.stderr}")
    return json.loads(target.read_text())


# -- checkov ---------------------------------------------------------------------------------

@dataclass
class CheckovReport:
    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # check, resource, why

    @property
    def unjustified(self) -> list[str]:
        return [f"{check} on {resource}" for check, resource, why in self.skipped
                if len((why or "").strip()) < MIN_SKIP_REASON]


def checkov(paths: list[Path]) -> CheckovReport:
    command = [str(scan_python()), "-m", "checkov.main", "--framework", "cloudformation",
               "--output", "json", "--skip-download"]
    for path in paths:
        command += ["--file", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, env=_scan_env(),
                            check=False)
    if result.returncode not in (0, 1):  # 1: some check failed
        raise RuntimeError(f"checkov did not run:\n{result.stderr[-3000:]}")
    answer = json.loads(result.stdout)
    reports = answer if isinstance(answer, list) else [answer]
    report = CheckovReport()
    for part in reports:
        if part.get("summary", {}).get("parsing_errors"):
            raise RuntimeError(f"checkov could not parse: {part['results']['parsing_errors']}")
        results = part.get("results", {})
        report.passed += len(results.get("passed_checks", []))
        report.failed += [f"{c['check_id']} {c['check_name']} on {c['resource']}"
                          f" ({Path(c['file_path']).parent.name})"
                          for c in results.get("failed_checks", [])]
        report.skipped += [
            (c["check_id"], c["resource"], c.get("check_result", {}).get("suppress_comment", ""))
            for c in results.get("skipped_checks", [])]
    return report


def main(argv: list[str]) -> int:
    paths = [Path(arg).resolve() for arg in argv] or sorted(ROOT.glob("build/*/sam.yaml"))
    if not paths:
        print("nothing to scan: run make package STAGE=<stage> first", file=sys.stderr)
        return 2
    problems: list[str] = []
    for path in paths:
        problems += cfn_lint(path)
        with tempfile.TemporaryDirectory() as scratch:
            expanded = Path(scratch) / "cloudformation.json"
            try:
                sam_transform(path, expanded)
            except RuntimeError as exc:
                problems.append(str(exc))
                continue
            problems += [f"after the SAM transform: {line}" for line in cfn_lint(expanded)]
    report = checkov(paths)
    problems += [f"checkov: {line}" for line in report.failed]
    problems += [f"checkov: skip without a reason: {line}" for line in report.unjustified]
    for line in problems:
        print(line)
    print(f"cfn-lint and SAM transform on {len(paths)} template(s); checkov: "
          f"{report.passed} passed, {len(report.failed)} failed, "
          f"{len(report.skipped)} skipped with a reason")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
