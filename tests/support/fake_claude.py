"""A fake Anthropic Messages API at the HTTP layer: the real `anthropic` SDK builds, sends, retries and parses
every request; only the server is replaced (httpx2.MockTransport, the SDK's own HTTP client).

    provider = claude_provider(FakeClaude({"we want to buy a house": ("buyer", {})}))   # a TurnProvider for run_turn
"""

from __future__ import annotations

import json
import re

import httpx2

from bots import prompts
from bots.claude import ClaudeClient
from bots.providers import TurnProvider

KIND_BY_PROMPT = {
    prompts.INTENT_SYSTEM: "intent",
    prompts.FACTS_SYSTEM: "facts",
    prompts.MEMORY_SYSTEM: "memory",
    prompts.RESPONSE_SYSTEM: "response",
    prompts.STATE_REPLY_SYSTEM: "state_reply",
}
USAGE = {"input_tokens": 900, "output_tokens": 40, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1200}


class FakeClaude:
    """Answers like Claude would for scripted messages: `meanings[text] = (intent, facts)` or
    `(intent, facts, extras)`, extras being what the facts call also answers (`name`, `lead_type`).

    `failures` is a list of what the next requests get instead of an answer: an HTTP status (429, 529, 500),
    "timeout", or "malformed" (a 200 whose text is not the JSON asked for). `templates` is a list of what the
    next state-reply requests get instead of the template written from the state (e.g. one that misbehaves).
    """

    def __init__(self, meanings: dict[str, tuple[str, dict]] | None = None):
        self.meanings = meanings or {}
        self.failures: list = []
        self.templates: list[str] = []
        self.requests: list[dict] = []
        self.answered: list[str] = []

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handle))

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "timeout":
                raise httpx2.ReadTimeout("fake timeout", request=request)
            if failure == "malformed":
                return self._message("Sure! Here is what I found: intent is buyer.")
            headers = {"retry-after-ms": "1"} if failure in (429, 529) else {}
            error_type = {429: "rate_limit_error", 529: "overloaded_error"}.get(failure, "api_error")
            return httpx2.Response(failure, headers=headers,
                                   json={"type": "error", "error": {"type": error_type, "message": "fake"}})
        kind = KIND_BY_PROMPT[body["system"][0]["text"]]
        self.answered.append(kind)
        return self._message(json.dumps(self.answer(kind, body["messages"][0]["content"])))

    def answer(self, kind: str, user: str) -> dict:
        if kind in ("intent", "facts"):
            sms = re.search(r"<sms>(.*)</sms>", user, re.DOTALL).group(1)
            intent, facts, *extras = self.meanings.get(sms, ("other", {}))
            return {"intent": intent, "confidence": 0.9} if kind == "intent" else {"facts": facts, **(extras[0] if extras else {})}
        if kind == "memory":
            ids = [int(i) for i in re.findall(r"^\[(\d+)\]", user, re.MULTILINE)]
            return {"summary": f"{len(ids)} earlier messages", "message_ids": ids[-3:]}
        brief = json.loads(user)
        if kind == "state_reply":
            return {"template": self.templates.pop(0) if self.templates else self.state_template(brief)}
        if brief["handoff"]:
            return {"reply": "Thanks! One of our agents will text you shortly."}
        return {"reply": f"Got it, thanks. {brief['next_question']}"}

    @staticmethod
    def state_template(state: dict) -> str:
        """Worded as Claude words a state's template: the name placeholder when the state offers it, the answer
        echoed back by its placeholder, the next question rephrased lightly."""
        thanks = "Thanks, {name}!" if "name" in state["placeholders"] else "Thanks!"
        if state["action"] == "handoff":
            return f"{thanks} One of our agents will text you shortly."
        if state["action"] == "close":
            return "Understood, thanks for letting us know. Text us here if anything changes."
        if state["opening"] == "first_turn":
            return f"Hi there, thanks for texting our team! {state['next_question']}"
        echo = {"area": " {area} is a great choice.", "budget": " Noted: {budget}."}
        said = next((echo[p] for p in state["placeholders"] if p in echo), "")
        return f"{thanks}{said} {state['next_question']}"

    @staticmethod
    def _message(text: str) -> httpx2.Response:
        return httpx2.Response(200, json={
            "id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-fake",
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": USAGE,
        })


def claude_provider(fake: FakeClaude) -> TurnProvider:
    """The turn provider of the real bots, its Claude client talking to `fake`."""
    return TurnProvider(ClaudeClient(api_key="test-key", http_client=fake.client()))
