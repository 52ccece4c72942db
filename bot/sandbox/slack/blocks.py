"""Block Kit validation for the Slack stand-in: the limits Slack enforces, in Slack's words.

`block_errors(blocks, max_blocks=50, pointer="/blocks")` returns the problems Slack would
report for a message's (or a view's) blocks, each shaped like Slack's
`response_metadata.messages` entries without the "[ERROR] " prefix:
"must be less than 3001 characters [json-pointer:/blocks/0/text/text]". An empty list
means Slack would accept the blocks.

Checked: block count, known block types, block_id/action_id length and uniqueness, text
objects (type, non-empty, per-field length), section text and fields, header text, actions
elements (at most 25, unique action_ids), context elements, buttons (text, action_id,
value, url, style), confirm dialogs, select options. Stricter than Slack in one place on
purpose: a button must carry an action_id, because the bot routes every click on it.
"""

from __future__ import annotations

from typing import Any

BLOCK_TYPES = frozenset(
    {"section", "header", "divider", "actions", "context", "image", "input", "rich_text",
     "markdown", "video", "file"}
)
SELECT_TYPES = frozenset(
    {"static_select", "external_select", "users_select", "conversations_select",
     "channels_select", "multi_static_select", "multi_users_select",
     "multi_conversations_select", "multi_channels_select", "multi_external_select"}
)
ELEMENT_TYPES = SELECT_TYPES | {
    "button", "overflow", "datepicker", "timepicker", "datetimepicker", "checkboxes",
    "radio_buttons", "plain_text_input", "email_text_input", "url_text_input",
    "number_input", "image", "workflow_button", "rich_text_input", "file_input",
}
CONTEXT_TYPES = frozenset({"plain_text", "mrkdwn", "image"})
ID_LIMIT = 255


class _Errors(list[str]):
    def add(self, message: str, pointer: str) -> None:
        self.append(f"{message} [json-pointer:{pointer}]")


def block_errors(blocks: Any, max_blocks: int = 50, pointer: str = "/blocks") -> list[str]:
    """Slack's complaints about `blocks`, or [] when they are valid."""
    errors = _Errors()
    if not isinstance(blocks, list):
        errors.add("expected an array of blocks", pointer)
        return errors
    if len(blocks) > max_blocks:
        errors.add(f"no more than {max_blocks} items allowed", pointer)
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _block(block, f"{pointer}/{index}", errors, seen_ids)
    return errors


def _block(block: Any, at: str, errors: _Errors, seen_ids: set[str]) -> None:
    if not isinstance(block, dict):
        errors.add("expected an object", at)
        return
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        errors.add(f"unsupported type: {kind}", f"{at}/type")
        return
    block_id = block.get("block_id")
    if block_id is not None:
        _identifier(block_id, f"{at}/block_id", errors)
        if block_id in seen_ids:
            errors.add(f"duplicate block_id: {block_id}", f"{at}/block_id")
        seen_ids.add(block_id)
    checker = _BLOCK_CHECKS.get(kind)
    if checker is not None:
        checker(block, at, errors)


def _identifier(value: Any, at: str, errors: _Errors) -> None:
    if not isinstance(value, str) or not value:
        errors.add("must be a non-empty string", at)
    elif len(value) > ID_LIMIT:
        errors.add(f"must be less than {ID_LIMIT + 1} characters", at)


def _text(
    obj: Any, at: str, errors: _Errors, limit: int, plain_only: bool = False
) -> None:
    if obj is None:
        errors.add("missing required field: text", at)
        return
    if not isinstance(obj, dict):
        errors.add("expected a text object", at)
        return
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if obj.get("type") not in allowed:
        errors.add(f"must be one of: {', '.join(allowed)}", f"{at}/type")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        errors.add("must be more than 0 characters", f"{at}/text")
    elif len(text) > limit:
        errors.add(f"must be less than {limit + 1} characters", f"{at}/text")


def _section(block: dict[str, Any], at: str, errors: _Errors) -> None:
    fields = block.get("fields")
    if "text" not in block and not fields:
        errors.add("must provide text or fields", at)
    if "text" in block:
        _text(block["text"], f"{at}/text", errors, 3000)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > 10:
            errors.add("no more than 10 items allowed", f"{at}/fields")
        else:
            for index, field in enumerate(fields):
                _text(field, f"{at}/fields/{index}", errors, 2000)
    accessory = block.get("accessory")
    if accessory is not None:
        _element(accessory, f"{at}/accessory", errors, set())


def _header(block: dict[str, Any], at: str, errors: _Errors) -> None:
    _text(block.get("text"), f"{at}/text", errors, 150, plain_only=True)


