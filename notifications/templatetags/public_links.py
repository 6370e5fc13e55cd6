"""`{% public_url 'name' arg=... %}`: like `{% url %}`, but the full address on the public site.

For e-mail templates, which are read outside the site: the address comes from `PUBLIC_URL`
(`core.links.absolute_url`), never from the request that caused the mail.
"""

from django import template
from django.urls import reverse

from core.links import absolute_url

register = template.Library()


@register.simple_tag
def public_url(view_name: str, *args, **kwargs) -> str:
    return absolute_url(reverse(view_name, args=args or None, kwargs=kwargs or None))
