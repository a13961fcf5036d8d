"""This area's permissions, added to the role table (see threadline.accounts.roles)."""

from threadline.accounts.roles import grant  # noqa: F401
