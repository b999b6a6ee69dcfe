from django import template

register = template.Library()


@register.filter
def percent(share: float, digits: int = 1) -> str:
    """0.4567 -> '45.7%'."""
    return f"{share * 100:.{digits}f}%"


@register.filter
def usd(amount, digits: int = 4) -> str:
    """Model calls cost fractions of a cent, so dollars show four decimals by default."""
    return f"${float(amount):,.{digits}f}"
