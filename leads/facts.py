"""The qualification facts a bot may learn about a contact, validated before they are stored."""

from typing import Literal

from django.core.exceptions import ValidationError
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from leads.reader.text import place_key

Financing = Literal["cash", "pre_approved", "pre_qualified", "not_started", "va_loan", "fha_loan", "conventional"]
PropertyType = Literal["single_family", "condo", "townhouse", "multi_family", "land", "mobile_home", "other"]


class QualificationFacts(BaseModel):
    """Buyer facts (budget, financing, beds/baths, areas) and seller facts (address, condition, motivation,
    price expectation); timeline is shared. Unknown keys are refused so a typo cannot hide a fact."""

    model_config = ConfigDict(extra="forbid")

    budget_min: int | None = Field(default=None, ge=0, le=100_000_000)
    budget_max: int | None = Field(default=None, ge=0, le=100_000_000)
    financing: Financing | None = None
    timeline_days: int | None = Field(default=None, ge=0, le=3650)
    areas: list[str] = Field(default_factory=list, max_length=10)
    property_type: PropertyType | None = None
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    bathrooms: float | None = Field(default=None, ge=0, le=20)
    address: str | None = Field(default=None, max_length=200)
    condition: str | None = Field(default=None, max_length=200)
    motivation: str | None = Field(default=None, max_length=200)
    price_expectation: int | None = Field(default=None, ge=0, le=100_000_000)


def area_key(name: str) -> str:
    """A place as the product compares places: case folded, abbreviation points, spacing and a leading article
    ignored ("St. George" and "st george", "The Heights" and "Heights" are one place)."""
    words = place_key(name).split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


def has_budget(facts: dict) -> bool:
    """A buyer has a budget when either bound is known (the one rule for stages, scoring and lead type)."""
    return bool(facts.get("budget_max") or facts.get("budget_min"))


def merge_facts(known: dict, stated: dict, *, replaces=()) -> dict:
    """Known facts updated by what a text states: a value replaces the old one; a list (areas) grows, unless the
    text replaces it ("actually millcreek, not sugar house")."""
    merged = {**known, **stated}
    for name, value in stated.items():
        if isinstance(value, list) and name not in replaces:
            seen = {str(item).casefold() for item in known.get(name, [])}
            merged[name] = list(known.get(name, [])) + [item for item in value if str(item).casefold() not in seen]
    return clean_facts(merged)


def validate_facts(value) -> None:
    """Model-field validator: the stored JSON must be a QualificationFacts object."""
    try:
        QualificationFacts.model_validate(value)
    except PydanticValidationError as exc:
        raise ValidationError(f"invalid qualification facts: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") from exc


def clean_facts(value) -> dict:
    """Validated facts as plain JSON, without empty fields."""
    return QualificationFacts.model_validate(value).model_dump(exclude_defaults=True)


FACT_LABELS = {
    "budget_min": "Budget from", "budget_max": "Budget up to", "financing": "Financing", "timeline_days": "Timeline",
    "areas": "Areas", "property_type": "Property type", "bedrooms": "Bedrooms", "bathrooms": "Bathrooms",
    "address": "Address", "condition": "Condition", "motivation": "Motivation", "price_expectation": "Price expectation",
}
MONEY_FACTS = ("budget_min", "budget_max", "price_expectation")


def facts_for_display(facts: dict) -> list[tuple[str, str]]:
    """The known facts as (label, readable value) rows, in the order of QualificationFacts."""
    rows = []
    for name, value in clean_facts(facts).items():
        if name in MONEY_FACTS:
            text = f"${value:,}"
        elif name == "timeline_days":
            text = f"within {value} days"
        elif isinstance(value, list):
            text = ", ".join(value)
        elif isinstance(value, str) and name in ("financing", "property_type"):
            text = value.replace("_", " ")
        else:
            text = str(value)
        rows.append((FACT_LABELS[name], text))
    return rows
