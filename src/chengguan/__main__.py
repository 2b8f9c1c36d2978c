"""``python -m chengguan`` runs the command line."""

from chengguan.cli import app

app(prog_name="chengguan")
