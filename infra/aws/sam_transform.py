"""Expand a SAM template into plain CloudFormation with AWS's own translator, offline.

Runs in the scanners' venv (infra/aws/scan.py): `python sam_transform.py SAM.yaml OUT.json`.
This is what CloudFormation does with `Transform: AWS::Serverless-2016-10-31` at deploy
time, so a property SAM rejects or maps differently shows up here, not in a failed stack.
"""

import json
import os
import sys

import yaml
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform

# `aws cloudformation package` replaces the local CodeUri by the uploaded S3 object.
PACKAGED_CODE = "s3://artifact-bucket/deployment.zip"


class NoManagedPolicyLookup:
    """SAM looks up managed policy names only for `Policies:`; every function here has a Role."""

    def load(self):
        raise RuntimeError("a managed policy lookup would need AWS")


def main(source: str, target: str) -> int:
    # SAM fills AWS::Region from a boto session; it never calls AWS.
    os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
    with open(source) as f:
        template = yaml.safe_load(f)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = PACKAGED_CODE
    try:
        expanded = transform(template, {}, NoManagedPolicyLookup())
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(cause.message, file=sys.stderr)
        return 1
    with open(target, "w") as f:
        json.dump(expanded, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
