"""Replies shared by dialogue state. On the qualification path most replies say "thanks, next question" (or a plain
handoff or close): the model writes such a reply once per dialogue state, as a template whose placeholders code
fills from the contact's facts, and every contact in that state is answered from it. The state holds no contact
data, so a shared template cannot carry anyone's; off-script turns still get a personal, contact-scoped reply.

Which turns are on the qualification path (`on_script`), deliberately narrow, because a shared reply that ignores
what the prospect said is worse than a personal one:
- the next question (Action.ASK) with nothing to say before it (no answer about the bot or to a question, no
  injection refusal), after an answer, a buy/sell statement or a greeting; not when the prospect answered the
  question with something else (the slot is passed on this turn: "my wife knows the budget");
- a handoff that the facts decided (a hot or fully qualified lead) after such a turn; a request for a person, a
  showing or an agent's answer often carries a when or a what, so it is answered personally;
- a close for "not interested", a wrong number or a renter, said as such;
- and in every case: no "?" in the text and at most MAX_ON_SCRIPT_WORDS words (a longer text carries more than the
  answer), however long the conversation (a shared reply reads no memory: the memory call is made only for a
  personal reply, bots.services).
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass

from bots import stages
from leads.facts import has_budget
from leads.intents import Intent
from leads.models import LeadType

SHARED = "shared_by_state"
PERSONAL = "personal"
MAX_ON_SCRIPT_WORDS = 12
ON_SCRIPT_INTENTS = frozenset({Intent.PROVIDE_INFO, Intent.GREETING, Intent.BUYER, Intent.SELLER})
# The whitelist: what a template may leave for code to fill. The name whenever it is known; a fact only right
# after the prospect gave it (to echo it back), so the state says which are available with no more than the slot.
PLACEHOLDER_OF_SLOT = {"areas": "area", "budget": "budget", "address": "address", "price_expectation": "price"}
PLACEHOLDERS = ("name", *PLACEHOLDER_OF_SLOT.values())
DIGIT = re.compile(r"\d")


class FirstTurn:
    GREET = "first_turn"      # the bot's first text to this contact: it says hello
    FOLLOW_UP = "follow_up"   # later texts acknowledge instead


@dataclass(frozen=True)
class ReplyState:
    """A dialogue state: everything a shared reply depends on, and nothing about whose conversation it is."""

    bot: str
    lead_type: str
    action: str               # ask, handoff or close (stages.Action)
    answered_slot: str        # the fact the prospect just gave in answer to the question ("" when none)
    next_slot: str
    next_question: str        # the dialogue's wording of the next question (the same for every contact)
    handoff_reason: str
    close_reason: str
    language: str
    opening: str              # FirstTurn: the tone of the opening
    placeholders: tuple[str, ...]  # the placeholders with a value for this contact, by name only

    def key_parts(self) -> list:
        return [stages.dialogue_version(), asdict(self)]

    def step(self) -> stages.Step:
        return stages.Step(self.bot, self.lead_type, self.action, self.next_slot, self.next_question,
                           self.handoff_reason, self.close_reason)

    def offline_template(self) -> str:
        return stages.reply_template(self.step(), "name" in self.placeholders, self.opening == FirstTurn.GREET,
                                     self.language)


def may_be_on_script(text: str, *, injection: bool) -> bool:
    """What the text alone says, before intent and facts are known: a steering attempt, a question or a long text
    is never answered from its state."""
    return not injection and "?" not in text and len(text.split()) <= MAX_ON_SCRIPT_WORDS


def on_script(step: stages.Step, intent: Intent, text: str, *, injection: bool, passed_now: bool) -> bool:
    if step.preface or not may_be_on_script(text, injection=injection):
        return False
    if step.action == stages.Action.ASK:
        return intent in ON_SCRIPT_INTENTS and not passed_now
    if step.action == stages.Action.HANDOFF:
        return step.handoff_reason in stages.DECIDED_HANDOFFS and intent in ON_SCRIPT_INTENTS
    return step.action == stages.Action.CLOSE and intent in stages.CLOSING_INTENTS


def answered_slot(asked_slot: str, *, facts: dict, name: str, lead_type: str) -> str:
    """The slot the bot asked for, when the prospect's answer filled it."""
    known = {"name": bool(name), "lead_type": lead_type != LeadType.UNKNOWN, "budget": has_budget(facts)}
    return asked_slot if asked_slot and known.get(asked_slot, bool(facts.get(asked_slot))) else ""


def placeholder_values(name: str, facts: dict) -> dict[str, str]:
    """What code fills in, from the contact's own data: only the placeholders that have a value."""
    budget = facts.get("budget_max") or facts.get("budget_min")
    values = {"name": name, "area": (facts.get("areas") or [""])[0], "budget": f"${budget:,}" if budget else "",
              "address": facts.get("address") or "",
              "price": f"${facts['price_expectation']:,}" if facts.get("price_expectation") else ""}
    return {placeholder: value for placeholder, value in values.items() if value}


def state_for(step: stages.Step, *, answered: str, first_turn: bool, language: str, values: dict) -> ReplyState:
    available = {"name"} | ({PLACEHOLDER_OF_SLOT[answered]} if answered in PLACEHOLDER_OF_SLOT else set())
    return ReplyState(bot=step.bot, lead_type=step.lead_type, action=step.action, answered_slot=answered,
                      next_slot=step.next_slot, next_question=step.next_question, handoff_reason=step.handoff_reason,
                      close_reason=step.close_reason, language=language,
                      opening=FirstTurn.GREET if first_turn else FirstTurn.FOLLOW_UP,
                      placeholders=tuple(p for p in PLACEHOLDERS if p in available and p in values))


def template_problem(template: str, state: ReplyState, personal: dict[str, str]) -> str:
    """Why a template may not be used ("" when it may): a placeholder outside the state's available ones (or with
    a format spec), a digit (the state has no numbers, so any number in it is invented), or a value of this
    contact's written out instead of its placeholder (a template is shared: it must not hold anyone's data)."""
    try:
        fields = [(name, spec, conversion) for _text, name, spec, conversion in string.Formatter().parse(template)
                  if name is not None]
    except ValueError as exc:
        return f"malformed placeholders ({exc})"
    for name, spec, conversion in fields:
        if name not in state.placeholders or spec or conversion:
            return f"placeholder {{{name}}} is not one this state offers ({', '.join(state.placeholders) or 'none'})"
    if DIGIT.search(template):
        return "a number, which the state does not give"
    for placeholder, value in personal.items():
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", template, re.IGNORECASE if placeholder != "name" else 0):
            return f"the contact's {placeholder} written out"
    return ""


def fill(template: str, values: dict[str, str]) -> str:
    """The template with this contact's values (a template that passed `template_problem` uses only those)."""
    return template.format_map(values)
