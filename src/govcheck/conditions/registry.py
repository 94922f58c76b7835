"""CONDITIONS: every condition of the policy language, by the name a policy writes.

Read top to bottom, this is the whole language besides the field operators
(govcheck/operators.py). The policy loader hands it to conditions through Build, and
error messages suggest names from it.
"""

from __future__ import annotations

from govcheck.conditions import bounds, content, field_cond, files, gitcond, logic, refers
from govcheck.conditions.base import Condition

CONDITIONS: dict[str, Condition] = {
    "field": Condition(field_cond.build_field),  # {field: PATH, OP: VALUE}
    "all": Condition(logic.build_all),
    "any": Condition(logic.build_any),
    "not": Condition(logic.build_not),
    "every": Condition(logic.build_every, nested=True),
    "some": Condition(logic.build_some, nested=True),
    "file_exists": Condition(files.build_file_exists),
    "file": Condition(files.build_file, nested=True),
    "schema": Condition(content.build_schema),
    "sections": Condition(content.build_sections),
    "git_commit_exists": Condition(gitcond.build_git_commit_exists, needs_history=True),
    "refers_to": Condition(refers.build_refers_to),  # {field, kind, key}: names another resource
    "bounds": Condition(bounds.build_bounds),  # {value, name, limits}: a number within its limits
}
