"""Tests for persona_env.actions: parsing the assistant's (untrusted) action."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

import pytest

from persona_env.actions import (
    MAX_PROFILE_CHARS,
    MAX_REPLY_CHARS,
    AssistantAction,
    parse_assistant_action,
    sanitise_text,
)

RLPA = "<profile>\n- Occupation: nurse\n- Interests: hiking, jazz\n</profile>\n\n<response>\nHow about a hike?\n</response>"

NASTY = [
    "", "   ", "\ud800\udfff", "\ud800", "x" * 10**6, "{{{", '{"age": [1, {"x": null}]}', "<profile>",
    "</response><profile>", "\U0001F600\U0001F389\U0001F44D", "a\x00b\x00c", "\u0647\u064a \u0645\u0645\u0631\u0636\u0629 \u202e",
    "<profile>" * 5000, "</profile>" * 3, "<response><response></response>", "\r\n\r\n", "\x1b[31mred\x1b[0m",
    "<profile>\ud800</profile><response>\udfff</response>", "<" * 10000, "<profile" + ">" * 50,
]


# ---------------------------------------------------------------------------- mapping form
def test_mapping_form():
    act = parse_assistant_action({"profile": "- Occupation: nurse", "reply": "Hi!"})
    assert act == AssistantAction("- Occupation: nurse", "Hi!", (), True)


def test_mapping_form_any_mapping_and_strips():
    act = parse_assistant_action(OrderedDict(profile="  - nurse \n", reply="\n hello  "))
    assert (act.profile, act.reply, act.format_ok) == ("- nurse", "hello", True)


def test_mapping_form_empty_values_flag_format():
    act = parse_assistant_action({"profile": "   ", "reply": ""})
    assert not act.format_ok
    assert act.notes == ("empty profile", "empty reply")


def test_action_is_frozen():
    act = parse_assistant_action({"profile": "a", "reply": "b"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        act.reply = "c"  # type: ignore[misc]


# ---------------------------------------------------------------------------- string form
def test_rlpa_string_form():
    act = parse_assistant_action(RLPA)
    assert act.profile == "- Occupation: nurse\n- Interests: hiking, jazz"
    assert act.reply == "How about a hike?"
    assert act.format_ok and act.notes == ()


def test_tags_case_insensitive_and_whitespace_tolerant():
    act = parse_assistant_action("<PROFILE >\n- nurse\n</ Profile>\n< response >Hi</RESPONSE >")
    assert (act.profile, act.reply, act.format_ok, act.notes) == ("- nurse", "Hi", True, ())


def test_missing_closing_response_tag():
    act = parse_assistant_action("<profile>- nurse</profile><response>Hi there")
    assert (act.profile, act.reply) == ("- nurse", "Hi there")
    assert not act.format_ok
    assert act.notes == ("missing </response> tag",)


def test_missing_response_tag_uses_text_after_profile():
    act = parse_assistant_action("<profile>- nurse</profile>\nHi there")
    assert (act.profile, act.reply) == ("- nurse", "Hi there")
    assert not act.format_ok and act.notes == ("missing <response> tag",)


def test_unclosed_profile_runs_to_response():
    act = parse_assistant_action("<profile>- nurse\n<response>Hi</response>")
    assert (act.profile, act.reply) == ("- nurse", "Hi")
    assert act.notes == ("missing </profile> tag",) and not act.format_ok


def test_no_tags_whole_text_is_reply():
    act = parse_assistant_action("Just a plain reply.")
    assert (act.profile, act.reply) == ("", "Just a plain reply.")
    assert not act.format_ok
    assert act.notes == ("missing <profile> tag", "missing <response> tag", "empty profile")


def test_only_response_block():
    act = parse_assistant_action("<response>Hi</response>")
    assert (act.profile, act.reply) == ("", "Hi")
    assert act.notes == ("missing <profile> tag", "empty profile")


def test_closing_profile_without_opening():
    act = parse_assistant_action("- nurse</profile><response>Hi</response>")
    assert (act.profile, act.reply) == ("- nurse", "Hi")
    assert act.notes == ("missing <profile> tag",)


def test_blocks_in_reverse_order():
    act = parse_assistant_action("<response>Hi</response><profile>- nurse</profile>")
    assert (act.profile, act.reply) == ("- nurse", "Hi")
    assert not act.format_ok and "<response> before <profile>" in act.notes


def test_text_outside_tags_is_noted_but_format_ok():
    act = parse_assistant_action("Sure!\n<profile>- nurse</profile><response>Hi</response>\nBye")
    assert (act.profile, act.reply, act.format_ok) == ("- nurse", "Hi", True)
    assert act.notes == ("text outside tags ignored",)


def test_empty_blocks():
    act = parse_assistant_action("<profile></profile><response>  </response>")
    assert not act.format_ok
    assert act.notes == ("empty profile", "empty reply")


# ---------------------------------------------------------------------------- limits and sanitising
def test_truncation_with_notes():
    act = parse_assistant_action({"profile": "p" * (MAX_PROFILE_CHARS + 10), "reply": "r" * (MAX_REPLY_CHARS + 1)})
    assert len(act.profile) == MAX_PROFILE_CHARS == 4000
    assert len(act.reply) == MAX_REPLY_CHARS == 2000
    assert act.notes == ("profile truncated to 4000 chars", "reply truncated to 2000 chars")
    assert act.format_ok  # truncation is not a format error


def test_truncation_in_string_form():
    act = parse_assistant_action(f"<profile>- nurse</profile><response>{'r' * 5000}</response>")
    assert len(act.reply) == 2000 and act.notes == ("reply truncated to 2000 chars",)


def test_sanitise_surrogates_and_controls():
    text, notes = sanitise_text("a\ud800b\x00c\x07d\te\r\nf\rg\x7f\x85h")
    assert text == "a\ufffdbcd\te\nf\ngh"
    assert notes == ("replaced invalid characters", "removed control characters")
    text.encode("utf-8")  # encodable now


def test_sanitise_keeps_clean_text_unchanged():
    s = "Plain text\n\twith tab, emoji \U0001F600 and RTL \u0645\u0631\u062d\u0628\u0627"
    assert sanitise_text(s) == (s, ())


def test_action_text_is_sanitised():
    act = parse_assistant_action({"profile": "- nurse\x00", "reply": "hi \ud83d"})
    assert act.profile == "- nurse" and act.reply == "hi \ufffd"
    assert act.notes == ("removed control characters", "replaced invalid characters")


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_strings_never_raise(text):
    act = parse_assistant_action(text)
    assert isinstance(act, AssistantAction)
    assert isinstance(act.profile, str) and isinstance(act.reply, str)
    assert len(act.profile) <= MAX_PROFILE_CHARS and len(act.reply) <= MAX_REPLY_CHARS
    act.profile.encode("utf-8")
    act.reply.encode("utf-8")
    assert "\x00" not in act.profile + act.reply
    assert all(isinstance(n, str) and n for n in act.notes)
    if not act.format_ok:
        assert act.notes  # every format failure says why
    # also as mapping values
    act2 = parse_assistant_action({"profile": text, "reply": text})
    assert len(act2.profile) <= MAX_PROFILE_CHARS and len(act2.reply) <= MAX_REPLY_CHARS


def test_nasty_specific_notes():
    assert "missing </profile> tag" in parse_assistant_action("<profile>").notes
    notes = parse_assistant_action("</response><profile>").notes
    assert {"missing </profile> tag", "empty profile", "empty reply"} <= set(notes)
    assert parse_assistant_action("\ud800\udfff").reply == "\ufffd\ufffd"
    assert parse_assistant_action("x" * 10**6).notes[-2:] == ("reply truncated to 2000 chars", "empty profile")


# ---------------------------------------------------------------------------- programmer errors
@pytest.mark.parametrize("bad", [None, 5, 3.0, ["profile", "reply"], ("a", "b"), b"<profile>"])
def test_wrong_type_raises_type_error_naming_both_forms(bad):
    with pytest.raises(TypeError) as exc:
        parse_assistant_action(bad)
    msg = str(exc.value)
    assert '{"profile": str, "reply": str}' in msg and "<profile>" in msg
    assert type(bad).__name__ in msg


def test_bytes_hint():
    with pytest.raises(TypeError, match="decode"):
        parse_assistant_action(b"<profile></profile>")


def test_missing_key_raises_key_error_naming_keys():
    with pytest.raises(KeyError) as exc:
        parse_assistant_action({"profile": "- nurse"})
    msg = exc.value.args[0]
    assert "'reply'" in msg and '{"profile": str, "reply": str}' in msg


def test_extra_key_raises_value_error():
    with pytest.raises(ValueError, match=r"unexpected key\(s\) 'text'.*\"profile\" and \"reply\""):
        parse_assistant_action({"profile": "a", "reply": "b", "text": "c"})


def test_non_str_value_raises_value_error():
    with pytest.raises(ValueError, match=r"'reply' is NoneType.*\{\"profile\": str, \"reply\": str\}"):
        parse_assistant_action({"profile": "a", "reply": None})


def test_sanitise_text_type_error():
    with pytest.raises(TypeError, match="str"):
        sanitise_text(b"x")  # type: ignore[arg-type]
