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


@register.filter
def minutes(value) -> str:
    """A wait in minutes, as people say it: 0.5 -> '30 s', 42.2 -> '42 min', 135 -> '2 h 15 min'; None -> '-'."""
    if value is None:
        return "-"
    if value < 1:
        return f"{round(value * 60)} s"
    whole = round(value)
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"