def _actions(block: dict[str, Any], at: str, errors: _Errors) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.add("must provide at least 1 element", f"{at}/elements")
        return
    if len(elements) > 25:
        errors.add("no more than 25 items allowed", f"{at}/elements")
    action_ids: set[str] = set()
    for index, element in enumerate(elements):
        _element(element, f"{at}/elements/{index}", errors, action_ids)


def _context(block: dict[str, Any], at: str, errors: _Errors) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.add("must provide at least 1 element", f"{at}/elements")
        return
    if len(elements) > 10:
        errors.add("no more than 10 items allowed", f"{at}/elements")
    for index, element in enumerate(elements):
        where = f"{at}/elements/{index}"
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in CONTEXT_TYPES:
            errors.add(f"unsupported type: {kind}", f"{where}/type")
        elif kind != "image":
            _text(element, where, errors, 3000)


def _image(block: dict[str, Any], at: str, errors: _Errors) -> None:
    if not block.get("image_url") and not block.get("slack_file"):
        errors.add("missing required field: image_url", at)
    if not block.get("alt_text"):
        errors.add("missing required field: alt_text", at)


def _markdown(block: dict[str, Any], at: str, errors: _Errors) -> None:
    text = block.get("text")
    if not isinstance(text, str) or not text:
        errors.add("must be more than 0 characters", f"{at}/text")
    elif len(text) > 12000:
        errors.add("must be less than 12001 characters", f"{at}/text")


def _input(block: dict[str, Any], at: str, errors: _Errors) -> None:
    _text(block.get("label"), f"{at}/label", errors, 2000, plain_only=True)
    if "element" not in block:
        errors.add("missing required field: element", at)
    else:
        _element(block["element"], f"{at}/element", errors, set())


_BLOCK_CHECKS = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "context": _context,
    "image": _image,
    "markdown": _markdown,
    "input": _input,
}


def _element(element: Any, at: str, errors: _Errors, action_ids: set[str]) -> None:
    if not isinstance(element, dict):
        errors.add("expected an object", at)
        return
    kind = element.get("type")
    if kind not in ELEMENT_TYPES:
        errors.add(f"unsupported type: {kind}", f"{at}/type")
        return
    if "action_id" in element or kind == "button":
        _action_id(element.get("action_id"), at, errors, action_ids)
    if kind == "button":
        _button(element, at, errors)
    elif kind in SELECT_TYPES:
        _text(element.get("placeholder", {"type": "plain_text", "text": "-"}),
              f"{at}/placeholder", errors, 150, plain_only=True)
        _options(element.get("options"), at, errors, 100, required=kind == "static_select")
    elif kind == "overflow":
        _options(element.get("options"), at, errors, 5, required=True)
    if "confirm" in element:
        _confirm(element["confirm"], f"{at}/confirm", errors)


def _action_id(value: Any, at: str, errors: _Errors, action_ids: set[str]) -> None:
    if value is None:
        errors.add("missing required field: action_id", at)
        return
    _identifier(value, f"{at}/action_id", errors)
    if value in action_ids:
        errors.add(f"duplicate action_id: {value}", f"{at}/action_id")
    action_ids.add(value)


def _button(element: dict[str, Any], at: str, errors: _Errors) -> None:
    _text(element.get("text"), f"{at}/text", errors, 75, plain_only=True)
    value = element.get("value")
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        errors.add("must be less than 2001 characters", f"{at}/value")
    url = element.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > 3000):
        errors.add("must be less than 3001 characters", f"{at}/url")
    if element.get("style") not in (None, "primary", "danger"):
        errors.add("must be one of: primary, danger", f"{at}/style")


def _options(options: Any, at: str, errors: _Errors, limit: int, required: bool) -> None:
    if options is None:
        if required:
            errors.add("missing required field: options", at)
        return
    if not isinstance(options, list) or not options or len(options) > limit:
        errors.add(f"must have between 1 and {limit} items", f"{at}/options")
        return
    for index, option in enumerate(options):
        where = f"{at}/options/{index}"
        if not isinstance(option, dict):
            errors.add("expected an object", where)
            continue
        _text(option.get("text"), f"{where}/text", errors, 75)
        value = option.get("value")
        if not isinstance(value, str) or not value or len(value) > 150:
            errors.add("must be between 1 and 150 characters", f"{where}/value")


CONFIRM_FIELDS = (("title", 100, True), ("text", 300, False), ("confirm", 30, True),
                  ("deny", 30, True))


def _confirm(confirm: Any, at: str, errors: _Errors) -> None:
    if not isinstance(confirm, dict):
        errors.add("expected a confirmation object", at)
        return
    for name, limit, plain_only in CONFIRM_FIELDS:
        if name not in confirm:
            errors.add(f"missing required field: {name}", at)
        else:
            _text(confirm[name], f"{at}/{name}", errors, limit, plain_only=plain_only)
    if confirm.get("style") not in (None, "primary", "danger"):
        errors.add("must be one of: primary, danger", f"{at}/style")
