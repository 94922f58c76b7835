"""Alertmanager configs in a repository (`alertmanager.yml`, Helm values, the
`AlertmanagerConfig` resource): where an alert with given labels is delivered.

The route tree is walked as Alertmanager walks it: the first child route whose matchers
hold takes the alert (the next ones too when it says `continue: true`), a route without
a receiver inherits its parent's, and a receiver with no `*_configs` delivers nowhere.
Secrets stay out: a webhook or Slack URL is reported by its host, never whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from govcheck import urls
from govcheck.errors import Mark
from govcheck.facts.base import Facts
from govcheck.facts.parsing import data_format
from govcheck.regex import RegexError, compile_regex
from govcheck.yamlsrc import LDict

_MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')
# receiver config list -> (channel, the key naming where it goes)
CONFIGS = {
    "email_configs": ("email", "to"),
    "slack_configs": ("slack", "channel"),
    "pagerduty_configs": ("pagerduty", None),
    "opsgenie_configs": ("opsgenie", None),
    "msteams_configs": ("teams", "webhook_url"),
    "msteamsv2_configs": ("teams", "webhook_url"),
    "webhook_configs": ("webhook", "url"),
    "sns_configs": ("sns", "topic_arn"),
    "victorops_configs": ("victorops", "routing_key"),
    "telegram_configs": ("telegram", "chat_id"),
    "discord_configs": ("discord", "webhook_url"),
    "webex_configs": ("webex", "room_id"),
    "pushover_configs": ("pushover", None),
    "wechat_configs": ("wechat", "to_party"),
    "jira_configs": ("jira", "project"),
}


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


@dataclass(frozen=True)
class Destination:
    channel: str
    target: str
    mark: Mark | None


@dataclass(frozen=True)
class Config:
    path: str
    route: Mapping[str, Any]
    receivers: dict[str, list[Destination]]

    def deliver(self, labels: Mapping[str, str]) -> list[Destination]:
        """Where an alert with these labels goes ([] when nowhere)."""
        names = _walk(self.route, labels, str(self.route.get("receiver") or ""))
        return [d for name in names for d in self.receivers.get(name, [])]


def _norm(value: Any) -> Any:
    """AlertmanagerConfig spells keys in camelCase (emailConfigs): read them as snake_case."""
    if isinstance(value, dict):
        out = LDict({_snake(str(k)): _norm(v) for k, v in value.items()})
        out.mark = getattr(value, "mark", None)
        marks = getattr(value, "value_marks", {})
        out.value_marks = {_snake(str(k)): m for k, m in marks.items()}
        return out
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _holds(route: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    tests: list[tuple[str, str, str]] = []
    for key, op in (("match", "="), ("match_re", "=~")):
        block = route.get(key)
        if isinstance(block, dict):
            tests += [(str(k), op, str(v)) for k, v in block.items()]
    for matcher in route.get("matchers") or []:
        if isinstance(matcher, str) and (found := _MATCHER.match(matcher)):
            tests.append((found.group(1), found.group(2), found.group(3)))
        elif isinstance(matcher, dict):  # AlertmanagerConfig: {name, value, matchType}
            op = str(matcher.get("match_type") or ("=~" if matcher.get("regex") else "="))
            tests.append((str(matcher.get("name")), op, str(matcher.get("value") or "")))
    return all(_test(labels.get(name, ""), op, value) for name, op, value in tests)


def _test(actual: str, op: str, value: str) -> bool:
    if op in ("=", "!="):
        return (actual == value) == (op == "=")
    try:
        hit = compile_regex(f"^(?:{value})$").search(actual) is not None
    except RegexError:
        return False
    return hit == (op == "=~")


def _walk(route: Mapping[str, Any], labels: Mapping[str, str], inherited: str) -> list[str]:
    receiver = str(route.get("receiver") or inherited)
    out: list[str] = []
    children = route.get("routes")
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict) and _holds(child, labels):
            out += _walk(child, labels, receiver)
            if not child.get("continue"):
                break
    return out or [receiver]


def _destinations(receiver: Mapping[str, Any]) -> Iterator[Destination]:
    for key, (channel, field) in CONFIGS.items():
        configs = receiver.get(key)
        for i, config in enumerate(configs if isinstance(configs, list) else []):
            marks = getattr(configs, "item_marks", [])
            mark = marks[i] if i < len(marks) else None
            value = config.get(field) if isinstance(config, dict) and field else None
            yield Destination(channel, _shown(str(value)) if value else channel, mark)


def _shown(value: str) -> str:
    if "://" in value:  # webhook URLs carry their secret in the path
        return urls.split(value).hostname or "(url)"
    return value


def _configs(doc: Any) -> Iterator[Mapping[str, Any]]:
    """Mappings holding both `route` and `receivers`, anywhere in a document."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("route"), dict) and isinstance(node.get("receivers"), list):
                yield node
            stack += list(node.values())
        elif isinstance(node, list):
            stack += node


def configs(facts: Facts) -> list[Config]:
    def make() -> list[Config]:
        out = []
        # Every config, even in a check limited to other paths: routing is repository-wide.
        for res in facts.resources("file"):
            if data_format(res.id) not in ("yaml", "json"):
                continue
            text = res.fields["text"]
            if not text or "receivers" not in text or "route" not in text:
                continue
            for doc in res.fields["documents"]:
                for found in _configs(_norm(doc)):
                    receivers = {
                        str(r.get("name")): list(_destinations(r))
                        for r in found["receivers"]
                        if isinstance(r, dict)
                    }
                    out.append(Config(res.id, found["route"], receivers))
        return out

    return facts.shared("alertmanager", make)
