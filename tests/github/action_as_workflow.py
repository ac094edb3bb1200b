"""Writes action.yml's composite steps as a reusable workflow, on standard output.

actionlint checks workflows, not action metadata; as a workflow, the action's steps get the
same checks (expressions and their contexts, `steps.<id>.outputs`, the `uses:` of known
actions and their inputs) with each action input declared as a `workflow_call` input.
The output is JSON, which is YAML too.
"""

import json
import sys

from ruamel.yaml import YAML


def main(path):
    with open(path, encoding="utf-8") as file:
        action = YAML(typ="safe").load(file)
    inputs = {
        name: {
            "description": spec.get("description", name),
            "type": "string",
            "required": False,
            "default": str(spec.get("default", "")),
        }
        for name, spec in action.get("inputs", {}).items()
    }
    workflow = {
        "name": action["name"],
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {
            "action": {
                "runs-on": "ubuntu-latest",
                "steps": action["runs"]["steps"],
            }
        },
    }
    json.dump(workflow, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
