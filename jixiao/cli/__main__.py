"""``python -m jixiao.cli``."""

from .base import main

main()
