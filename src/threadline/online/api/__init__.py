"""API of the online area: investigations (their inputs, scans and ranked networks), labels, platform notices
and evidence packages. ``serializers`` says what goes in and out, ``views`` scopes and calls the services; the
routes are ``online/api_routes.py``.

Scoped like the pages: the token's organisation, online analysts only; another organisation's object is a 404.
"""
