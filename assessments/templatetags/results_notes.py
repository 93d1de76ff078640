"""Numbers the results page explains itself with, from the module that decides them."""

from django import template

from ..scoring import BENCHMARK_MIN_ORGANISATIONS

register = template.Library()


@register.simple_tag
def benchmark_min_organisations() -> int:
    return BENCHMARK_MIN_ORGANISATIONS
