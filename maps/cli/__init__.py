"""The ``corridors`` command: a thin layer over the pipelines in :mod:`maps.build`.

One module per command (``listing``, ``build``, ``route``, ``compare``, ``matrix``, ``flows``); what they share
(consoles, the user-error wrapper, options, progress) is in ``_common``.
User mistakes (a bad catalog file, an unknown corridor id, an unwritable
folder) print one line each, prefixed ``error:``, and exit with status 2;
there is no traceback for them.
"""

from __future__ import annotations

import click

from maps.cli.build import build_cmd
from maps.cli.compare import compare_cmd
from maps.cli.flows import flows_cmd
from maps.cli.listing import list_cmd
from maps.cli.matrix import matrix_cmd
from maps.cli.route import route_cmd

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="corridor-mapper")
def main() -> None:
    """Map trade corridors: interactive maps and GIS layers from a corridor catalog."""


main.add_command(list_cmd)
main.add_command(build_cmd)
main.add_command(route_cmd)
main.add_command(compare_cmd)
main.add_command(matrix_cmd)
main.add_command(flows_cmd)
