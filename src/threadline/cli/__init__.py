"""The ``threadline`` command line.

Each area registers its commands from its own module. Engine commands (scan, eval, synth, screen, prevention,
insights) never start Django; platform commands (and ``insights withdraw``, which acts on the web app's imports)
set it up lazily, so ``threadline scan`` stays fast.
"""

from __future__ import annotations

import typer

from threadline.cli import insights, online, platform, policy, prevention, release, screen

app = typer.Typer(
    name="threadline",
    help="Threadline: identify, protect and count child victims of trafficking.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
groups: dict[str, typer.Typer] = {
    "synth": typer.Typer(help="Seeded synthetic data (never real people).", no_args_is_help=True),
    "insights": typer.Typer(help="Import, link and release statistics safely.", no_args_is_help=True),
}
for _name, _group in groups.items():
    app.add_typer(_group, name=_name)

for _module in (platform, online, screen, insights, release, prevention, policy):
    _module.register(app, groups)


def main() -> None:
    from threadline.process import private_umask

    private_umask()  # engine commands (scan, synth, insights) write data files without loading the settings
    app()
