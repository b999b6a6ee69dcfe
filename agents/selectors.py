"""Reads for the agents' screens and exports that join leads with the model-call ledger."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from bots.models import LLMCall
from leads.models import Contact, Temperature
from leads.selectors import contacts_for_agents


def contact_cost_usd(contact: Contact) -> Decimal:
    """What the lead has cost in model calls so far (the ledger prices every call; fallback answers are free)."""
    total = LLMCall.objects.filter(contact=contact).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal("0")


@dataclass(frozen=True)
class LeadCost:
    temperature: str
    leads: int
    total_usd: Decimal

    @property
    def per_lead_usd(self) -> Decimal:
        return self.total_usd / self.leads if self.leads else Decimal("0")


def cost_per_lead() -> list[LeadCost]:
    """Model-call cost per lead, Hot to Cold, then overall (last row, temperature ""): contacts that made at
    least one call, with the cost of all their calls."""
    money = DecimalField(max_digits=14, decimal_places=8)
    rows = (Contact.objects.filter(llm_calls__isnull=False).order_by().values("temperature")
            .annotate(leads=Count("id", distinct=True), total=Coalesce(Sum("llm_calls__cost_usd"), Value(0), output_field=money)))
    by_temperature = {row["temperature"]: LeadCost(row["temperature"], row["leads"], row["total"]) for row in rows}
    costs = [by_temperature.get(t.value, LeadCost(t.value, 0, Decimal("0")))
             for t in (Temperature.HOT, Temperature.WARM, Temperature.COLD)]
    costs.append(LeadCost("", sum(c.leads for c in costs), sum((c.total_usd for c in costs), Decimal("0"))))
    return costs


# --- operators: export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = ("phone", "name", "lead_type", "temperature", "frs", "pcs", "stage", "needs_agent", "bot_paused",
                 "opted_out", "last_message_at", "created_at", "cost_usd", "facts")


def leads_for_export(*, temperature: str | None = None) -> QuerySet:
    """Contacts for an export, hottest first, with their stage and model-call cost."""
    money = DecimalField(max_digits=14, decimal_places=8)
    calls = (LLMCall.objects.filter(contact=OuterRef("pk")).order_by().values("contact")
             .annotate(total=Sum("cost_usd")).values("total"))
    queryset = contacts_for_agents().annotate(cost_usd=Coalesce(Subquery(calls, output_field=money), Value(0), output_field=money))
    if temperature:
        queryset = queryset.filter(temperature=temperature)
    return queryset.order_by("temperature_rank", "-frs_score", "id")


def export_row(contact: Contact) -> dict:
    """One contact as plain JSON-ready values, keys in EXPORT_FIELDS order."""
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "phone": contact.phone, "name": contact.name, "lead_type": contact.lead_type,
        "temperature": contact.temperature, "frs": contact.frs_score, "pcs": contact.pcs_score,
        "stage": contact.stage or "", "needs_agent": contact.needs_agent, "bot_paused": contact.bot_paused,
        "opted_out": contact.opted_out, "last_message_at": iso(contact.last_message_at),
        "created_at": iso(contact.created_at), "cost_usd": f"{contact.cost_usd:.6f}",
        "facts": contact.facts,
    }
