from django.db import models


class Provider(models.TextChoices):
    ANTHROPIC = "anthropic", "Claude (Anthropic API)"
    FALLBACK = "fallback", "Rule-based fallback"


class CallOutcome(models.TextChoices):
    OK = "ok", "OK"
    MALFORMED = "malformed", "Malformed output"
    ERROR = "error", "API error"


class LLMCall(models.Model):
    """The usage ledger: one row per model call (fallback answers included, at zero cost), so the cost of a
    lead, a day or a kind of call is a query."""

    contact = models.ForeignKey("leads.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="llm_calls")
    message = models.ForeignKey("leads.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="llm_calls")
    kind = models.CharField(max_length=16)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    model = models.CharField(max_length=64)
    prompt_version = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices, default=CallOutcome.OK)
    error = models.CharField(max_length=300, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0, help_text="Anthropic prompt-cache writes")
    cache_read_tokens = models.PositiveIntegerField(default=0, help_text="Anthropic prompt-cache reads")
    cost_usd = models.DecimalField(max_digits=12, decimal_places=8, default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LLM call"
        indexes = [
            models.Index(fields=["contact", "created_at"], name="llmcall_contact_idx"),
            models.Index(fields=["created_at"], name="llmcall_created_idx"),
            models.Index(fields=["kind", "provider"], name="llmcall_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} via {self.provider} ({self.model}): ${self.cost_usd}"
