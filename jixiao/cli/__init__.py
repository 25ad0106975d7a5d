"""The ``jixiao`` command line: each command is one library call.

The group and what every command shares are in :mod:`.base`; the commands are in the package's modules, one per
stage of the work: :mod:`.workbooks` (templates, show, totals, validate), :mod:`.county` (demo,
consolidate), :mod:`.evaluation` (selfeval, score), :mod:`.documents` (import, export), :mod:`.years`
(carry, diff); the 报送站's ``serve`` is :mod:`jixiao.site.cli`.

Exit status: 0 done (no errors), 1 findings with errors, 2 could not run.
Messages for clerks are Chinese; ``--format json`` output is a contract.
"""

from __future__ import annotations

from . import county, documents, evaluation, workbooks, years
from .base import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, fail, main
from ..site.cli import serve  # the 报送站 (jixiao serve and its subcommands), in its own package

main.add_command(serve)
COMMANDS = (workbooks, county, evaluation, documents, years)  # each registers its commands on ``main``
__all__ = ["EXIT_FAILED", "EXIT_FINDINGS", "EXIT_OK", "fail", "main"]
